package ipcsh.lock;

import ipcsh.IpcException;
import ipcsh.chan.Interrupts;
import ipcsh.chan.TimeoutError;
import ipcsh.os.Errno;
import ipcsh.os.FileStat;
import ipcsh.os.FileType;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.Closeable;
import java.util.concurrent.locks.LockSupport;

/**
 * An advisory lock on a whole file, held through a descriptor of its own: an open file description
 * lock (fcntl F_OFD_SETLK) by default, or a BSD lock (flock(2)) with {@code flock}. Either belongs
 * to the open file description, not to a thread or the process, so every {@link #take} is a lock
 * of its own (two in one shell exclude each other) and a child that inherits nothing (the
 * descriptor is close-on-exec) holds nothing. Closing the descriptor releases it, and so does the
 * process's death.
 *
 * <p>A wait cannot be F_OFD_SETLKW: it cannot time out, and only a signal breaks it, which a JVM
 * thread cannot safely be sent. It retries the non-blocking call after {@value #FIRST_PAUSE_US} µs,
 * the pause doubling to {@value #LAST_PAUSE_MS} ms, with Ctrl-C and the deadline checked between
 * tries (as a System V queue's wait does): a release is seen within that last pause, and a waiter
 * gets no place in a queue, so a process that locks again at once can keep it from a waiter.
 */
public final class FileLock implements Closeable {
    static final int FIRST_PAUSE_US = 200, LAST_PAUSE_MS = 8;
    private final String path;
    private final boolean shared;
    private final boolean bsd;
    private final IdleFds.Idle file;
    private int fd;
    private boolean held;

    private FileLock(String path, boolean shared, boolean bsd, IdleFds.Idle file) {
        this.path = path;
        this.shared = shared;
        this.bsd = bsd;
        this.file = file;
        this.fd = file.fd();
    }

    /**
     * Opens path (made with perms when missing) and locks it: waiting up to timeoutMs (negative:
     * as long as it takes) when wait is set, else null at once when another holds it.
     */
    public static FileLock take(String verb, String path, boolean shared, boolean bsd, boolean wait, long timeoutMs, int perms) {
        IdleFds.Idle file = IdleFds.take(path, shared);
        if (file == null) file = open(verb, path, shared, perms);
        int fd = file.fd();
        try {
            FileLock l = new FileLock(path, shared, bsd, file);
            if (!l.tryOnce()) {
                if (!wait) {
                    if (!IdleFds.keep(path, file)) LibC.get().close(fd);
                    return null;
                }
                l.await(verb, timeoutMs);
            }
            l.held = true;
            return l;
        } catch (RuntimeException e) {
            LibC.get().close(fd);
            throw e;
        }
    }

    /**
     * open(2) with O_NOFOLLOW (a symbolic link planted at the path is refused, ELOOP), O_NONBLOCK
     * (a FIFO planted there does not hang the open) and O_CLOEXEC, then fstat: only a regular
     * file is locked. A shared lock falls back to a read-only descriptor when the file is not ours
     * to write (F_RDLCK and flock need no more).
     */
    private static IdleFds.Idle open(String verb, String path, boolean shared, int perms) {
        int flags = LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.O_NONBLOCK;
        int fd;
        boolean readOnly = false;
        try {
            try {
                fd = LibC.get().open(path, flags | LibC.O_RDWR, perms);
            } catch (OsException e) {
                if (!shared || e.errno() != Errno.EACCES) throw e;
                fd = LibC.get().open(path, flags | LibC.O_RDONLY, perms);
                readOnly = true;
            }
        } catch (OsException e) {
            // in a sticky directory the kernel may refuse another user's link with EACCES (protected_symlinks) before ELOOP
            boolean link = java.nio.file.Files.isSymbolicLink(java.nio.file.Path.of(path));
            String hint = link ? "a symbolic link is there; a lock file is never reached through one" : switch (e.errno()) {
                case Errno.EACCES -> "no permission to open it for writing" + (shared ? " or reading" : "; a :shared lock needs only reading");
                case Errno.ENXIO, Errno.EISDIR -> "not a regular file";
                default -> null;
            };
            throw new OsException(verb, path, e.errno(), hint);
        }
        FileStat st = LibC.get().fstat(fd);
        if (st.type() != LibC.S_IFREG) {
            LibC.get().close(fd);
            throw new IpcException(verb + " \"" + path + "\": is a " + FileType.name(st.mode()) + ", not a regular file",
                    java.util.Map.of("path", path));
        }
        return new IdleFds.Idle(fd, new ipcsh.os.FileId(st.dev(), st.ino()), readOnly);
    }

