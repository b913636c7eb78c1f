package ipcsh.loop;

import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.chan.Channel;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Readable and writable handlers of channels (Tcl's fileevent): at most one per event per
 * channel, run on the interpreter thread. A readable handler is called again at once while
 * the channel still has buffered input, so a handler that reads one line sees every line.
 * A handler that throws is removed and its error reported once as a {@link CallbackError}.
 * Each handler holds the {@link EventLoop} (a script keeps serving it); closing the channel
 * removes its handlers before the descriptors close. Call from the interpreter thread.
 */
public final class ChannelEvents {
    private static final Map<Channel, Reactor.Interest[]> WATCHES = new IdentityHashMap<>();
    private static final Map<Channel, EventLoop.Keeper[]> KEEPERS = new IdentityHashMap<>();
    private static final Set<Channel> HOOKED = Collections.newSetFromMap(new IdentityHashMap<>());

    private ChannelEvents() {}

    /** Sets (or with a null handler removes) ch's readable (write false) or writable handler. */
    public static synchronized void set(Channel ch, boolean write, Runnable handler, Throwable registeredAt) {
        remove(ch, write);
        if (handler == null) return;
        if (ch.isClosed()) throw new IpcException((write ? "on-writable " : "on-readable ") + ch.describe() + ": channel is closed");
        int fd = write ? ch.writeFd() : ch.readFd();
        if (fd < 0) {
            throw new IpcException((write ? "on-writable " : "on-readable ") + ch.describe()
                    + ": channel is not open for " + (write ? "writing" : "reading"));
        }
        String what = (write ? "on-writable" : "on-readable") + " callback of " + ch.describe();
        Reactor reactor = Reactor.get();
        boolean change = ch.driver().signalsChange();
        if (write) BackgroundWrites.stop(ch); // this watch writes the queue from now on
        Runnable guarded = () -> {
            try {
                // queued output goes first; the handler is told "writable" once there is room again
                if (write && ch.hasQueuedOutput() && !ch.writeQueued()) return;
                // a descriptor that only said "something changed" (ZeroMQ's): ask the driver
                if (change && !(write ? ch.driver().writeReady() : ch.hasBufferedInput())) return;
                handler.run();
            } catch (ExitRequest e) {
                throw e;
            } catch (Throwable t) {
                remove(ch, write);
                throw new CallbackError(what, t, registeredAt);
            }
        };
        // such a descriptor is readable when there is news, for either direction
        Reactor.Interest i = reactor.watch(fd, write && !change, guarded, write ? null : ch::hasBufferedInput);
        WATCHES.computeIfAbsent(ch, c -> new Reactor.Interest[2])[write ? 1 : 0] = i;
        KEEPERS.computeIfAbsent(ch, c -> new EventLoop.Keeper[2])[write ? 1 : 0] =
                reactor.loop().hold(write ? "on-writable" : "on-readable", ch.describe(), registeredAt);
        if (HOOKED.add(ch)) {
            ch.onClose(() -> {
                // runs before the driver closes a direction: forget what is closing
                if (ch.readFd() < 0) remove(ch, false); // also when closed with output still queued
                if (ch.writeFd() < 0) remove(ch, true);
                if (ch.isClosed()) HOOKED.remove(ch);
            });
        }
    }

    public static synchronized void remove(Channel ch, boolean write) {
        Reactor.Interest[] w = WATCHES.get(ch);
        if (w == null) return;
        Reactor.Interest i = w[write ? 1 : 0];
        if (i == null) return;
        w[write ? 1 : 0] = null;
        if (w[0] == null && w[1] == null) WATCHES.remove(ch);
        i.cancel();
        EventLoop.Keeper[] k = KEEPERS.get(ch);
        if (k != null) {
            Reactor.get().loop().release(k[write ? 1 : 0]);
            k[write ? 1 : 0] = null;
            if (k[0] == null && k[1] == null) KEEPERS.remove(ch);
        }
        if (write && ch.hasQueuedOutput()) BackgroundWrites.startWriting(ch);
    }

    /** Whether ch has a handler for the event. */
    public static synchronized boolean has(Channel ch, boolean write) {
        Reactor.Interest[] w = WATCHES.get(ch);
        return w != null && w[write ? 1 : 0] != null;
    }
}
