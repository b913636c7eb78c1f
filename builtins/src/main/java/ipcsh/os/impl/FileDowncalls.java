package ipcsh.os.impl;

import ipcsh.os.Errno;
import ipcsh.os.FileStat;
import ipcsh.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * fcntl.h, unistd.h, poll.h, sys/epoll.h, sys/eventfd.h, sys/stat.h: descriptors and files,
 * the *at calls, fstat, OFD locks, and the hot path (read, write, poll). read and write on heap
 * arrays are "critical" calls, which the JDK allows because every descriptor ipcsh reads or
 * writes that way is non-blocking.
 */
abstract class FileDowncalls extends Downcalls {
    private static final boolean PACKED_EPOLL = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    private static final int EPOLL_EVENT_SIZE = PACKED_EPOLL ? 12 : 16;
    private static final int EPOLL_DATA_OFFSET = PACKED_EPOLL ? 4 : 8;
    private final Link pipe2 = ahead(errnoCall("pipe2", JAVA_INT, ADDRESS, JAVA_INT));
    private final Link fcntl = ahead(errnoCall("fcntl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private final Link open = errnoCall("open", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private final Link close = ahead(errnoCall("close", JAVA_INT, JAVA_INT));
    private final Link mkfifo = errnoCall("mkfifo", JAVA_INT, ADDRESS, JAVA_INT);
    private final Link unlink = errnoCall("unlink", JAVA_INT, ADDRESS);
    private final Link eventfd = ahead(errnoCall("eventfd", JAVA_INT, JAVA_INT, JAVA_INT));
    private final Link splice = errnoCall("splice", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private final Link epollCreate1 = errnoCall("epoll_create1", JAVA_INT, JAVA_INT);
    private final Link epollCtl = errnoCall("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private final Link epollWait = errnoCall("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private final Link dup2 = errnoCall("dup2", JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link ftruncate = errnoCall("ftruncate", JAVA_INT, JAVA_INT, JAVA_LONG);
    private final Link lseek = errnoCall("lseek", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);

    // The hot path's speed (issue 11): read, write and poll call through static final handles,
    // which the JIT inlines down to the native call (an instance field's handle is no constant
    // to it: each call went through a generic invoker, and the heap segments escaped). Their
    // errno segment and pollfds come from Downcalls.owned(). Linked at once, not on first call:
    // nearly every script reads, writes or waits, and only a handle that is itself the constant
    // lets the JIT inline down to the native call.
    private static final MethodHandle READ = LINKER.downcallHandle(symbol("read"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_CAPTURE, Linker.Option.critical(true));
    private static final MethodHandle WRITE = LINKER.downcallHandle(symbol("write"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_CAPTURE, Linker.Option.critical(true));
    private static final MethodHandle POLL = LINKER.downcallHandle(symbol("poll"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_CAPTURE);

    @Override
    public int open(String path, int flags, int mode) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = CString.of(a, "open", path);
            while (true) {
                int fd = (int) open.get().invokeExact(st, p, flags, mode);
                if (fd >= 0) return fd;
                int e = errno(st);
                if (e != EINTR) throw new OsException("open", path, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void close(int fd) {
        MemorySegment st = state.get();
        try {
            // EINTR on close still frees the descriptor on Linux: never retry.
            int r = (int) close.get().invokeExact(st, fd);
            if (r < 0 && errno(st) != EINTR) throw new OsException("close", "fd " + fd, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int read(int fd, byte[] buf, int off, int len) {
        OwnedState own = owned();
        MemorySegment st = own.segment();
        MemorySegment seg = own.readInto(buf, off, len);
        try {
            while (true) {
                long n = (long) READ.invokeExact(st, fd, seg, (long) len);
                if (n >= 0) return (int) n;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("read", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int write(int fd, byte[] buf, int off, int len) {
        OwnedState own = owned();
        MemorySegment st = own.segment();
        MemorySegment seg = own.writeFrom(buf, off, len);
        try {
            while (true) {
                long n = (long) WRITE.invokeExact(st, fd, seg, (long) len);
                if (n >= 0) return (int) n;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("write", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int[] pipe2(int flags) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            int r = (int) pipe2.get().invokeExact(st, fds, flags);
            if (r < 0) throw new OsException("pipe", null, errno(st));
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void mkfifo(String path, int mode) {
        pathCall(mkfifo, "mkfifo", path, mode, true);
    }

    @Override
    public void unlink(String path) {
        pathCall(unlink, "unlink", path, 0, false);
    }

    final void pathCall(Link h, String call, String path, int mode, boolean withMode) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = CString.of(a, call, path);
            int r = withMode ? (int) h.get().invokeExact(st, p, mode) : (int) h.get().invokeExact(st, p);
            if (r < 0) throw new OsException(call, path, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        MemorySegment st = state.get();
        try {
            int r = (int) fcntl.get().invokeExact(st, fd, cmd, arg);
            if (r < 0) throw new OsException("fcntl", "fd " + fd, errno(st));
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int poll(int[] fds, short[] events, short[] revents, int timeoutMs) {
        OwnedState own = owned();
        MemorySegment st = own.segment();
        try (Arena a = fds.length > POLL_FDS ? Arena.ofConfined() : null) {
            MemorySegment p = a == null ? own.pollfds() : a.allocate(8L * fds.length, 8);
            for (int i = 0; i < fds.length; i++) {
                p.set(JAVA_INT, 8L * i, fds[i]);
                p.set(JAVA_SHORT, 8L * i + 4, events[i]);
                p.set(JAVA_SHORT, 8L * i + 6, (short) 0);
            }
            int r = (int) POLL.invokeExact(st, p, (long) fds.length, timeoutMs);
            if (r < 0) {
                int e = errno(st);
                if (e == EINTR) return 0;
                throw new OsException("poll", null, e);
            }
            for (int i = 0; i < fds.length; i++) revents[i] = p.get(JAVA_SHORT, 8L * i + 6);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int eventfd(int initval, int flags) {
        MemorySegment st = state.get();
        try {
            int r = (int) eventfd.get().invokeExact(st, initval, flags);
            if (r < 0) throw new OsException("eventfd", null, errno(st));
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long splice(int fdIn, int fdOut, long len, int flags) {
        MemorySegment st = state.get();
        try {
            while (true) {
                long n = (long) splice.get().invokeExact(st, fdIn, MemorySegment.NULL, fdOut, MemorySegment.NULL, len, flags);
                if (n >= 0) return n;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("splice", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int epollCreate() {
        MemorySegment st = state.get();
        try {
            int r = (int) epollCreate1.get().invokeExact(st, O_CLOEXEC);
            if (r < 0) throw new OsException("epoll_create1", null, errno(st));
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void epollCtl(int epfd, int op, int fd, int events, long data) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(16, 8);
            ev.set(JAVA_INT, 0, events);
            ev.set(JAVA_LONG_UNALIGNED, EPOLL_DATA_OFFSET, data);
            int r = (int) epollCtl.get().invokeExact(st, epfd, op, fd, ev);
            if (r < 0) throw new OsException("epoll_ctl", "fd " + fd, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final ValueLayout.OfLong JAVA_LONG_UNALIGNED = JAVA_LONG.withByteAlignment(4);

    @Override
    public int epollWait(int epfd, int[] events, long[] data, int timeoutMs) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            int max = events.length;
            MemorySegment evs = a.allocate((long) EPOLL_EVENT_SIZE * max, 8);
            int n = (int) epollWait.get().invokeExact(st, epfd, evs, max, timeoutMs);
            if (n < 0) {
                int e = errno(st);
                if (e == EINTR) return 0;
                throw new OsException("epoll_wait", null, e);
            }
            for (int i = 0; i < n; i++) {
                long base = (long) EPOLL_EVENT_SIZE * i;
                events[i] = evs.get(JAVA_INT, base);
                data[i] = evs.get(JAVA_LONG_UNALIGNED, base + EPOLL_DATA_OFFSET);
            }
            return n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void dup2(int oldfd, int newfd) {
        MemorySegment st = state.get();
        try {
            while (true) {
                int r = (int) dup2.get().invokeExact(st, oldfd, newfd);
                if (r >= 0) return;
                int e = errno(st);
                if (e != EINTR) throw new OsException("dup2", "fd " + oldfd + " to fd " + newfd, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void ftruncate(int fd, long length) {
        MemorySegment st = state.get();
        try {
            while (true) {
                int r = (int) ftruncate.get().invokeExact(st, fd, length);
                if (r == 0) return;
                int e = errno(st);
                if (e != EINTR) throw new OsException("ftruncate", "fd " + fd, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long lseek(int fd, long offset, int whence) {
        MemorySegment st = state.get();
        try {
            long r = (long) lseek.get().invokeExact(st, fd, offset, whence);
            if (r < 0) throw new OsException("lseek", "fd " + fd, errno(st));
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long read(int fd, MemorySegment dst) {
        MemorySegment st = state();
        try {
            while (true) {
                long n = (long) READ.invokeExact(st, fd, dst, dst.byteSize());
                if (n >= 0) return n;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("read", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long write(int fd, MemorySegment src) {
        MemorySegment st = state();
        try {
            while (true) {
                long n = (long) WRITE.invokeExact(st, fd, src, src.byteSize());
                if (n >= 0) return n;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("write", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // the *at calls, fstat, fchmod, geteuid and OFD locks: open by descriptor, not by a path someone else can change
    private final Link openat = linkedOnFirstCall("openat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO_CAPTURE, Linker.Option.firstVariadicArg(3));
    private final Link mkdirat = errnoCall("mkdirat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link mkfifoat = errnoCall("mkfifoat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link unlinkat = errnoCall("unlinkat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link fchmod = errnoCall("fchmod", JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link fstat = errnoCall("fstat", JAVA_INT, JAVA_INT, ADDRESS);
    private final Link geteuid = plain("geteuid", FunctionDescriptor.of(JAVA_INT));
    private final Link fcntlLock = linkedOnFirstCall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), ERRNO_CAPTURE, Linker.Option.firstVariadicArg(2));
    /** struct stat: x86_64 has st_nlink (8 bytes) before st_mode; aarch64 (asm-generic) after it. */
    private static final long ST_MODE = AARCH64 ? 16 : 24, ST_UID = AARCH64 ? 24 : 28, ST_SIZE = 48;
    private static final int F_OFD_SETLK = 37;
    private static final short F_WRLCK = 1, SEEK_SET = 0;

    @Override
    public int openat(int dirfd, String path, int flags, int mode) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = CString.of(a, "open", path);
            while (true) {
                int fd = (int) openat.get().invokeExact(st, dirfd, p, flags, mode);
                if (fd >= 0) return fd;
                if (errno(st) != EINTR) throw new OsException("open", path, errno(st));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void mkdirat(int dirfd, String path, int mode) {
        atCall(mkdirat, "mkdir", dirfd, path, mode);
    }

    @Override
    public void mkfifoat(int dirfd, String path, int mode) {
        atCall(mkfifoat, "mkfifo", dirfd, path, mode);
    }

    @Override
    public void unlinkat(int dirfd, String path, int flags) {
        atCall(unlinkat, (flags & AT_REMOVEDIR) != 0 ? "rmdir" : "unlink", dirfd, path, flags);
    }

    private void atCall(Link h, String call, int dirfd, String path, int arg) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = CString.of(a, call, path);
            if ((int) h.get().invokeExact(st, dirfd, p, arg) < 0) throw new OsException(call, path, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void fchmod(int fd, int mode) {
        MemorySegment st = state.get();
        try {
            if ((int) fchmod.get().invokeExact(st, fd, mode) < 0) throw new OsException("fchmod", "fd " + fd, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public FileStat fstat(int fd) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256, 8); // sizeof(struct stat) is 144 (x86_64) or 128 (aarch64)
            if ((int) fstat.get().invokeExact(st, fd, buf) < 0) throw new OsException("fstat", "fd " + fd, errno(st));
            return new FileStat(buf.get(JAVA_INT, ST_MODE), buf.get(JAVA_INT, ST_UID), buf.get(JAVA_LONG, 0),
                    buf.get(JAVA_LONG, 8), buf.get(JAVA_LONG, ST_SIZE));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int geteuid() {
        try {
            return (int) geteuid.get().invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public boolean ofdWriteLock(int fd, long start, long len) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fl = a.allocate(32, 8); // struct flock: l_type, l_whence, l_start, l_len, l_pid
            fl.set(JAVA_SHORT, 0, F_WRLCK);
            fl.set(JAVA_SHORT, 2, SEEK_SET);
            fl.set(JAVA_LONG, 8, start);
            fl.set(JAVA_LONG, 16, len);
            while (true) {
                if ((int) fcntlLock.get().invokeExact(st, fd, F_OFD_SETLK, fl) == 0) return true;
                int e = errno(st);
                if (e == EAGAIN || e == Errno.EACCES) return false;
                if (e != EINTR) throw new OsException("fcntl F_OFD_SETLK", "fd " + fd, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