    private boolean tryOnce() {
        if (bsd) return LibC.get().flock(fd, (shared ? LibC.LOCK_SH : LibC.LOCK_EX) | LibC.LOCK_NB);
        return LibC.get().ofdSetlk(fd, shared ? LibC.F_RDLCK : LibC.F_WRLCK, 0, 0);
    }

    private void await(String verb, long timeoutMs) {
        long start = System.nanoTime();
        long pause = FIRST_PAUSE_US * 1_000L;
        while (true) {
            if (Interrupts.pending() || Thread.currentThread().isInterrupted()) {
                throw new Interrupts.InterruptedError(verb + " \"" + path + "\" (held by " + LockTable.holdersText(fd) + ")");
            }
            long left = timeoutMs < 0 ? Long.MAX_VALUE : timeoutMs * 1_000_000L - (System.nanoTime() - start);
            if (left <= 0) {
                throw new TimeoutError(verb + " \"" + path + "\" (held by " + LockTable.holdersText(fd) + ")", timeoutMs);
            }
            LockSupport.parkNanos(Math.min(pause, left));
            if (tryOnce()) return;
            pause = Math.min(pause * 2, LAST_PAUSE_MS * 1_000_000L);
        }
    }

    /**
     * Takes this handle's lock again, on the descriptor it keeps: no open and no look at the path
     * (the file is the one first locked, as a descriptor a C or Python program keeps open is).
     * Null when wait is false and another holds it.
     */
    public FileLock relock(String verb, boolean wait, long timeoutMs) {
        if (fd < 0) throw new IpcException(verb + " " + this + ": the lock is closed; (lock path) opens the file again");
        if (held) throw new IpcException(verb + " " + this + ": this handle holds it already", java.util.Map.of("errno", "EDEADLK"));
        if (!tryOnce()) {
            if (!wait) return null;
            await(verb, timeoutMs);
        }
        held = true;
        return this;
    }

    public String path() {
        return path;
    }

    public boolean shared() {
        return shared;
    }

    public boolean isHeld() {
        return held;
    }

    /** Releases the lock, keeping the descriptor for {@link #relock}; false when it was not held. */
    public boolean unlock() {
        if (!held) return false;
        held = false;
        boolean released = bsd ? LibC.get().flock(fd, LibC.LOCK_UN) : LibC.get().ofdSetlk(fd, LibC.F_UNLCK, 0, 0);
        if (!released) throw new IpcException("unlock " + this + ": the kernel did not release it");
        return true;
    }

    /**
     * Releases the lock and gives up the descriptor: kept for the next lock of the same path
     * ({@link IdleFds}), or closed, which releases too. Closing twice does nothing.
     */
    @Override
    public void close() {
        int f = fd;
        if (f < 0) return;
        boolean wasHeld = held;
        held = false;
        fd = -1;
        boolean released = true;
        if (wasHeld) {
            try {
                released = bsd ? LibC.get().flock(f, LibC.LOCK_UN) : LibC.get().ofdSetlk(f, LibC.F_UNLCK, 0, 0);
            } catch (RuntimeException e) {
                released = false;
            }
        }
        if (!released || !IdleFds.keep(path, file)) LibC.get().close(f);
    }

    @Override
    public String toString() {
        return "#<lock " + path + (shared ? " shared" : " exclusive") + (bsd ? " flock" : "")
                + (fd < 0 ? " closed" : held ? "" : " released") + ">";
    }
}
