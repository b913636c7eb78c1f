package ipcsh.loop;

import ipcsh.RegisteredAt;
import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.MemoryDriver;
import ipcsh.chan.Waiter;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.util.Set;
import java.util.function.Consumer;

/**
 * Moves bytes from one channel to another (Tcl's fcopy): what the source has buffered first,
 * then below the channel buffers: splice(2) when one side is a pipe or FIFO (zero-copy),
 * read(2)/write(2) straight into or out of a {@link MemoryDriver}'s memory (a shm-ring and a
 * plain descriptor), otherwise a read/write loop on the descriptors. Synchronous ({@link #run}) or in the
 * background ({@link #start}), driven by the {@link Reactor} on the interpreter thread.
 */
public final class Copy {
    // 256 KiB: a socket often holds more than 64 KiB queued, and one read instead of four halves
    // the syscalls per byte of the non-splice loop (unix socket → /dev/null: 0.65× → 0.95× of a
    // C reader in bench/run unix-tput); splice from a pipe still moves at most the pipe's size.
    private static final int CHUNK = 256 * 1024;
    // A memory driver's reads and writes need no buffer of ours: as much as it can take in one
    // call (a shm-ring's fill is half the ring; 256 KiB reads of /dev/zero cost 36 ms of CPU a
    // GiB against 25 for 512 KiB).
    private static final long MEMORY_CHUNK = 1024 * 1024;
    private static final int DONE = 0, WAIT_READ = 1, WAIT_WRITE = 2, MORE = 3;
    private static final Set<String> PIPE_KINDS = Set.of("pipe", "fifo", "process");
    /** Kinds whose driver is plain read(2)/write(2) on its descriptor: a MemoryDriver may use it directly. */
    private static final Set<String> PLAIN_FD_KINDS = Set.of("pipe", "fifo", "process", "file");

    private final Channel from, to;
    private final long limit;
    private final boolean progress;
    private final Observer observer;
    private boolean splice;
    /** Set when one side keeps its bytes in memory and the other is a plain descriptor (a ring and a file). */
    private final MemoryDriver memoryTo, memoryFrom;
    private boolean spliced;
    private byte[] buf;
    private int pendingOff, pendingLen;
    private long copied;
    private final long started = System.nanoTime();
    private long lastReport;

    // background state, interpreter thread only
    private Consumer<Object> onDone;
    private EventLoop.Keeper keeper;
    private Reactor.Interest waiting;
    private boolean finished;

    /** Sees every chunk on its way through (a tap's log); the bytes are only valid during the call. */
    @FunctionalInterface
    public interface Observer {
        void chunk(byte[] buf, int off, int len);
    }

    private Copy(Channel from, Channel to, long limit, boolean progress, Observer observer) {
        this.from = from;
        this.to = to;
        this.limit = limit;
        this.progress = progress;
        this.observer = observer;
        if (from.readFd() < 0) throw new IpcException("copy: " + from.describe() + " is not open for reading");
        if (to.writeFd() < 0) throw new IpcException("copy: " + to.describe() + " is not open for writing");
        this.splice = !from.driver().messages() && !to.driver().messages()
                && (PIPE_KINDS.contains(from.kind()) || PIPE_KINDS.contains(to.kind()))
                && observer == null; // spliced bytes never pass through user space, where the observer is
        this.memoryTo = to.driver() instanceof MemoryDriver m && PLAIN_FD_KINDS.contains(from.kind()) ? m : null;
        this.memoryFrom = from.driver() instanceof MemoryDriver m && PLAIN_FD_KINDS.contains(to.kind()) ? m : null;
        if (memoryTo != null || memoryFrom != null) splice = false;
    }

