package ipcsh.os.impl;

import ipcsh.os.Errno;
import ipcsh.os.FileStat;
import ipcsh.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * fcntl.h (OFD locks of any type, fstatat), sys/file.h (flock), pthread.h (robust process-shared mutexes),
 * time.h (the monotonic clock their waits count on). The pthread calls return their error instead
 * of setting errno, so they need no capture.
 */
abstract class LockDowncalls extends SignalDowncalls {
    private static final int F_OFD_SETLK = 37, CLOCK_MONOTONIC = 1, EDEADLK = 35, PTHREAD_PROCESS_SHARED = 1, PTHREAD_MUTEX_ROBUST = 1,
            PTHREAD_MUTEX_ERRORCHECK = 2;
    private final Link fcntlFlock = linkedOnFirstCall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), ERRNO_CAPTURE, Linker.Option.firstVariadicArg(2));
    private final Link flock = errnoCall("flock", JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link attrInit = plain("pthread_mutexattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link attrPshared = plain("pthread_mutexattr_setpshared", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private final Link attrRobust = plain("pthread_mutexattr_setrobust", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private final Link attrType = plain("pthread_mutexattr_settype", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private final Link attrDestroy = plain("pthread_mutexattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link mutexInit = plain("pthread_mutex_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private final Link mutexClocklock = plain("pthread_mutex_clocklock", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private final Link mutexTrylock = plain("pthread_mutex_trylock", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link mutexUnlock = plain("pthread_mutex_unlock", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link mutexConsistent = plain("pthread_mutex_consistent", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link clockGettime = plain("clock_gettime", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private final Link fstatat = errnoCall("fstatat", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    /** struct stat as FileDowncalls.fstat reads it: st_mode and st_uid where x86_64 and aarch64 put them. */
    private static final long ST_MODE = AARCH64 ? 16 : 24, ST_UID = AARCH64 ? 24 : 28, ST_SIZE = 48;
    private final ThreadLocal<MemorySegment> statBuf = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(256, 8));
    /** A struct flock and a struct timespec per thread: the lock calls are the hot part of a with-lock cycle. */
    private final ThreadLocal<MemorySegment> scratch = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(32, 8));

    @Override
    public boolean ofdSetlk(int fd, short type, long start, long len) {
        MemorySegment st = state();
        MemorySegment fl = scratch.get(); // struct flock: l_type, l_whence (SEEK_SET), l_start, l_len, l_pid (0 for OFD)
        fl.fill((byte) 0);
        fl.set(JAVA_SHORT, 0, type);
        fl.set(JAVA_LONG, 8, start);
        fl.set(JAVA_LONG, 16, len);
        try {
            while (true) {
                if ((int) fcntlFlock.get().invokeExact(st, fd, F_OFD_SETLK, fl) == 0) return true;
                int e = errno(st);
                if (e == EAGAIN || e == Errno.EACCES) return false;
                if (e != EINTR) throw new OsException("fcntl F_OFD_SETLK", "fd " + fd, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public boolean flock(int fd, int operation) {
        MemorySegment st = state();
        try {
            while (true) {
                if ((int) flock.get().invokeExact(st, fd, operation) == 0) return true;
                int e = errno(st);
                if (e == EAGAIN) return false;
                if (e != EINTR) throw new OsException("flock", "fd " + fd, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void pthreadMutexInitRobustShared(MemorySegment m) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(16, 8); // pthread_mutexattr_t: 4 bytes (x86_64) or 8 (aarch64)
            check("pthread_mutexattr_init", (int) attrInit.get().invokeExact(attr));
            try {
                check("pthread_mutexattr_setpshared", (int) attrPshared.get().invokeExact(attr, PTHREAD_PROCESS_SHARED));
                check("pthread_mutexattr_setrobust", (int) attrRobust.get().invokeExact(attr, PTHREAD_MUTEX_ROBUST));
                check("pthread_mutexattr_settype", (int) attrType.get().invokeExact(attr, PTHREAD_MUTEX_ERRORCHECK));
                check("pthread_mutex_init", (int) mutexInit.get().invokeExact(m, attr));
            } finally {
                int ignored = (int) attrDestroy.get().invokeExact(attr);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fstatat(2): the lock files' check that a kept descriptor's path still names its file, one call of a with-lock cycle. */
    @Override
    public FileStat fstatat(int dirfd, String path, int flags) {
        MemorySegment st = state();
        MemorySegment buf = statBuf.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = CString.of(a, "stat", path);
            if ((int) fstatat.get().invokeExact(st, dirfd, p, buf, flags) < 0) throw new OsException("stat", path, errno(st));
            return new FileStat(buf.get(JAVA_INT, ST_MODE), buf.get(JAVA_INT, ST_UID), buf.get(JAVA_LONG, 0),
                    buf.get(JAVA_LONG, 8), buf.get(JAVA_LONG, ST_SIZE));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int pthreadMutexClocklock(MemorySegment m, long absNanos) {
        MemorySegment ts = scratch.get();
        ts.set(JAVA_LONG, 0, absNanos / 1_000_000_000L);
        ts.set(JAVA_LONG, 8, absNanos % 1_000_000_000L);
        try {
            int r = (int) mutexClocklock.get().invokeExact(m, CLOCK_MONOTONIC, ts);
            if (r == 0 || r == Errno.ETIMEDOUT || r == Errno.EOWNERDEAD || r == Errno.ENOTRECOVERABLE || r == EDEADLK) return r;
            throw new OsException("pthread_mutex_clocklock", null, r);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int pthreadMutexTrylock(MemorySegment m) {
        try {
            int r = (int) mutexTrylock.get().invokeExact(m);
            if (r == 0 || r == Errno.EBUSY || r == Errno.EOWNERDEAD || r == Errno.ENOTRECOVERABLE) return r;
            throw new OsException("pthread_mutex_trylock", null, r);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void pthreadMutexUnlock(MemorySegment m) {
        try {
            check("pthread_mutex_unlock", (int) mutexUnlock.get().invokeExact(m));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void pthreadMutexConsistent(MemorySegment m) {
        try {
            check("pthread_mutex_consistent", (int) mutexConsistent.get().invokeExact(m));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long monotonicNanos() {
        MemorySegment ts = scratch.get();
        try {
            check("clock_gettime", (int) clockGettime.get().invokeExact(CLOCK_MONOTONIC, ts));
            return ts.get(JAVA_LONG, 0) * 1_000_000_000L + ts.get(JAVA_LONG, 8);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void check(String call, int r) {
        if (r != 0) throw new OsException(call, null, r);
    }
}
