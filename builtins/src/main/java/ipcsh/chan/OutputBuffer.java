package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.os.OsException;

import java.util.Map;

/**
 * A stream channel's write side (Tcl's output buffer and FlushChannel): written bytes wait in
 * the buffer as :buffering says, then leave through {@link Channel#driverWrite}. A blocking
 * channel waits until the OS took all of them (at most :timeout); a non-blocking one never
 * waits: what the OS does not take now goes to the {@link OutputQueue}, bounded by :max-queue.
 */
final class OutputBuffer {
    private final Channel ch;
    private final ChannelOptions opt;
    private final OutputQueue queue;
    private byte[] out;
    private int outLen;

    OutputBuffer(Channel ch, ChannelOptions opt, OutputQueue queue) {
        this.ch = ch;
        this.opt = opt;
        this.queue = queue;
    }

    /** Takes b[off, off+len) for writing, whole, or refuses all of it when the queue is full. */
    void write(byte[] b, int off, int len, String verb) {
        write(b, off, len, null, verb);
    }

    /** The same followed by tail (a line's end; null: none): both are taken as one, or neither. */
    void write(byte[] b, int off, int len, byte[] tail, String verb) {
        int all = tail == null ? len : len + tail.length;
        roomFor(all, verb);
        if (opt.buffering == Buffering.NONE || all >= opt.bufferSize) {
            if (outLen > 0) flushBuffer(verb);
            if (tail != null) {
                b = joined(b, off, len, tail);
                off = 0;
                len = all;
            }
            writeFully(b, off, len, verb);
            return;
        }
        if (out == null) out = new byte[opt.bufferSize];
        if (outLen + all > out.length) flushBuffer(verb);
        System.arraycopy(b, off, out, outLen, len);
        outLen += len;
        if (tail != null) {
            System.arraycopy(tail, 0, out, outLen, tail.length);
            outLen += tail.length;
        }
        // a tail is a line's end
        if (outLen >= opt.bufferSize || (opt.buffering == Buffering.LINE && (tail != null || contains(b, off, len, (byte) '\n')))) {
            flushBuffer(verb);
        }
    }

    private static byte[] joined(byte[] b, int off, int len, byte[] tail) {
        byte[] f = new byte[len + tail.length];
        System.arraycopy(b, off, f, 0, len);
        System.arraycopy(tail, 0, f, len, tail.length);
        return f;
    }

    private static boolean contains(byte[] b, int off, int len, byte x) {
        for (int i = off + len - 1; i >= off; i--) if (b[i] == x) return true;
        return false;
    }

    boolean isEmpty() {
        return outLen == 0;
    }

    /** Sends what the buffer holds, if anything. */
    void flushBuffered(String verb) {
        if (outLen > 0) flushBuffer(verb);
    }

    /** flush: the buffer, or what is queued when the buffer is empty. */
    void flush(String verb) {
        if (outLen > 0) flushBuffer(verb);
        else if (!queue.isEmpty()) writeFully(new byte[0], 0, 0, verb);
    }

    /** :buffer-size changed (the buffer was flushed): the next write makes a buffer of the new size. */
    void resized() {
        out = null;
    }

    /** Forgets what the buffer holds (the channel is closed). */
    void clear() {
        outLen = 0;
    }

    private void flushBuffer(String verb) {
        int n = outLen;
        outLen = 0;
        writeFully(out, 0, n, verb);
    }

    /**
     * Writes all of it. A blocking channel waits for room (bounded by :timeout), after what
     * is queued from non-blocking days; a non-blocking one never waits: what the OS does not
     * take now is queued, behind what is queued already, for the event loop to write.
     */
    private void writeFully(byte[] b, int off, int len, String verb) {
        if (!opt.blocking) {
            writeOrQueue(b, off, len, verb);
            return;
        }
        long dl = Waiter.deadline(opt.timeoutMs);
        if (!queue.isEmpty()) drainQueue(dl, verb);
        while (len > 0) {
            int n = ch.driverWrite(b, off, len, verb, null);
            if (n > 0) {
                off += n;
                len -= n;
            } else if (!ch.awaitOutput(dl, verb)) {
                throw new TimeoutError(verb + " " + ch.describe() + " (" + len + " bytes unwritten)", opt.timeoutMs);
            }
        }
    }

    private void writeOrQueue(byte[] b, int off, int len, String verb) {
        if (queue.isEmpty() || queue.writeOut(verb)) {
            while (len > 0) {
                int n = ch.driverWrite(b, off, len, verb, null);
                if (n < 0) break;
                off += n;
                len -= n;
            }
        }
        queue.add(b, off, len);
        if (queue.isEmpty()) {
            queue.emptied();
        } else {
            queue.inUse();
        }
    }

    /**
     * A non-blocking write is refused whole, before any of it is buffered or written, when
     * output is queued already and this data would take the queue past :max-queue. (A write
     * to an empty queue is always taken: the bound is on a reader falling further behind.)
     */
    private void roomFor(long len, String verb) {
        if (opt.blocking || queue.isEmpty()) return;
        if (queue.size() + outLen + len <= opt.maxQueue) return;
        if (queue.writeOut(verb)) queue.emptied();
        if (queue.isEmpty() || queue.size() + outLen + len <= opt.maxQueue) return;
        throw new IpcException(verb + " " + ch.describe() + ": output queue full: " + queue.size()
                + " bytes wait for the reader, and these " + (outLen + len) + " would pass :max-queue ("
                + opt.maxQueue + " bytes); nothing of them was written", Map.of("channel", ch.id(), "errno", "EAGAIN",
                "queued", queue.size()));
    }

    /** Waits until the queue is written (a blocking write, flush or close after non-blocking ones). */
    void drainQueue(long dl, String verb) {
        while (!queue.writeOut(verb)) {
            if (!ch.awaitOutput(dl, verb)) {
                throw new TimeoutError(verb + " " + ch.describe() + " (" + queue.size() + " queued bytes unwritten)", opt.timeoutMs);
            }
        }
        queue.emptied();
    }

    /**
     * For the event loop: writes what the queue holds without waiting; true when it is empty.
     * A write error (the reader went) drops the queue and is raised, naming how much was lost.
     */
    boolean writeQueued() {
        try {
            if (!queue.writeOut("write")) return false;
        } catch (OsException e) {
            long lost = queue.clear();
            queue.emptied();
            throw new OsException("write " + ch.id(), ch.subject(null), e.errno(),
                    "the reader is gone; " + lost + " queued bytes were not written");
        }
        queue.emptied();
        return true;
    }

    /**
     * From a blocking wait on another descriptor: writes what fits now; true unless a write
     * failed, which is left for the event loop to report (the queue stays as it is). Once all
     * is written, a background close is finished through the event loop.
     */
    boolean writeQueuedWhileWaiting() {
        try {
            if (!queue.writeOut("write")) return true;
        } catch (OsException e) {
            return false;
        }
        queue.emptied();
        BackgroundWriter w = OutputQueue.writer();
        if (ch.closingInBackground() && w != null) w.finished(ch);
        return true;
    }
}