    /** Copies until the source's end of stream, or limit bytes (negative: no limit); returns the count. */
    public static long run(Channel from, Channel to, long limit, boolean progress) {
        Copy c = new Copy(from, to, limit, progress, null);
        c.prelude();
        try {
            while (true) {
                int s = c.step(64);
                if (s == DONE) break;
                if (s == WAIT_READ) Waiter.await(from.readFd(), LibC.POLLIN, Long.MAX_VALUE, "copy from " + from.id());
                else if (s == WAIT_WRITE) Waiter.await(to.writeFd(), LibC.POLLOUT, Long.MAX_VALUE, "copy to " + to.id());
                c.report(false);
            }
        } finally {
            c.report(true);
        }
        return c.copied;
    }

    /**
     * Starts a background copy; onDone runs on the interpreter thread with the byte count
     * (a Long) or the error. Holds the loop while it runs. Call from the interpreter thread.
     */
    public static Copy start(Channel from, Channel to, long limit, boolean progress, Consumer<Object> onDone) {
        return start(from, to, limit, progress, onDone, null);
    }

    /** {@link #start}, showing every chunk to observer (on the interpreter thread) right after it is read. */
    public static Copy start(Channel from, Channel to, long limit, boolean progress, Consumer<Object> onDone, Observer observer) {
        Copy c = new Copy(from, to, limit, progress, observer);
        c.prelude();
        c.onDone = onDone;
        c.keeper = Reactor.get().loop().hold("copy", c, RegisteredAt.here("copy"));
        Runnable closed = () -> {
            // a half-close of the direction the copy does not use (a tap passing on end of stream) is no reason to stop
            if (!c.finished && (from.readFd() < 0 || to.writeFd() < 0)) c.finish(new IpcException("copy: " + (from.isClosed() ? from : to).describe()
                    + " was closed during the copy (" + c.copied + " bytes copied)"));
        };
        from.onClose(closed);
        to.onClose(closed);
        Reactor.get().loop().post(c::pump);
        return c;
    }

    /** Stops a background copy; its on-done is not called. */
    public void cancel() {
        if (finished) return;
        finished = true;
        if (waiting != null) waiting.cancel();
        waiting = null;
        report(true);
        Reactor.get().loop().release(keeper);
    }

    public long copied() {
        return copied;
    }

    /** What the source had already buffered goes first, through the destination's buffer. */
    private void prelude() {
        byte[] b = from.takeBuffered(limit < 0 ? Long.MAX_VALUE : limit);
        if (b.length > 0 && observer != null) observer.chunk(b, 0, b.length);
        if (b.length > 0) to.write(b);
        to.flush();
        copied += b.length;
    }

    /** Moves data without waiting, at most chunks times: DONE, WAIT_READ, WAIT_WRITE or MORE. */
    private int step(int chunks) {
        int rfd = from.readFd(), wfd = to.writeFd();
        if (to.hasQueuedOutput()) {
            // output a non-blocking destination queued goes before the copied bytes; the copy writes it itself
            BackgroundWrites.stop(to);
            if (!to.writeQueued()) return WAIT_WRITE;
        }
        for (int k = 0; k < chunks; k++) {
            long room = limit < 0 ? CHUNK : Math.min(CHUNK, limit - copied);
            if (splice) {
                if (room <= 0) return DONE;
                long n;
                try {
                    n = LibC.get().splice(rfd, wfd, room, LibC.SPLICE_F_MOVE | LibC.SPLICE_F_NONBLOCK);
                } catch (OsException e) {
                    if (e.errno() == Errno.EINVAL && !spliced) {
                        splice = false; // neither side takes splice after all (O_APPEND, a tty...)
                        continue;
                    }
                    throw new OsException("copy " + from.id() + " → " + to.id(), null, e.errno());
                }
                if (n == 0) return DONE;
                if (n > 0) {
                    spliced = true;
                    copied += n;
                    continue;
                }
                // EAGAIN from either side: wait for the one that is not ready
                return readable(rfd) ? WAIT_WRITE : WAIT_READ;
            }
            if (memoryTo != null || memoryFrom != null) {
                room = limit < 0 ? MEMORY_CHUNK : Math.min(MEMORY_CHUNK, limit - copied);
                if (room <= 0) return DONE;
                long n;
                try {
                    n = memoryTo != null ? memoryTo.fillFrom(rfd, room) : memoryFrom.drainTo(wfd, room);
                } catch (OsException e) {
                    throw new OsException("copy " + from.id() + " → " + to.id(), null, e.errno());
                }
                if (n == 0) return DONE;
                if (n == MemoryDriver.NOT_READY) return memoryTo != null ? WAIT_WRITE : WAIT_READ;
                if (n == LibC.WOULD_BLOCK) return memoryTo != null ? WAIT_READ : WAIT_WRITE;
                copied += n;
                continue;
            }
            if (pendingLen > 0) {
                int w = writeSome(wfd);
                if (w == LibC.WOULD_BLOCK) return WAIT_WRITE;
                continue;
            }
            if (room <= 0) return DONE;
            if (buf == null) buf = new byte[CHUNK];
            int r;
            try {
                r = from.driver().read(buf, 0, (int) room);
            } catch (OsException e) {
                throw new OsException("copy: read " + from.id(), from.name(), e.errno());
            }
            if (r == 0) return DONE;
            if (r == LibC.WOULD_BLOCK) return WAIT_READ;
            if (observer != null) observer.chunk(buf, 0, r);
            pendingOff = 0;
            pendingLen = r;
        }
        return MORE;
    }

