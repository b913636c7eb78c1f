package ipcsh.os.impl;

import ipcsh.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** spawn.h, sys/wait.h, unistd.h, sched.h: posix_spawnp (on pipes or a terminal), waitpid, pidfd_open, getpid, gettid, sched_setscheduler. */
abstract class ProcessDowncalls extends FileDowncalls {
    // in the order a spawn calls them, then its close: the ones linked ahead (Downcalls.ahead)
    private final Link faInit = ahead(plain("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS)));
    private final Link attrInit = ahead(plain("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS)));
    private final Link faDup2 = ahead(plain("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)));
    private final Link faClose = ahead(plain("posix_spawn_file_actions_addclose", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)));
    /** glibc 2.34+: the JVM's own descriptors (jars, logs) are not close-on-exec, so close them in the child. */
    private final Link faCloseFrom = LIBC.find("posix_spawn_file_actions_addclosefrom_np").isEmpty() ? null
            : ahead(plain("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)));
    private final Link sigemptyset = ahead(plain("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS)));
    private final Link attrSetSigmask = ahead(plain("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)));
    private final Link sigaddset = ahead(plain("sigaddset", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)));
    private final Link attrSetSigdefault = ahead(plain("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)));
    private final Link attrSetFlags = ahead(plain("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT)));
    private final Link posixSpawnp = ahead(plain("posix_spawnp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS)));
    private final Link faDestroy = ahead(plain("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS)));
    private final Link attrDestroy = ahead(plain("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS)));
    private final Link syscall1 = ahead(linkedOnFirstCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT), ERRNO_CAPTURE, Linker.Option.firstVariadicArg(1)));
    private final Link waitpid = ahead(errnoCall("waitpid", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final long SYS_PIDFD_OPEN = 434; // the same number on x86_64 and aarch64
    private final Link getpid = plain("getpid", FunctionDescriptor.of(JAVA_INT));
    private final Link faChdir = plain("posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private final Link faAddOpen = plain("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private final Link gettid = plain("gettid", FunctionDescriptor.of(JAVA_INT));
    private final Link schedSetscheduler = plain("sched_setscheduler", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final int SCHED_BATCH = 3;
    private static final int POSIX_SPAWN_SETSID = 0x80; // glibc 2.26+
    private static final int POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int[] DEFAULT_SIGNALS = {1, 2, 3, 13, 15}; // HUP INT QUIT PIPE TERM

    @Override
    public int spawn(String[] argv, String[] env, String dir, int[] stdio, boolean newSession) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fa = a.allocate(256, 16);
            MemorySegment attr = a.allocate(1024, 16);
            MemorySegment sigs = a.allocate(128, 8);
            MemorySegment pid = a.allocate(JAVA_INT);
            check("posix_spawn_file_actions_init", (int) faInit.get().invokeExact(fa));
            check("posix_spawnattr_init", (int) attrInit.get().invokeExact(attr));
            try {
                for (int i = 0; i < stdio.length; i++) {
                    if (stdio[i] >= 0) check("posix_spawn_file_actions_adddup2", (int) faDup2.get().invokeExact(fa, stdio[i], i));
                }
                // descriptors past 2 that are not given stay closed in the child (glibc ignores a close
                // of one that is not open): the child sees exactly the ones it was given
                for (int i = 3; i < stdio.length; i++) {
                    if (stdio[i] < 0) check("posix_spawn_file_actions_addclose", (int) faClose.get().invokeExact(fa, i));
                }
                everyChild(a, fa, attr, sigs, dir, newSession, Math.max(3, stdio.length));
                MemorySegment cargv = stringArray(a, argv);
                MemorySegment cenv = stringArray(a, env);
                int r = (int) posixSpawnp.get().invokeExact(pid, CString.of(a, "posix_spawnp", argv[0]), fa, attr, cargv, cenv);
                if (r != 0) throw new OsException("spawn", argv[0], r);
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) faDestroy.get().invokeExact(fa);
                ignored = (int) attrDestroy.get().invokeExact(attr);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * What every child gets, on a pipe or a pty: no descriptor of the shell's past stdio, its
     * directory, default dispositions and an empty mask for the signals the JVM changes, and a
     * session of its own when asked.
     */
    private void everyChild(Arena a, MemorySegment fa, MemorySegment attr, MemorySegment sigs, String dir, boolean newSession,
                            int closeFrom) throws Throwable {
        if (faCloseFrom != null) check("posix_spawn_file_actions_addclosefrom_np", (int) faCloseFrom.get().invokeExact(fa, closeFrom));
        if (dir != null) check("posix_spawn_file_actions_addchdir_np", (int) faChdir.get().invokeExact(fa, CString.of(a, "posix_spawn_file_actions_addchdir_np", dir)));
        check("sigemptyset", (int) sigemptyset.get().invokeExact(sigs));
        check("posix_spawnattr_setsigmask", (int) attrSetSigmask.get().invokeExact(attr, sigs));
        for (int s : DEFAULT_SIGNALS) check("sigaddset", (int) sigaddset.get().invokeExact(sigs, s));
        check("posix_spawnattr_setsigdefault", (int) attrSetSigdefault.get().invokeExact(attr, sigs));
        check("posix_spawnattr_setflags", (int) attrSetFlags.get().invokeExact(attr, (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
                | (newSession ? POSIX_SPAWN_SETSID : 0))));
    }

    private static void check(String call, int r) {
        if (r != 0) throw new OsException(call, null, r);
    }

    private static MemorySegment stringArray(Arena a, String[] strings) {
        MemorySegment arr = a.allocate(ADDRESS, strings.length + 1);
        for (int i = 0; i < strings.length; i++) arr.setAtIndex(ADDRESS, i, CString.of(a, "posix_spawnp", strings[i]));
        arr.setAtIndex(ADDRESS, strings.length, MemorySegment.NULL);
        return arr;
    }

    @Override
    public int[] waitpid(int pid, int options) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(JAVA_INT);
            while (true) {
                int r = (int) waitpid.get().invokeExact(st, pid, status, options);
                if (r >= 0) return new int[] {r, status.get(JAVA_INT, 0)};
                int e = errno(st);
                if (e != EINTR) throw new OsException("waitpid", "pid " + pid, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int pidfdOpen(int pid) {
        MemorySegment st = state.get();
        try {
            long r = (long) syscall1.get().invokeExact(st, SYS_PIDFD_OPEN, pid, 0);
            if (r < 0) throw new OsException("pidfd_open", "pid " + pid, errno(st));
            int fd = (int) r;
            fcntl(fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int getpid() {
        try {
            return (int) getpid.get().invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int spawnOnTerminal(String[] argv, String[] env, String dir, String tty) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fa = a.allocate(256, 16);
            MemorySegment attr = a.allocate(1024, 16);
            MemorySegment sigs = a.allocate(128, 8);
            MemorySegment pid = a.allocate(JAVA_INT);
            check("posix_spawn_file_actions_init", (int) faInit.get().invokeExact(fa));
            check("posix_spawnattr_init", (int) attrInit.get().invokeExact(attr));
            try {
                // glibc runs setsid before the file actions: opening the tty then makes it the controlling one.
                check("posix_spawn_file_actions_addopen", (int) faAddOpen.get().invokeExact(fa, 0, CString.of(a, "posix_spawn_file_actions_addopen", tty), O_RDWR, 0));
                check("posix_spawn_file_actions_adddup2", (int) faDup2.get().invokeExact(fa, 0, 1));
                check("posix_spawn_file_actions_adddup2", (int) faDup2.get().invokeExact(fa, 0, 2));
                everyChild(a, fa, attr, sigs, dir, true, 3);
                int r = (int) posixSpawnp.get().invokeExact(pid, CString.of(a, "posix_spawnp", argv[0]), fa, attr, stringArray(a, argv), stringArray(a, env));
                if (r != 0) throw new OsException("spawn", argv[0], r);
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) faDestroy.get().invokeExact(fa);
                ignored = (int) attrDestroy.get().invokeExact(attr);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int gettid() {
        try {
            return (int) gettid.get().invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public boolean scheduleAsBatch() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment param = a.allocate(JAVA_INT); // struct sched_param: a priority of 0
            return (int) schedSetscheduler.get().invokeExact(0, SCHED_BATCH, param) == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
