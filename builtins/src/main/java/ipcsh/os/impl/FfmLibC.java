package ipcsh.os.impl;

import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;
import ipcsh.os.SockAddr;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@link LibC} through the JDK's FFM API. errno is captured per call (captureCallState) into
 * a per-thread segment, never shared state: the reactor and the interpreter call concurrently.
 * read and write on heap arrays are "critical" calls, which the JDK allows because every
 * descriptor ipcsh reads or writes that way is non-blocking.
 */
public final class FfmLibC implements LibC {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
    /** errno's place in the capture state: found by walking the struct, as a layout path's VarHandle
     *  initialised the JDK's LayoutPath machinery (~4 ms of the first IPC call) for one int. */
    private static final long ERRNO_OFFSET = errnoOffset();
    private static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");
    private static final boolean PACKED_EPOLL = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    private static final int EPOLL_EVENT_SIZE = PACKED_EPOLL ? 12 : 16;
    private static final int EPOLL_DATA_OFFSET = PACKED_EPOLL ? 4 : 8;
    private static final int EINTR = Errno.EINTR, EAGAIN = Errno.EAGAIN;

    private final ThreadLocal<MemorySegment> state = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE));

    private final Link open = errnoCall("open", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private final Link close = errnoCall("close", JAVA_INT, JAVA_INT);
    private final Link pipe2 = errnoCall("pipe2", JAVA_INT, ADDRESS, JAVA_INT);
    private final Link mkfifo = errnoCall("mkfifo", JAVA_INT, ADDRESS, JAVA_INT);
    private final Link unlink = errnoCall("unlink", JAVA_INT, ADDRESS);
    private final Link fcntl = errnoCall("fcntl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link eventfd = errnoCall("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link splice = errnoCall("splice", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private final Link epollCreate1 = errnoCall("epoll_create1", JAVA_INT, JAVA_INT);
    private final Link epollCtl = errnoCall("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private final Link epollWait = errnoCall("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private final Link waitpid = errnoCall("waitpid", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link kill = errnoCall("kill", JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link syscall1 = linkedOnFirstCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT), ERRNO_CAPTURE, Linker.Option.firstVariadicArg(1));
    private static final long SYS_PIDFD_OPEN = 434; // the same number on x86_64 and aarch64
    private final Link getpid = plain("getpid", FunctionDescriptor.of(JAVA_INT));
    private final Link strerrorR = plain("strerror_r", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    private final Link posixSpawnp = plain("posix_spawnp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private final Link faInit = plain("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link faDestroy = plain("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link faDup2 = plain("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    /** glibc 2.34+: the JVM's own descriptors (jars, logs) are not close-on-exec, so close them in the child. */
    private final Link faCloseFrom = LIBC.find("posix_spawn_file_actions_addclosefrom_np").isEmpty() ? null
            : plain("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private final Link faChdir = plain("posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private final Link attrInit = plain("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link attrDestroy = plain("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link attrSetFlags = plain("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private final Link attrSetSigmask = plain("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private final Link attrSetSigdefault = plain("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private final Link sigemptyset = plain("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link sigaddset = plain("sigaddset", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private final Link socket = errnoCall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link bind = errnoCall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link connect = errnoCall("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link listen = errnoCall("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link accept4 = errnoCall("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private final Link getsockopt = errnoCall("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private final Link setsockopt = errnoCall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link getsockname = errnoCall("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private final Link getpeername = errnoCall("getpeername", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private final Link sendto = critical("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link recvfrom = critical("recvfrom", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
    private final Link shutdown = errnoCall("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link getaddrinfo = plain("getaddrinfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private final Link freeaddrinfo = plain("freeaddrinfo", FunctionDescriptor.ofVoid(ADDRESS));
    private final Link gaiStrerror = plain("gai_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final int SOCKADDR_MAX = 128; // sizeof(struct sockaddr_storage)

    /** After the static fields above: the constructor links through them. */
    public static final FfmLibC INSTANCE = new FfmLibC();

    private FfmLibC() {}

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new AssertionError("libc has no " + name));
    }

    private static Link errnoCall(String name, ValueLayout ret, ValueLayout... args) {
        return linkedOnFirstCall(name, FunctionDescriptor.of(ret, args), ERRNO_CAPTURE);
    }

    private static Link critical(String name, ValueLayout ret, ValueLayout... args) {
        return linkedOnFirstCall(name, FunctionDescriptor.of(ret, args), ERRNO_CAPTURE, Linker.Option.critical(true));
    }

    private static Link plain(String name, FunctionDescriptor fd) {
        return linkedOnFirstCall(name, fd);
    }

    private int errno(MemorySegment st) {
        return st.get(JAVA_INT, ERRNO_OFFSET);
    }

    private static long errnoOffset() {
        long offset = 0;
        for (MemoryLayout m : ((java.lang.foreign.StructLayout) STATE).memberLayouts()) {
            if (m.name().filter("errno"::equals).isPresent()) return offset;
            offset += m.byteSize();
        }
        throw new AssertionError("no errno in " + STATE);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

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
        MemorySegment st = state();
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
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
        MemorySegment st = state();
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
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

    private void pathCall(Link h, String call, String path, int mode, boolean withMode) {
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
                for (int i = 0; i < 3; i++) {
                    if (stdio[i] >= 0) check("posix_spawn_file_actions_adddup2", (int) faDup2.get().invokeExact(fa, stdio[i], i));
                }
                everyChild(a, fa, attr, sigs, dir, newSession);
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
    private void everyChild(Arena a, MemorySegment fa, MemorySegment attr, MemorySegment sigs, String dir, boolean newSession)
            throws Throwable {
        if (faCloseFrom != null) check("posix_spawn_file_actions_addclosefrom_np", (int) faCloseFrom.get().invokeExact(fa, 3));
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
    public void kill(int pid, int signal) {
        MemorySegment st = state.get();
        try {
            int r = (int) kill.get().invokeExact(st, pid, signal);
            if (r < 0) throw new OsException("kill", "pid " + pid, errno(st));
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
    public int socket(int domain, int type, int protocol) {
        MemorySegment st = state.get();
        try {
            int fd = (int) socket.get().invokeExact(st, domain, type, protocol);
            if (fd < 0) throw new OsException("socket", null, errno(st));
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void bind(int fd, byte[] addr) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocateFrom(ValueLayout.JAVA_BYTE, addr);
            int r = (int) bind.get().invokeExact(st, fd, sa, addr.length);
            if (r < 0) throw new OsException("bind", SockAddr.format(addr), errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public boolean connect(int fd, byte[] addr) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocateFrom(ValueLayout.JAVA_BYTE, addr);
            while (true) {
                int r = (int) connect.get().invokeExact(st, fd, sa, addr.length);
                if (r == 0) return true;
                int e = errno(st);
                if (e == Errno.EINPROGRESS || e == EAGAIN) return false;
                // an interrupted connect goes on in the background, like EINPROGRESS
                if (e == EINTR) return false;
                throw new OsException("connect", SockAddr.format(addr), e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void listen(int fd, int backlog) {
        MemorySegment st = state.get();
        try {
            int r = (int) listen.get().invokeExact(st, fd, backlog);
            if (r < 0) throw new OsException("listen", "fd " + fd, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int accept4(int fd, int flags) {
        MemorySegment st = state.get();
        try {
            while (true) {
                int r = (int) accept4.get().invokeExact(st, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
                if (r >= 0) return r;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                // the client gave up before we accepted: try the next one
                if (e != EINTR && e != Errno.ECONNABORTED) throw new OsException("accept4", "fd " + fd, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public byte[] getsockopt(int fd, int level, int option, int len) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(len, 8);
            MemorySegment l = a.allocateFrom(JAVA_INT, len);
            int r = (int) getsockopt.get().invokeExact(st, fd, level, option, v, l);
            if (r < 0) throw new OsException("getsockopt", "fd " + fd, errno(st));
            return v.asSlice(0, l.get(JAVA_INT, 0)).toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int getsockoptInt(int fd, int level, int option) {
        byte[] b = getsockopt(fd, level, option, 4);
        return MemorySegment.ofArray(b).get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    }

    @Override
    public void setsockoptInt(int fd, int level, int option, int value) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(JAVA_INT, value);
            int r = (int) setsockopt.get().invokeExact(st, fd, level, option, v, 4);
            if (r < 0) throw new OsException("setsockopt", "fd " + fd, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public byte[] getsockname(int fd) {
        return nameCall(getsockname, "getsockname", fd);
    }

    @Override
    public byte[] getpeername(int fd) {
        return nameCall(getpeername, "getpeername", fd);
    }

    private byte[] nameCall(Link h, String call, int fd) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SOCKADDR_MAX, 8);
            MemorySegment l = a.allocateFrom(JAVA_INT, SOCKADDR_MAX);
            int r = (int) h.get().invokeExact(st, fd, sa, l);
            if (r < 0) throw new OsException(call, "fd " + fd, errno(st));
            return sa.asSlice(0, Math.min(SOCKADDR_MAX, l.get(JAVA_INT, 0))).toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int sendto(int fd, byte[] buf, int off, int len, int flags, byte[] addr) {
        MemorySegment st = state.get();
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        MemorySegment sa = addr == null ? MemorySegment.NULL : MemorySegment.ofArray(addr);
        int alen = addr == null ? 0 : addr.length;
        try {
            while (true) {
                long n = (long) sendto.get().invokeExact(st, fd, seg, (long) len, flags | MSG_NOSIGNAL, sa, alen);
                if (n >= 0) return (int) n;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("sendto", addr == null ? null : SockAddr.format(addr), e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int recvfrom(int fd, byte[] buf, int off, int len, int flags, byte[][] from) {
        MemorySegment st = state.get();
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        byte[] addr = from == null ? null : new byte[SOCKADDR_MAX];
        int[] alen = {SOCKADDR_MAX};
        MemorySegment sa = addr == null ? MemorySegment.NULL : MemorySegment.ofArray(addr);
        MemorySegment sl = addr == null ? MemorySegment.NULL : MemorySegment.ofArray(alen);
        try {
            while (true) {
                long n = (long) recvfrom.get().invokeExact(st, fd, seg, (long) len, flags, sa, sl);
                if (n >= 0) {
                    if (from != null) from[0] = java.util.Arrays.copyOf(addr, Math.min(SOCKADDR_MAX, alen[0]));
                    return (int) n;
                }
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("recvfrom", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void shutdown(int fd, int how) {
        MemorySegment st = state.get();
        try {
            int r = (int) shutdown.get().invokeExact(st, fd, how);
            if (r < 0 && errno(st) != Errno.ENOTCONN) throw new OsException("shutdown", "fd " + fd, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final String[] EAI_NAMES = {null, "EAI_BADFLAGS", "EAI_NONAME", "EAI_AGAIN", "EAI_FAIL",
        "EAI_NODATA", "EAI_FAMILY", "EAI_SOCKTYPE", "EAI_SERVICE", "EAI_ADDRFAMILY", "EAI_MEMORY", "EAI_SYSTEM",
        "EAI_OVERFLOW"};

    @Override
    public byte[][] getaddrinfo(String host, int family, int socktype) {
        try (Arena a = Arena.ofConfined()) {
            // struct addrinfo: flags, family, socktype, protocol, addrlen, (pad), addr, canonname, next
            MemorySegment hints = a.allocate(48, 8);
            hints.set(JAVA_INT, 4, family);
            hints.set(JAVA_INT, 8, socktype);
            MemorySegment res = a.allocate(ADDRESS);
            int r = (int) getaddrinfo.get().invokeExact(CString.of(a, "getaddrinfo", host), MemorySegment.NULL, hints, res);
            if (r != 0) {
                String text = ((MemorySegment) gaiStrerror.get().invokeExact(r)).reinterpret(256).getString(0);
                String name = -r > 0 && -r < EAI_NAMES.length ? EAI_NAMES[-r] : "EAI " + r;
                throw new ipcsh.IpcException("getaddrinfo \"" + host + "\": " + text + " (" + name + ")",
                        java.util.Map.of("call", "getaddrinfo", "path", host, "errno", name));
            }
            MemorySegment first = res.get(ADDRESS, 0);
            try {
                java.util.List<byte[]> out = new java.util.ArrayList<>();
                for (MemorySegment ai = first.reinterpret(48); !ai.equals(MemorySegment.NULL) && ai.address() != 0;) {
                    int len = ai.get(JAVA_INT, 16);
                    MemorySegment sa = ai.get(ADDRESS, 24).reinterpret(len);
                    out.add(sa.toArray(ValueLayout.JAVA_BYTE));
                    MemorySegment next = ai.get(ADDRESS, 40);
                    ai = next.address() == 0 ? MemorySegment.NULL : next.reinterpret(48);
                }
                return out.toArray(new byte[0][]);
            } finally {
                freeaddrinfo.get().invokeExact(first);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public String strerror(int errno) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            MemorySegment s = (MemorySegment) strerrorR.get().invokeExact(errno, buf, 256L);
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- processes and standard streams (spawn :detach, (stdin)/(stdout)/(stderr))

    private static final int POSIX_SPAWN_SETSID = 0x80; // glibc 2.26+
    private final Link dup2 = errnoCall("dup2", JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link isatty = plain("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

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
    public boolean isatty(int fd) {
        try {
            return (int) isatty.get().invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- shared memory segments (issue 8) ---

    private final Link shmOpen = errnoCall("shm_open", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private final Link shmUnlink = errnoCall("shm_unlink", JAVA_INT, ADDRESS);
    private final Link ftruncate = errnoCall("ftruncate", JAVA_INT, JAVA_INT, JAVA_LONG);
    private final Link lseek = errnoCall("lseek", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private final Link mmap = errnoCall("mmap", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    private final Link munmap = plain("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private final Link msync = errnoCall("msync", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private final Link shmget = errnoCall("shmget", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private final Link shmat = errnoCall("shmat", ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link shmdt = plain("shmdt", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link shmctl = errnoCall("shmctl", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    /** sizeof(struct shmid_ds) on 64-bit Linux is 112; 256 leaves room. shm_segsz follows the 48-byte ipc_perm. */
    private static final int SHMID_DS_SIZE = 256, SHM_SEGSZ_OFFSET = 48;
    private static final long MAP_FAILED = -1L;

    @Override
    public int shmOpen(String name, int oflag, int mode) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = CString.of(a, "shm_open", name);
            while (true) {
                int fd = (int) shmOpen.get().invokeExact(st, p, oflag, mode);
                if (fd >= 0) return fd;
                int e = errno(st);
                if (e != EINTR) throw new OsException("shm_open", name, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void shmUnlink(String name) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            int r = (int) shmUnlink.get().invokeExact(st, CString.of(a, "shm_unlink", name));
            if (r < 0) throw new OsException("shm_unlink", name, errno(st));
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
    public MemorySegment mmap(long length, int prot, int flags, int fd, long offset, Arena arena) {
        MemorySegment st = state.get();
        try {
            MemorySegment p = (MemorySegment) mmap.get().invokeExact(st, MemorySegment.NULL, length, prot, flags, fd, offset);
            if (p.address() == MAP_FAILED) throw new OsException("mmap", "fd " + fd, errno(st));
            return p.reinterpret(length, arena, m -> unmap(m, length));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void unmap(MemorySegment m, long length) {
        try {
            int ignored = (int) munmap.get().invokeExact(m, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void msync(MemorySegment mapping, int flags) {
        MemorySegment st = state.get();
        try {
            int r = (int) msync.get().invokeExact(st, mapping, mapping.byteSize(), flags);
            if (r < 0) throw new OsException("msync", null, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int shmget(int key, long size, int flags) {
        MemorySegment st = state.get();
        try {
            int id = (int) shmget.get().invokeExact(st, key, size, flags);
            if (id < 0) throw new OsException("shmget", String.format("key 0x%08x", key), errno(st));
            return id;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public MemorySegment shmat(int shmid, long size, int flags, Arena arena) {
        MemorySegment st = state.get();
        try {
            MemorySegment p = (MemorySegment) shmat.get().invokeExact(st, shmid, MemorySegment.NULL, flags);
            if (p.address() == MAP_FAILED) throw new OsException("shmat", "id " + shmid, errno(st));
            return p.reinterpret(size, arena, this::detach);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void detach(MemorySegment m) {
        try {
            int ignored = (int) shmdt.get().invokeExact(m);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long shmctlSize(int shmid) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ds = a.allocate(SHMID_DS_SIZE, 8);
            int r = (int) shmctl.get().invokeExact(st, shmid, IPC_STAT, ds);
            if (r < 0) throw new OsException("shmctl", "id " + shmid, errno(st));
            return ds.get(JAVA_LONG, SHM_SEGSZ_OFFSET);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void shmctlRemove(int shmid) {
        MemorySegment st = state.get();
        try {
            int r = (int) shmctl.get().invokeExact(st, shmid, IPC_RMID, MemorySegment.NULL);
            if (r < 0) throw new OsException("shmctl", "id " + shmid, errno(st));
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

    // --- POSIX/System V queues and semaphores (issue 8) ---

    /** Linked on first use: most sessions never touch a queue or a semaphore. */
    private static final class Queues {
        static final MethodHandle MQ_OPEN = LINKER.downcallHandle(symbol("mq_open"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), ERRNO_CAPTURE,
                Linker.Option.firstVariadicArg(2));
        static final Link MQ_GETATTR = errnoCall("mq_getattr", JAVA_INT, JAVA_INT, ADDRESS);
        static final Link MQ_SEND = critical("mq_send", JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final Link MQ_RECEIVE = critical("mq_receive", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);
        static final Link MQ_UNLINK = errnoCall("mq_unlink", JAVA_INT, ADDRESS);
        static final MethodHandle SEM_OPEN = LINKER.downcallHandle(symbol("sem_open"),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_CAPTURE,
                Linker.Option.firstVariadicArg(2));
        static final Link SEM_CLOSE = errnoCall("sem_close", JAVA_INT, ADDRESS);
        static final Link SEM_TIMEDWAIT = errnoCall("sem_timedwait", JAVA_INT, ADDRESS, ADDRESS);
        static final Link SEM_TRYWAIT = errnoCall("sem_trywait", JAVA_INT, ADDRESS);
        static final Link SEM_POST = errnoCall("sem_post", JAVA_INT, ADDRESS);
        static final Link SEM_GETVALUE = errnoCall("sem_getvalue", JAVA_INT, ADDRESS, ADDRESS);
        static final Link SEM_UNLINK = errnoCall("sem_unlink", JAVA_INT, ADDRESS);
        static final Link MSGGET = errnoCall("msgget", JAVA_INT, JAVA_INT, JAVA_INT);
        static final Link MSGSND = errnoCall("msgsnd", JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final Link MSGRCV = errnoCall("msgrcv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT);
        static final Link MSGCTL = errnoCall("msgctl", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
        static final int ETIMEDOUT = 110, IPC_RMID = 0;
    }

    private static MemorySegment semAt(long sem) {
        return MemorySegment.ofAddress(sem);
    }

    @Override
    public int mqOpen(String name, int flags, int mode, long maxMsg, long msgSize) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = MemorySegment.NULL;
            if (maxMsg > 0 && msgSize > 0) {
                attr = a.allocate(64, 8); // struct mq_attr: flags, maxmsg, msgsize, curmsgs, 4 reserved longs
                attr.set(JAVA_LONG, 8, maxMsg);
                attr.set(JAVA_LONG, 16, msgSize);
            }
            MemorySegment n = CString.of(a, "mq_open", name);
            while (true) {
                int fd = (int) Queues.MQ_OPEN.invokeExact(st, n, flags, mode, attr);
                if (fd >= 0) return fd;
                int e = errno(st);
                if (e != EINTR) throw new OsException("mq_open", name, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long[] mqGetattr(int mqd) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(64, 8);
            int r = (int) Queues.MQ_GETATTR.get().invokeExact(st, mqd, attr);
            if (r < 0) throw new OsException("mq_getattr", "fd " + mqd, errno(st));
            return new long[] {attr.get(JAVA_LONG, 0), attr.get(JAVA_LONG, 8), attr.get(JAVA_LONG, 16), attr.get(JAVA_LONG, 24)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int mqSend(int mqd, byte[] buf, int off, int len, int prio) {
        MemorySegment st = state.get();
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        try {
            while (true) {
                int r = (int) Queues.MQ_SEND.get().invokeExact(st, mqd, seg, (long) len, prio);
                if (r == 0) return 0;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("mq_send", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int mqReceive(int mqd, byte[] buf, int off, int len, int[] prio) {
        MemorySegment st = state.get();
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        MemorySegment p = MemorySegment.ofArray(prio);
        try {
            while (true) {
                long n = (long) Queues.MQ_RECEIVE.get().invokeExact(st, mqd, seg, (long) len, p);
                if (n >= 0) return (int) n;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("mq_receive", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void mqUnlink(String name) {
        pathCall(Queues.MQ_UNLINK, "mq_unlink", name, 0, false);
    }

    @Override
    public long semOpen(String name, int flags, int mode, int value) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = CString.of(a, "sem_open", name);
            while (true) {
                MemorySegment s = (MemorySegment) Queues.SEM_OPEN.invokeExact(st, n, flags, mode, value);
                if (s.address() != 0) return s.address();
                int e = errno(st);
                if (e != EINTR) throw new OsException("sem_open", name, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void semClose(long sem) {
        semCall(Queues.SEM_CLOSE, "sem_close", sem);
    }

    @Override
    public boolean semTimedwait(long sem, long absNanos) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ts = a.allocate(16, 8);
            ts.set(JAVA_LONG, 0, Math.floorDiv(absNanos, 1_000_000_000L));
            ts.set(JAVA_LONG, 8, Math.floorMod(absNanos, 1_000_000_000L));
            int r = (int) Queues.SEM_TIMEDWAIT.get().invokeExact(st, semAt(sem), ts);
            if (r == 0) return true;
            int e = errno(st);
            if (e == Queues.ETIMEDOUT || e == EINTR) return false;
            throw new OsException("sem_timedwait", null, e);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public boolean semTrywait(long sem) {
        MemorySegment st = state.get();
        try {
            while (true) {
                int r = (int) Queues.SEM_TRYWAIT.get().invokeExact(st, semAt(sem));
                if (r == 0) return true;
                int e = errno(st);
                if (e == EAGAIN) return false;
                if (e != EINTR) throw new OsException("sem_trywait", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void semPost(long sem) {
        semCall(Queues.SEM_POST, "sem_post", sem);
    }

    private void semCall(Link h, String call, long sem) {
        MemorySegment st = state.get();
        try {
            int r = (int) h.get().invokeExact(st, semAt(sem));
            if (r < 0) throw new OsException(call, null, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int semGetvalue(long sem) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            int r = (int) Queues.SEM_GETVALUE.get().invokeExact(st, semAt(sem), v);
            if (r < 0) throw new OsException("sem_getvalue", null, errno(st));
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void semUnlink(String name) {
        pathCall(Queues.SEM_UNLINK, "sem_unlink", name, 0, false);
    }

    @Override
    public int msgget(int key, int flags) {
        MemorySegment st = state.get();
        try {
            int id = (int) Queues.MSGGET.get().invokeExact(st, key, flags);
            if (id < 0) throw new OsException("msgget", String.format("key 0x%08x", key), errno(st));
            return id;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public boolean msgsnd(int msqid, byte[] buf, int off, int len, long mtype, int flags) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(8L + len, 8); // struct msgbuf: long mtype; char mtext[]
            m.set(JAVA_LONG, 0, mtype);
            MemorySegment.copy(buf, off, m, ValueLayout.JAVA_BYTE, 8, len);
            while (true) {
                int r = (int) Queues.MSGSND.get().invokeExact(st, msqid, m, (long) len, flags);
                if (r == 0) return true;
                int e = errno(st);
                if (e == EAGAIN) return false;
                if (e != EINTR) throw new OsException("msgsnd", "id " + msqid, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int msgrcv(int msqid, byte[] buf, long msgtyp, int flags, long[] mtype) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(8L + buf.length, 8);
            while (true) {
                long n = (long) Queues.MSGRCV.get().invokeExact(st, msqid, m, (long) buf.length, msgtyp, flags);
                if (n >= 0) {
                    mtype[0] = m.get(JAVA_LONG, 0);
                    MemorySegment.copy(m, ValueLayout.JAVA_BYTE, 8, buf, 0, (int) n);
                    return (int) n;
                }
                int e = errno(st);
                if (e == ENOMSG) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("msgrcv", "id " + msqid, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void msgctlRemove(int msqid) {
        MemorySegment st = state.get();
        try {
            int r = (int) Queues.MSGCTL.get().invokeExact(st, msqid, Queues.IPC_RMID, MemorySegment.NULL);
            if (r < 0) throw new OsException("msgctl", "id " + msqid, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- signals and pseudo-terminals (issue 9) ---

    private final Link posixOpenpt = errnoCall("posix_openpt", JAVA_INT, JAVA_INT);
    private final Link grantpt = errnoCall("grantpt", JAVA_INT, JAVA_INT);
    private final Link unlockpt = errnoCall("unlockpt", JAVA_INT, JAVA_INT);
    private final Link ptsnameR = plain("ptsname_r", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    private final Link ioctlPtr = linkedOnFirstCall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO_CAPTURE, Linker.Option.firstVariadicArg(2));
    private final Link tcgetattr = errnoCall("tcgetattr", JAVA_INT, JAVA_INT, ADDRESS);
    private final Link tcsetattr = errnoCall("tcsetattr", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private final Link cfmakeraw = plain("cfmakeraw", FunctionDescriptor.ofVoid(ADDRESS));
    private final Link faAddOpen = plain("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final int TERMIOS_SIZE = 60; // POSIX_SPAWN_SETSID: above, with spawn :detach

    private int intCall(Link h, String call, String subject, int arg) {
        MemorySegment st = state.get();
        try {
            int r = (int) h.get().invokeExact(st, arg);
            if (r < 0) throw new OsException(call, subject, errno(st));
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int posixOpenpt(int flags) {
        return intCall(posixOpenpt, "posix_openpt", null, flags);
    }

    @Override
    public void grantpt(int master) {
        intCall(grantpt, "grantpt", "fd " + master, master);
    }

    @Override
    public void unlockpt(int master) {
        intCall(unlockpt, "unlockpt", "fd " + master, master);
    }

    @Override
    public String ptsname(int master) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(128);
            int r = (int) ptsnameR.get().invokeExact(master, buf, 128L);
            if (r != 0) throw new OsException("ptsname_r", "fd " + master, r);
            return buf.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void ioctl(int fd, long request, MemorySegment arg, String call) {
        MemorySegment st = state.get();
        try {
            int r = (int) ioctlPtr.get().invokeExact(st, fd, request, arg);
            if (r < 0) throw new OsException(call, "fd " + fd, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void setWindowSize(int fd, int rows, int cols) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ws = a.allocate(8, 2);
            ws.set(JAVA_SHORT, 0, (short) rows);
            ws.set(JAVA_SHORT, 2, (short) cols);
            ioctl(fd, TIOCSWINSZ, ws, "ioctl TIOCSWINSZ");
        }
    }

    @Override
    public int[] getWindowSize(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ws = a.allocate(8, 2);
            ioctl(fd, TIOCGWINSZ, ws, "ioctl TIOCGWINSZ");
            return new int[] {Short.toUnsignedInt(ws.get(JAVA_SHORT, 0)), Short.toUnsignedInt(ws.get(JAVA_SHORT, 2))};
        }
    }

    @Override
    public byte[] tcgetattr(int fd) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(TERMIOS_SIZE, 4);
            int r = (int) tcgetattr.get().invokeExact(st, fd, t);
            if (r < 0) throw new OsException("tcgetattr", "fd " + fd, errno(st));
            return t.toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public void tcsetattr(int fd, int action, byte[] termios) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(TERMIOS_SIZE, 4);
            t.copyFrom(MemorySegment.ofArray(termios));
            int r = (int) tcsetattr.get().invokeExact(st, fd, action, t);
            if (r < 0) throw new OsException("tcsetattr", "fd " + fd, errno(st));
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public void cfmakeraw(byte[] termios) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(TERMIOS_SIZE, 4);
            t.copyFrom(MemorySegment.ofArray(termios));
            cfmakeraw.get().invokeExact(t);
            MemorySegment.ofArray(termios).copyFrom(t);
        } catch (Throwable e) {
            throw rethrow(e);
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
                everyChild(a, fa, attr, sigs, dir, true);
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
    public int fstatMode(int fd) {
        return ipcsh.os.FileCalls.get().fstat(fd).mode(); // one struct stat decoder, with owner and identity
    }

    // ---- signal traps with the sender (issue 9: sigaction and a siginfo forwarder)

    private final Link sigactionCall = errnoCall("sigaction", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private final Link mprotect = errnoCall("mprotect", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final int PROT_EXEC = 4, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, CODE_PAGE = 4096;
    /** offsetof(ucontext_t, uc_sigmask) on x86_64: uc_flags, uc_link, uc_stack (24), uc_mcontext (256). */
    private static final int UC_SIGMASK = 296;
    private final Link gettid = plain("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final boolean X86_64 = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));

    @Override
    public byte[] sigaction(int sig, byte[] act) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment in = MemorySegment.NULL;
            if (act != null) {
                in = a.allocate(SIGACTION_SIZE, 8);
                in.copyFrom(MemorySegment.ofArray(act));
            }
            MemorySegment old = a.allocate(SIGACTION_SIZE, 8);
            int r = (int) sigactionCall.get().invokeExact(st, sig, in, old);
            if (r < 0) throw new OsException("sigaction", "signal " + sig, errno(st));
            return old.toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long sigInfoForwarder(int fd, int tid) {
        if (!X86_64) return 0;
        // In: edi the signal, rsi the siginfo_t*, rdx the ucontext_t*. The syscall instruction
        // leaves rdi, rsi and rdx alone and never touches libc's errno.
        byte[] code = {
            (byte) 0xb8, (byte) 186, 0, 0, 0,                                                     // mov eax, SYS_gettid
            0x0f, 0x05,                                                                         // syscall
            0x3d, (byte) tid, (byte) (tid >>> 8), (byte) (tid >>> 16), (byte) (tid >>> 24),       // cmp eax, tid
            0x74, 18,                                                                           // je write
            (byte) 0x8d, 0x4f, (byte) 0xff,                                                     // lea ecx, [rdi-1]
            (byte) 0xb8, 1, 0, 0, 0,                                                            // mov eax, 1
            0x48, (byte) 0xd3, (byte) 0xe0,                                                     // shl rax, cl
            0x48, 0x09, (byte) 0x82, (byte) UC_SIGMASK, UC_SIGMASK >>> 8, 0, 0,                 // or [rdx+uc_sigmask], rax
            (byte) 0xbf, (byte) fd, (byte) (fd >>> 8), (byte) (fd >>> 16), (byte) (fd >>> 24),  // write: mov edi, fd
            (byte) 0xb8, 1, 0, 0, 0,                                                            // mov eax, SYS_write
            (byte) 0xba, (byte) SIGINFO_SIZE, 0, 0, 0,                                          // mov edx, 128
            0x0f, 0x05,                                                                         // syscall
            (byte) 0xc3};                                                                       // ret
        MemorySegment st = state.get();
        try {
            MemorySegment page = (MemorySegment) mmap.get().invokeExact(st, MemorySegment.NULL, (long) CODE_PAGE,
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            if (page.address() == MAP_FAILED) throw new OsException("mmap", "signal handler page", errno(st));
            page = page.reinterpret(CODE_PAGE);
            page.copyFrom(MemorySegment.ofArray(code));
            int r = (int) mprotect.get().invokeExact(st, page, (long) CODE_PAGE, PROT_READ | PROT_EXEC);
            if (r < 0) throw new OsException("mprotect", "signal handler page", errno(st));
            return page.address();
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

    // ------------------------------------------------------------------ linking on first call (expect throughput)

    /**
     * A libc function whose downcall handle is made when first called. Linking costs
     * milliseconds per function shape (the JDK generates a class for each), over 100 ms of CPU
     * for all of libc's calls here, and a script uses a handful. So is wrapping a handle in
     * another one that links it lazily: each shape of combinator spins classes too, and building
     * those wrappers for all ~85 functions kept the first IPC builtin of every script (a spawn, a
     * pipe) waiting 50-70 ms. A call site says {@code (int) f.get().invokeExact(...)}. The symbol
     * is looked up at once, so a missing one is still an error at start-up.
     */
    private static Link linkedOnFirstCall(String name, FunctionDescriptor fd, Linker.Option... options) {
        return new Link(symbol(name), fd, options);
    }

    /** One libc function's downcall, linked when first asked for. */
    private static final class Link {
        private final MemorySegment address;
        private final FunctionDescriptor fd;
        private final Linker.Option[] options;
        private volatile MethodHandle handle;

        Link(MemorySegment address, FunctionDescriptor fd, Linker.Option[] options) {
            this.address = address;
            this.fd = fd;
            this.options = options;
        }

        MethodHandle get() {
            MethodHandle h = handle;
            if (h == null) handle = h = LINKER.downcallHandle(address, fd, options);
            return h;
        }
    }

    // --- the hot path's speed (issue 11). read, write and poll call through static final
    // handles, which the JIT inlines down to the native call (an instance field's handle is no
    // constant to it: each call went through a generic invoker, and the heap segments escaped),
    // and find the calling thread's errno segment without a ThreadLocal lookup (its weak
    // reference check was ~5% of a round trip's Java time): the interpreter thread makes nearly
    // all of these calls. A wait's pollfds reuse the thread's buffer instead of an arena's
    // malloc and free per poll.

    // Linked at once, not on first call: nearly every script reads, writes or waits, and only a
    // handle that is itself the constant lets the JIT inline down to the native call.
    private static final MethodHandle READ = LINKER.downcallHandle(symbol("read"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_CAPTURE, Linker.Option.critical(true));
    private static final MethodHandle WRITE = LINKER.downcallHandle(symbol("write"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_CAPTURE, Linker.Option.critical(true));
    private static final MethodHandle POLL = LINKER.downcallHandle(symbol("poll"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_CAPTURE);

    /** A thread's errno segment, and room for the pollfds of a wait (a blocking verb's: its descriptor, Ctrl-C's, queued writers'). */
    private record OwnedState(Thread owner, MemorySegment segment, MemorySegment pollfds) {}

    private static final int POLL_FDS = 8;
    private final ThreadLocal<MemorySegment> pollfds = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(8L * POLL_FDS, 8));
    private volatile OwnedState lastState;

    private MemorySegment state() {
        return owned().segment();
    }

    private OwnedState owned() {
        Thread t = Thread.currentThread();
        OwnedState s = lastState;
        if (s != null && s.owner() == t) return s;
        s = new OwnedState(t, state.get(), pollfds.get());
        lastState = s;
        return s;
    }
}