    private int writeSome(int wfd) {
        int w;
        try {
            w = to.driver().write(buf, pendingOff, pendingLen);
        } catch (OsException e) {
            throw new OsException("copy: write " + to.id(), to.name(), e.errno());
        }
        if (w > 0) {
            pendingOff += w;
            pendingLen -= w;
            copied += w;
        }
        return w;
    }

    private static boolean readable(int fd) {
        short[] rev = new short[1];
        return LibC.get().poll(new int[] {fd}, new short[] {LibC.POLLIN}, rev, 0) > 0;
    }

    private void pump() {
        if (finished) return;
        int s;
        try {
            s = step(16);
            report(false);
        } catch (RuntimeException e) {
            finish(e);
            return;
        }
        switch (s) {
            case DONE -> finish(null);
            case MORE -> Reactor.get().loop().post(this::pump);
            default -> {
                boolean write = s == WAIT_WRITE;
                int fd = write ? to.writeFd() : from.readFd();
                try {
                    waiting = Reactor.get().watch(fd, write, this::resume, null);
                } catch (RuntimeException e) {
                    finish(e);
                }
            }
        }
    }

    private void resume() {
        if (waiting != null) waiting.cancel();
        waiting = null;
        pump();
    }

    private void finish(Throwable error) {
        if (finished) return;
        finished = true;
        if (waiting != null) waiting.cancel();
        waiting = null;
        report(true);
        EventLoop loop = Reactor.get().loop();
        loop.release(keeper);
        try {
            onDone.accept(error == null ? (Object) copied : error);
        } catch (ipcsh.ExitRequest e) {
            throw e;
        } catch (Throwable t) {
            loop.report(t);
        }
    }

    /** The :progress line on stderr: only on a terminal, only for copies longer than a second. */
    private void report(boolean last) {
        if (!progress || System.console() == null || !System.console().isTerminal()) return;
        long now = System.nanoTime();
        double secs = (now - started) / 1e9;
        if (secs < 1 || (!last && now - lastReport < 250_000_000L)) {
            return;
        }
        lastReport = now;
        System.err.printf("\rcopy %s → %s: %s, %s/s%s", from.id(), to.id(), size(copied), size((long) (copied / secs)),
                last ? "\n" : "   ");
        System.err.flush();
    }

    private static String size(long n) {
        if (n < 1024) return n + " B";
        if (n < 1024 * 1024) return String.format("%.1f KiB", n / 1024.0);
        if (n < 1024L * 1024 * 1024) return String.format("%.1f MiB", n / 1048576.0);
        return String.format("%.2f GiB", n / 1073741824.0);
    }

    @Override
    public String toString() {
        return "#<copy " + from.id() + " → " + to.id() + " " + copied + " bytes" + (finished ? " done" : "") + ">";
    }
}
