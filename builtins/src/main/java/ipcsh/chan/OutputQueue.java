package ipcsh.chan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bytes a non-blocking channel accepted but could not write yet (Tcl's queued output),
 * oldest first. Written by whoever finds the descriptor writable: the event loop in the
 * background ({@link BackgroundWriter}), a blocking wait on another descriptor
 * ({@link Waiter#await}), or a later write, flush or close; and at exit, which waits for it.
 */
final class OutputQueue {
    /** Channels with output queued (or a background close to finish), for blocking waits to serve. */
    private static final Set<Channel> QUEUED = ConcurrentHashMap.newKeySet();
    private static final Channel[] NONE = new Channel[0];

    private final Channel ch;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int headOff;
    private long size;
    /** Listed in QUEUED, and the shell's exit waits for this queue. */
    private boolean inUse;

    OutputQueue(Channel ch) {
        this.ch = ch;
    }

    long size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Queues b[off, off+len), copied. */
    void add(byte[] b, int off, int len) {
        if (len == 0) return;
        chunks.add(Arrays.copyOfRange(b, off, off + len));
        size += len;
    }

    /** Writes as much as the driver takes without waiting; true when nothing is left. */
    boolean writeOut(String verb) {
        while (!chunks.isEmpty()) {
            byte[] c = chunks.peek();
            int n = ch.driverWrite(c, headOff, c.length - headOff, verb, null);
            if (n < 0) return false;
            headOff += n;
            size -= n;
            if (headOff == c.length) {
                chunks.poll();
                headOff = 0;
            }
        }
        return true;
    }

    /** Forgets everything (the peer is gone); returns how many bytes that was. */
    long clear() {
        long n = size;
        chunks.clear();
        headOff = 0;
        size = 0;
        return n;
    }

    /** Output is queued: the event loop writes it, and the shell's exit waits for it. */
    void inUse() {
        if (!inUse) {
            inUse = true;
            QUEUED.add(ch);
            ipcsh.os.AtExit.register(ch, ch::drainAtExit);
        }
        BackgroundWriter w = writer();
        if (w != null) w.start(ch);
    }

    /** The queue is written (or dropped). */
    void emptied() {
        if (inUse) {
            inUse = false;
            QUEUED.remove(ch);
            ipcsh.os.AtExit.cancel(ch);
        }
    }

    /** The channels whose queued output a blocking wait on fd should write meanwhile (not fd's own, not those in skip). */
    static Channel[] withQueuedOutput(int fd, Set<Channel> skip) {
        if (QUEUED.isEmpty()) return NONE;
        List<Channel> l = new ArrayList<>(QUEUED.size());
        for (Channel c : QUEUED) {
            if (c.queueFd() >= 0 && c.queueFd() != fd && (skip == null || !skip.contains(c))) l.add(c);
        }
        return l.toArray(NONE);
    }

    /** The event loop's writer, null without one (a tool that runs no loop). */
    static BackgroundWriter writer() {
        return Background.WRITER;
    }

    /** Looked up when output is first queued, not at start-up. */
    private static final class Background {
        static final BackgroundWriter WRITER = ServiceLoader.load(BackgroundWriter.class,
                Channel.class.getClassLoader()).findFirst().orElse(null);
    }
}
