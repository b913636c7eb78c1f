package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.os.LibC;

/** Blocking waits for readiness, bounded by a deadline and broken by Ctrl-C ({@link Interrupts}). */
public final class Waiter {
    private Waiter() {}

    /** Deadline in System.nanoTime terms for a timeout in ms; Long.MAX_VALUE for none (negative). */
    public static long deadline(long timeoutMs) {
        return timeoutMs < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMs * 1_000_000L;
    }

    /**
     * Waits until {@code fd} is ready for {@code events} (POLLIN/POLLOUT); hang-up and errors
     * count as ready. Returns false when the deadline passed first. Meanwhile the queued output
     * of non-blocking channels goes on being written (the event loop is not running while a
     * verb blocks, and the peer being waited for may be waiting for that output).
     */
    public static boolean await(int fd, short events, long deadline, String what) {
        int ifd = Interrupts.fd();
        int[] fds = {fd, ifd};
        short[] ev = {events, LibC.POLLIN};
        short[] rev = new short[2];
        java.util.Set<Channel> failed = null;
        while (true) {
            int ms = pollMs(deadline, what);
            if (ms == PASSED) return false;
            // a read waits on its own channel's queue too (its request may be what the peer waits for)
            Channel[] queued = OutputQueue.withQueuedOutput(events == LibC.POLLOUT ? fd : -1, failed);
            if (queued.length > 0) {
                fds = java.util.Arrays.copyOf(fds, 2 + queued.length);
                ev = java.util.Arrays.copyOf(ev, 2 + queued.length);
                rev = new short[2 + queued.length];
                for (int i = 0; i < queued.length; i++) {
                    fds[2 + i] = queued[i].queueFd();
                    ev[2 + i] = LibC.POLLOUT;
                }
            } else if (fds.length > 2) {
                fds = new int[] {fd, ifd};
                ev = new short[] {events, LibC.POLLIN};
                rev = new short[2];
            }
            int n = LibC.get().poll(fds, ev, rev, ms);
            for (int i = 0; i < queued.length && n > 0; i++) {
                if (rev[2 + i] != 0 && !queued[i].output.writeQueuedWhileWaiting()) {
                    if (failed == null) failed = new java.util.HashSet<>();
                    failed.add(queued[i]); // its error is the event loop's to report
                }
            }
            if (n > 0 && rev[0] != 0) {
                if ((rev[0] & LibC.POLLNVAL) != 0) throw new IpcException(what + ": channel is closed");
                return true;
            }
        }
    }

    /**
     * Waits until one of fds is ready for its events (hang-up and errors count as ready) and
     * fills revents; returns false when the deadline passed first. For a loop that serves
     * several descriptors at once (exec's stdin, stdout and stderr).
     */
    public static boolean awaitAny(int[] fds, short[] events, short[] revents, long deadline, String what) {
        int n = fds.length;
        int[] all = java.util.Arrays.copyOf(fds, n + 1);
        short[] ev = java.util.Arrays.copyOf(events, n + 1);
        short[] rev = new short[n + 1];
        all[n] = Interrupts.fd();
        ev[n] = LibC.POLLIN;
        while (true) {
            int ms = pollMs(deadline, what);
            if (ms == PASSED) return false;
            if (LibC.get().poll(all, ev, rev, ms) > 0) {
                boolean any = false;
                for (int i = 0; i < n; i++) {
                    revents[i] = rev[i];
                    any |= rev[i] != 0;
                }
                if (any) return true;
            }
        }
    }

    public static void sleep(long ms, String what) {
        long deadline = deadline(ms);
        int ifd = Interrupts.fd();
        int[] fds = {ifd};
        short[] ev = {LibC.POLLIN};
        short[] rev = new short[1];
        while (true) {
            if (Interrupts.pending()) throw new Interrupts.InterruptedError(what);
            long left = deadline - System.nanoTime();
            if (left <= 0) return;
            LibC.get().poll(fds, ev, rev, (int) Math.max(1, left / 1_000_000));
        }
    }

    /**
     * Makes now what every wait polls beside its descriptor (Ctrl-C's eventfd, whose first use
     * links a native call: ~10 ms), for a channel whose first wait comes in the middle of a
     * stream (a shm-ring's reader, which waits for each chunk of a fast writer).
     */
    public static void prepare() {
        Interrupts.fd();
    }

    private static final int PASSED = -2;

    /** poll(2)'s timeout for a deadline (-1: none), or PASSED; Ctrl-C or a Java interrupt ends the wait first. */
    private static int pollMs(long deadline, String what) {
        if (Interrupts.pending() || Thread.currentThread().isInterrupted()) throw new Interrupts.InterruptedError(what);
        if (deadline == Long.MAX_VALUE) return -1;
        long left = deadline - System.nanoTime();
        if (left <= 0) return PASSED;
        return (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
    }
}
