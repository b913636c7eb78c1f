package ipcsh.lang;

import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One connection of a repl-server: a non-blocking socket descriptor (LibC's read and write are
 * "critical" calls that must never block) waited on with poll. One thread reads it (the
 * session's); any thread may write (forms, and what they print, also from futures) and end it.
 * Ending shuts the socket down, which wakes a waiting read or write; only the reading thread
 * closes the descriptor, under the write lock, once it has left its read: so a descriptor
 * number is never read or written after the kernel may have given it to another file.
 */
final class ReplConn {
    private final int fd;
    /** Guards closed against shutdown; the write lock is this object itself. */
    private final Object life = new Object();
    private volatile boolean closed;

    ReplConn(int fd) {
        this.fd = fd;
    }

    /** How a refusal's one line starts (then the reason); the connection closes after it. */
    static final String REFUSED = "refused: ";

    /** What {@link #read(ByteBuffer, long)} returns when the deadline passed first. */
    static final int TIMED_OUT = -2;

    /** Reading thread only: bytes read into buf, or -1 at end of stream, after an error or once shut down. */
    int read(ByteBuffer buf) {
        return read(buf, Long.MAX_VALUE);
    }

    /** As {@link #read(ByteBuffer)}, or {@link #TIMED_OUT} when nothing came before deadline (System.nanoTime). */
    int read(ByteBuffer buf, long deadline) {
        try {
            while (true) {
                int n = LibC.get().read(fd, buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
                if (n == LibC.WOULD_BLOCK) {
                    if (!await(LibC.POLLIN, deadline)) return TIMED_OUT;
                    continue;
                }
                if (n == 0) return -1;
                buf.position(buf.position() + n);
                return n;
            }
        } catch (OsException e) {
            return -1; // ECONNRESET and the like: the client is gone
        }
    }

    /** All of s, or an IOException when the connection is over. */
    void write(String s) throws IOException {
        write(s.getBytes(StandardCharsets.UTF_8));
    }

    synchronized void write(byte[] b) throws IOException {
        if (closed) throw new IOException("the session is closed");
        for (int off = 0; off < b.length; ) {
            try {
                // MSG_NOSIGNAL: a client gone is EPIPE here, not SIGPIPE
                int n = LibC.get().sendto(fd, b, off, b.length - off, 0, null);
                if (n == LibC.WOULD_BLOCK) {
                    await(LibC.POLLOUT, Long.MAX_VALUE);
                    continue;
                }
                off += n;
            } catch (OsException e) {
                throw new IOException(e.getMessage());
            }
        }
    }

    /** Waits until fd is ready for events (or shut down, or in error); false once deadline passed. */
    private boolean await(short events, long deadline) {
        short[] revents = new short[1];
        while (true) {
            long left = deadline == Long.MAX_VALUE ? 1000 : (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 && deadline != Long.MAX_VALUE) return false;
            // bounded waits: a shutdown wakes poll, and a lost wake-up would only cost a second
            if (LibC.get().poll(new int[] {fd}, new short[] {events}, revents, (int) Math.min(left, 1000)) > 0) return true;
        }
    }

    /** No more output from here (a FIN); reading goes on. */
    void shutdownOutput() {
        shutdown(LibC.SHUT_WR);
    }

    /** Ends the connection both ways from any thread; the reading thread then closes it. */
    void shutdown() {
        shutdown(LibC.SHUT_RDWR);
    }

    private void shutdown(int how) {
        synchronized (life) {
            if (closed) return; // the number may be another file's by now
            try {
                LibC.get().shutdown(fd, how);
            } catch (OsException ignored) {
                // never connected: nothing to end
            }
        }
    }

    /** Reading thread only, when it will read no more: ends the connection and frees the descriptor. */
    void close() {
        synchronized (life) {
            if (closed) return;
            shutdown(LibC.SHUT_RDWR); // a writer waiting on a slow client fails now
            closed = true;
        }
        synchronized (this) { // after any write in progress; later ones see closed
            LibC.get().close(fd);
        }
    }

    /**
     * The refusal a client reads before the connection closes: one line "refused: why". The
     * attach client shows why and exits non-zero. The reading thread's, or before it starts.
     */
    void refuse(String why) {
        try {
            write(REFUSED + why + "\n");
        } catch (IOException ignored) {
            // it is being refused anyway
        }
        close();
    }

    /** The peer's user (SO_PEERCRED): its uid and, when its process can still be looked at, its name. */
    record Peer(int uid, String name) {
        String describe() {
            return uid < 0 ? name : name != null ? "user " + name : "uid " + uid;
        }
    }

    Peer peer() {
        ByteBuffer cred;
        try {
            cred = ByteBuffer.wrap(LibC.get().getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_PEERCRED, 12)).order(ByteOrder.nativeOrder());
        } catch (OsException e) {
            return new Peer(-1, "an unknown user");
        }
        int pid = cred.getInt(0), uid = cred.getInt(4);
        String name = null;
        try {
            if ((Integer) Files.getAttribute(Path.of("/proc/" + pid), "unix:uid") == uid) {
                name = Files.getOwner(Path.of("/proc/" + pid)).getName();
            }
        } catch (IOException | RuntimeException gone) {
            // the process has gone: the uid says enough
        }
        return new Peer(uid, name);
    }
}
