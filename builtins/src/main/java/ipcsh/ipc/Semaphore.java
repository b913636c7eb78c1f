package ipcsh.ipc;

import ipcsh.IpcException;
import ipcsh.chan.Interrupts;
import ipcsh.chan.TimeoutError;
import ipcsh.os.AtExit;
import ipcsh.os.Errno;
import ipcsh.os.FileId;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A POSIX named semaphore (sem_open). A semaphore is not a descriptor, so a wait cannot join
 * the reactor's poll: {@link #await} calls sem_timedwait in slices of {@value #SLICE_MS} ms
 * and checks for Ctrl-C ({@link Interrupts}) and the deadline between them. A post wakes the
 * waiter at once (the kernel's futex), so the slices cost nothing but the Ctrl-C delay.
 * The event loop's reactor thread runs on meanwhile, as during any blocking verb.
 */
public final class Semaphore implements Closeable {
    private static final int SLICE_MS = 50;
    private final String name;
    private long sem;

    private Semaphore(String name, long sem) {
        this.name = name;
        this.sem = sem;
    }

    /** sem_open; with create makes it (value: its initial value) unless it exists (exclusive: fail then). */
    public static Semaphore open(String name, boolean create, boolean exclusive, int perms, long value, boolean temp) {
        long s;
        boolean created = false;
        try {
            if (create) {
                // O_EXCL first, so the shell knows whether the semaphore is its own (only then may :temp remove it)
                try {
                    s = LibC.get().semOpen(name, LibC.O_CREAT | LibC.O_EXCL, perms, (int) value);
                    created = true;
                } catch (OsException e) {
                    if (e.errno() != Errno.EEXIST || exclusive) throw e;
                    s = LibC.get().semOpen(name, 0, perms, (int) value);
                }
            } else {
                s = LibC.get().semOpen(name, 0, perms, (int) value);
            }
        } catch (OsException e) {
            String hint = switch (e.errno()) {
                case Errno.ENOENT -> "no such semaphore; {:create true} makes it";
                case Errno.EEXIST -> "the semaphore exists already and :exclusive was given";
                case Errno.EACCES -> owner("/dev/shm/sem." + name.substring(1));
                default -> null;
            };
            throw new OsException("sem", name, e.errno(), hint);
        }
        // glibc keeps a named semaphore as /dev/shm/sem.NAME: it goes at exit only while that is still the one made here
        String file = "/dev/shm/sem." + name.substring(1);
        FileId made = created && temp ? FileId.at(file) : null;
        if (made != null) AtExit.removeAtExit(atExitKey(name), file, made, () -> {
            try {
                LibC.get().semUnlink(name);
            } catch (OsException ignored) {
                // unlinked already
            }
        });
        return new Semaphore(name, s);
    }

    static String owner(String path) {
        try {
            Path p = Path.of(path);
            int uid = (Integer) Files.getAttribute(p, "unix:uid");
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            return String.format("owned by uid %d with mode %04o", uid, mode & 07777);
        } catch (IOException | RuntimeException ex) {
            return null;
        }
    }

    /** sem_unlink: the name goes; processes that have it open keep using it. */
    public static void unlink(String name) {
        AtExit.cancel(atExitKey(name));
        try {
            LibC.get().semUnlink(name);
        } catch (OsException e) {
            throw new OsException("sem-unlink", name, e.errno(), e.errno() == Errno.ENOENT ? "no such semaphore" : null);
        }
    }

    private static String atExitKey(String name) {
        return "sem:" + name;
    }

    public String name() {
        return name;
    }

    /** Decrements, waiting while the value is 0: up to timeoutMs (negative: forever), broken by Ctrl-C. */
    public void await(long timeoutMs) {
        long s = handle("sem-wait");
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            if (Interrupts.pending() || Thread.currentThread().isInterrupted()) {
                throw new Interrupts.InterruptedError("sem-wait " + this);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                if (LibC.get().semTrywait(s)) return;
                throw new TimeoutError("sem-wait " + this, timeoutMs);
            }
            long slice = Math.min(left, SLICE_MS * 1_000_000L);
            java.time.Instant now = java.time.Instant.now();
            long abs = now.getEpochSecond() * 1_000_000_000L + now.getNano() + slice;
            if (LibC.get().semTimedwait(s, abs)) return;
        }
    }

    /** Decrements without waiting: true when it did, false when the value was 0. */
    public boolean tryAcquire() {
        return LibC.get().semTrywait(handle("sem-try"));
    }

    public void post() {
        try {
            LibC.get().semPost(handle("sem-post"));
        } catch (OsException e) {
            throw new OsException("sem-post", name, e.errno(), e.errno() == Errno.EOVERFLOW ? "the value is at its maximum" : null);
        }
    }

    public long value() {
        return LibC.get().semGetvalue(handle("sem-value"));
    }

    private long handle(String verb) {
        if (sem == 0) throw new IpcException(verb + " " + this + ": semaphore is closed", Map.of("errno", "EBADF"));
        return sem;
    }

    public boolean isClosed() {
        return sem == 0;
    }

    /** sem_close; the semaphore itself stays until unlinked. Closing twice does nothing. */
    @Override
    public void close() {
        long s = sem;
        sem = 0;
        if (s != 0) LibC.get().semClose(s);
    }

    @Override
    public String toString() {
        return "#<sem " + name + (sem == 0 ? " closed" : "") + ">";
    }
}
