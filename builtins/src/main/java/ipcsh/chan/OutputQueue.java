package ipcsh.chan;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The bytes a non-blocking channel accepted but could not write yet (Tcl's queued output),
 * oldest first. Written by whoever finds the descriptor writable: the event loop in the
 * background, or a later write, flush or close.
 */
final class OutputQueue {
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int headOff;
    private long size;

    long size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(byte[] b, int off, int len) {
        if (len == 0) return;
        chunks.add(Arrays.copyOfRange(b, off, off + len));
        size += len;
    }

    /** Writes as much as the driver takes without waiting; true when nothing is left. */
    boolean writeTo(Driver d) {
        while (!chunks.isEmpty()) {
            byte[] c = chunks.peek();
            int n = d.write(c, headOff, c.length - headOff);
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
}
