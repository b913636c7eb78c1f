package ipcsh.os.impl;

import ipcsh.os.Errno;
import ipcsh.os.FileCalls;
import ipcsh.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@link FileCalls} through the JDK's FFM API, errno captured per call as in {@link FfmLibC}. */
public final class FfmFileCalls implements FileCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = errnoOffset();
    /** struct stat: x86_64 has st_nlink (8 bytes) before st_mode; aarch64 (asm-generic) after it. */
    private static final long ST_MODE = AARCH64 ? 16 : 24, ST_UID = AARCH64 ? 24 : 28, ST_SIZE = 48;
    private static final int F_OFD_SETLK = 37;
    private static final short F_WRLCK = 1, SEEK_SET = 0;

    private final ThreadLocal<MemorySegment> state = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE));
    private final MethodHandle openat = link("openat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 3);
    private final MethodHandle mkdirat = link("mkdirat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private final MethodHandle mkfifoat = link("mkfifoat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private final MethodHandle unlinkat = link("unlinkat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
    private final MethodHandle fchmod = link("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), -1);
    private final MethodHandle fstat = link("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), -1);
    private final MethodHandle geteuid = LINKER.downcallHandle(LINKER.defaultLookup().find("geteuid").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT));
    private final MethodHandle fcntlLock = link("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), 2);

    /** After the static fields above: the constructor links through them. */
    public static final FfmFileCalls INSTANCE = new FfmFileCalls();

    private FfmFileCalls() {}

    /** A downcall capturing errno; variadic (openat's mode, fcntl's argument) from that index, -1 for none. */
    private static MethodHandle link(String name, FunctionDescriptor fd, int firstVariadic) {
        MemorySegment sym = LINKER.defaultLookup().find(name).orElseThrow(() -> new AssertionError("libc has no " + name));
        Linker.Option capture = Linker.Option.captureCallState("errno");
        return firstVariadic < 0 ? LINKER.downcallHandle(sym, fd, capture)
                : LINKER.downcallHandle(sym, fd, capture, Linker.Option.firstVariadicArg(firstVariadic));
    }

    private static long errnoOffset() {
        long offset = 0;
        for (MemoryLayout m : ((StructLayout) STATE).memberLayouts()) {
            if (m.name().filter("errno"::equals).isPresent()) return offset;
            offset += m.byteSize();
        }
        throw new AssertionError("no errno in " + STATE);
    }

    private int errno(MemorySegment st) {
        return st.get(JAVA_INT, ERRNO_OFFSET);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    @Override
    public int openat(int dirfd, String path, int flags, int mode) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            while (true) {
                int fd = (int) openat.invokeExact(st, dirfd, p, flags, mode);
                if (fd >= 0) return fd;
                if (errno(st) != Errno.EINTR) throw new OsException("open", path, errno(st));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void mkdirat(int dirfd, String path, int mode) {
        pathCall(mkdirat, "mkdir", dirfd, path, mode);
    }

    @Override
    public void mkfifoat(int dirfd, String path, int mode) {
        pathCall(mkfifoat, "mkfifo", dirfd, path, mode);
    }

    @Override
    public void unlinkat(int dirfd, String path, int flags) {
        pathCall(unlinkat, (flags & AT_REMOVEDIR) != 0 ? "rmdir" : "unlink", dirfd, path, flags);
    }

    private void pathCall(MethodHandle h, String call, int dirfd, String path, int arg) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            if ((int) h.invokeExact(st, dirfd, p, arg) < 0) throw new OsException(call, path, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void fchmod(int fd, int mode) {
        MemorySegment st = state.get();
        try {
            if ((int) fchmod.invokeExact(st, fd, mode) < 0) throw new OsException("fchmod", "fd " + fd, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public Stat fstat(int fd) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256, 8); // sizeof(struct stat) is 144 (x86_64) or 128 (aarch64)
            if ((int) fstat.invokeExact(st, fd, buf) < 0) throw new OsException("fstat", "fd " + fd, errno(st));
            return new Stat(buf.get(JAVA_INT, ST_MODE), buf.get(JAVA_INT, ST_UID), buf.get(JAVA_LONG, 0),
                    buf.get(JAVA_LONG, 8), buf.get(JAVA_LONG, ST_SIZE));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int geteuid() {
        try {
            return (int) geteuid.invokeExact();
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
                if ((int) fcntlLock.invokeExact(st, fd, F_OFD_SETLK, fl) == 0) return true;
                int e = errno(st);
                if (e == Errno.EAGAIN || e == Errno.EACCES) return false;
                if (e != Errno.EINTR) throw new OsException("fcntl F_OFD_SETLK", "fd " + fd, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
