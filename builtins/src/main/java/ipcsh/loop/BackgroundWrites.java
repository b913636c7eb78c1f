package ipcsh.loop;

import ipcsh.chan.BackgroundWriter;
import ipcsh.chan.Channel;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Writes the queued output of non-blocking channels when their descriptors have room (Tcl's
 * background flush), on the interpreter thread. While a channel has output queued it holds
 * the {@link EventLoop}, so a script lives on until its output is written. A channel closed
 * with output queued is really closed here once the queue is written, or once the reader has
 * gone (the lost bytes are reported as a callback error would be).
 *
 * <p>A channel with an on-writable handler ({@link ChannelEvents}) has its queue written by
 * that watch instead, before the handler runs: one descriptor has one writable watch.
 */
public final class BackgroundWrites implements BackgroundWriter {
    private static final Map<Channel, Reactor.Interest> ACTIVE = new IdentityHashMap<>();
    private static final Map<Channel, EventLoop.Keeper> KEEPERS = new IdentityHashMap<>();
    private static final Set<Channel> HOOKED = Collections.newSetFromMap(new WeakHashMap<>());

    /** For {@link java.util.ServiceLoader} (META-INF/services): channels find the loop this way. */
    public BackgroundWrites() {}

    @Override
    public void start(Channel ch) {
        startWriting(ch);
    }

    @Override
    public void finished(Channel ch) {
        stop(ch);
        try {
            ch.finishClose();
        } catch (RuntimeException e) {
            Reactor.get().loop().report(e);
        }
    }

    /** Starts writing ch's queue in the background, unless that runs already. */
    static synchronized void startWriting(Channel ch) {
        if (ACTIVE.containsKey(ch) || !ch.hasQueuedOutput() || ChannelEvents.has(ch, true)) return;
        int fd = ch.queueFd();
        if (fd < 0) return;
        Reactor reactor = Reactor.get();
        ACTIVE.put(ch, reactor.watch(fd, true, () -> drain(ch), null));
        KEEPERS.put(ch, reactor.loop().hold("output", "queued output of " + ch.describe(), null));
        if (HOOKED.add(ch)) {
            ch.onClose(() -> {
                // closed for good (not a background close): the descriptor is going away
                if (ch.writeFd() < 0 && !ch.closingInBackground()) stop(ch);
            });
        }
    }

    static synchronized void stop(Channel ch) {
        Reactor.Interest i = ACTIVE.remove(ch);
        if (i == null) return;
        i.cancel();
        Reactor.get().loop().release(KEEPERS.remove(ch));
    }

    private static void drain(Channel ch) {
        RuntimeException failure = null;
        boolean done;
        try {
            done = ch.writeQueued();
        } catch (RuntimeException e) {
            failure = e;
            done = true;
        }
        if (!done) return;
        stop(ch);
        try {
            ch.finishClose();
        } catch (RuntimeException e) {
            if (failure == null) failure = e;
        }
        if (failure != null) Reactor.get().loop().report(failure);
    }
}
