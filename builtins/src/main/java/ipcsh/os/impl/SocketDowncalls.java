package ipcsh.os.impl;

import ipcsh.os.Errno;
import ipcsh.os.OsException;
import ipcsh.os.Received;
import ipcsh.os.SockAddr;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** sys/socket.h, netdb.h: sockets with addresses as struct sockaddr bytes ({@link SockAddr}), getaddrinfo. */
abstract class SocketDowncalls extends ProcessDowncalls {
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
    private final Link socketpair = errnoCall("socketpair", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    // not critical: the D-Bus module may call these on a blocking socket, and a critical call must not wait
    private final Link sendmsg = errnoCall("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link recvmsg = errnoCall("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private final ThreadLocal<MsgBuffers> msgBuffers = ThreadLocal.withInitial(MsgBuffers::new);
    private static final int SOCKADDR_MAX = 128; // sizeof(struct sockaddr_storage)

    /**
     * recvmsg with MSG_DONTWAIT, a unix socket's every gets: it never waits, so it may be critical
     * (no thread-state transition), and a static final handle is a constant the JIT inlines down
     * to the native call, as FileDowncalls' read and write (through a Link's field each call went
     * through the generic invoker and its type checks). Linked on first use: only scripts that
     * read a unix socket need it.
     */
    private static final class RecvNow {
        static final MethodHandle RECVMSG = LINKER.downcallHandle(symbol("recvmsg"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_CAPTURE, Linker.Option.critical(true));
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

    // struct msghdr (LP64): name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48
    private static final int MSGHDR = 56, IOVEC = 16, CMSGHDR = 16;

    /**
     * A thread's native room for sendmsg and recvmsg: the kernel reads a msghdr's pointers, so
     * the data, address and control messages must be native memory, not the caller's arrays.
     * The pointers are set once; a call sets only the lengths (C1 compiles each access, and a
     * unix socket's every gets goes through here).
     */
    private static final class MsgBuffers {
        final Thread owner = Thread.currentThread();
        final MemorySegment hdr = Arena.ofAuto().allocate(MSGHDR + IOVEC + SOCKADDR_MAX, 8);
        final MemorySegment iov = hdr.asSlice(MSGHDR, IOVEC), name = hdr.asSlice(MSGHDR + IOVEC, SOCKADDR_MAX);
        final MemorySegment control = Arena.ofAuto().allocate(CMSGHDR + align(4L * SCM_MAX_FD), 8);
        MemorySegment data = Arena.ofAuto().allocate(64 * 1024, 8);

        MsgBuffers() {
            hdr.set(ADDRESS, 16, iov);
            hdr.set(JAVA_LONG, 24, 1L);
            iov.set(ADDRESS, 0, data);
        }

        MemorySegment data(int len) {
            if (data.byteSize() < len) {
                data = Arena.ofAuto().allocate(len, 8);
                iov.set(ADDRESS, 0, data);
            }
            return data;
        }

        private int lastLen = -1, lastAlen = -1;
        private long lastControl = -1;

        /**
         * The msghdr for len bytes of data, an address of alen bytes (0: none) and controllen
         * bytes of control. Only what changed is set, and what the kernel writes back (the
         * lengths of the address and control data).
         */
        MemorySegment header(int len, int alen, long controllen) {
            if (alen != lastAlen) hdr.set(ADDRESS, 0, alen == 0 ? MemorySegment.NULL : name);
            if (alen != 0 || lastAlen != 0) hdr.set(JAVA_INT, 8, alen);
            if ((controllen == 0) != (lastControl == 0) || lastControl < 0) {
                hdr.set(ADDRESS, 32, controllen == 0 ? MemorySegment.NULL : control);
            }
            if (controllen != 0 || lastControl != 0) hdr.set(JAVA_LONG, 40, controllen);
            if (len != lastLen) iov.set(JAVA_LONG, 8, (long) len);
            lastLen = len;
            lastAlen = alen;
            lastControl = controllen;
            return hdr;
        }
    }

    private volatile MsgBuffers lastMsgBuffers;

    /** The calling thread's buffers, found without a ThreadLocal lookup when it is the last caller (the interpreter thread). */
    private MsgBuffers msgBuffers() {
        MsgBuffers m = lastMsgBuffers;
        if (m != null && m.owner == Thread.currentThread()) return m;
        m = msgBuffers.get();
        lastMsgBuffers = m;
        return m;
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }

    @Override
    public int sendmsg(int fd, byte[] buf, int off, int len, int[] fds, int flags, byte[] addr) {
        if (fds.length > SCM_MAX_FD) throw new IllegalArgumentException(fds.length + " descriptors: at most " + SCM_MAX_FD);
        MemorySegment st = state();
        MsgBuffers m = msgBuffers();
        MemorySegment.copy(buf, off, m.data(len), ValueLayout.JAVA_BYTE, 0, len);
        int alen = addr == null ? 0 : addr.length;
        long controllen = fds.length == 0 ? 0 : CMSGHDR + align(4L * fds.length);
        MemorySegment h = m.header(len, alen, controllen);
        if (alen > 0) MemorySegment.copy(addr, 0, m.name, ValueLayout.JAVA_BYTE, 0, alen);
        if (fds.length > 0) {
            m.control.set(JAVA_LONG, 0, CMSGHDR + 4L * fds.length); // cmsg_len: CMSG_LEN
            m.control.set(JAVA_INT, 8, SOL_SOCKET);
            m.control.set(JAVA_INT, 12, SCM_RIGHTS);
            MemorySegment.copy(fds, 0, m.control, JAVA_INT, CMSGHDR, fds.length);
        }
        try {
            while (true) {
                long n = (long) sendmsg.get().invokeExact(st, fd, h, flags | MSG_NOSIGNAL);
                if (n >= 0) return (int) n;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("sendmsg", addr == null ? null : SockAddr.format(addr), e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public Received recvmsg(int fd, byte[] buf, int off, int len, int maxFds, int flags, boolean from) {
        MemorySegment st = state();
        MsgBuffers m = msgBuffers();
        m.data(len);
        long room = maxFds <= 0 ? 0 : CMSGHDR + align(4L * Math.min(maxFds, SCM_MAX_FD));
        try {
            while (true) {
                MemorySegment h = m.header(len, from ? SOCKADDR_MAX : 0, room);
                long n = (flags & MSG_DONTWAIT) != 0
                        ? (long) RecvNow.RECVMSG.invokeExact(st, fd, h, flags | MSG_CMSG_CLOEXEC)
                        : (long) recvmsg.get().invokeExact(st, fd, h, flags | MSG_CMSG_CLOEXEC);
                if (n < 0) {
                    int e = errno(st);
                    if (e == EAGAIN) return null;
                    if (e == EINTR) continue;
                    throw new OsException("recvmsg", "fd " + fd, e);
                }
                // into the array itself: MemorySegment.ofArray made two objects a read
                if (n > 0) MemorySegment.copy(m.data, ValueLayout.JAVA_BYTE, 0, buf, off, (int) Math.min(n, len));
                byte[] sender = from ? m.name.asSlice(0, Math.min(SOCKADDR_MAX, h.get(JAVA_INT, 8))).toArray(ValueLayout.JAVA_BYTE) : null;
                long controllen = room == 0 ? 0 : h.get(JAVA_LONG, 40);
                return new Received((int) n, controllen == 0 ? NO_FDS : descriptors(m.control, controllen), h.get(JAVA_INT, 48), sender);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The descriptors of every SCM_RIGHTS message in the control data received (CMSG_FIRSTHDR, CMSG_NXTHDR). */
    private static int[] descriptors(MemorySegment control, long controllen) {
        int[] out = NO_FDS;
        for (long p = 0; p + CMSGHDR <= controllen;) {
            long clen = control.get(JAVA_LONG, p);
            if (clen < CMSGHDR || p + clen > controllen) break;
            if (control.get(JAVA_INT, p + 8) == SOL_SOCKET && control.get(JAVA_INT, p + 12) == SCM_RIGHTS) {
                int n = (int) ((clen - CMSGHDR) / 4), had = out.length;
                out = java.util.Arrays.copyOf(out, had + n);
                MemorySegment.copy(control, JAVA_INT, p + CMSGHDR, out, had, n);
            }
            p += align(clen);
        }
        return out;
    }

    private static final int[] NO_FDS = new int[0];

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
    public int[] socketpair(int domain, int type, int protocol) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            int r = (int) socketpair.get().invokeExact(st, domain, type, protocol, fds);
            if (r < 0) throw new OsException("socketpair", null, errno(st));
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
