package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.TimeoutError;
import ipcsh.chan.Waiter;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;
import ipcsh.os.SockAddr;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * Making sockets: every one a raw non-blocking, close-on-exec descriptor, so the one reactor
 * watches them like any other channel. Stream sockets get a {@link SocketDriver}, listening
 * ones a {@link ListenerDriver}, datagram ones a {@link DatagramDriver}.
 */
public final class Sockets {
    private static final int FLAGS = LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC;

    private Sockets() {}

    // ------------------------------------------------------------------ addresses

    /** The addresses of host (a name or a numeric address), port set; an unknown host is a clear error. */
    public static byte[][] resolve(String host, int port, int socktype, String call) {
        checkPort(port, call);
        ipcsh.ArgCheck.noNul(call, "host", host);
        byte[][] addrs;
        try {
            addrs = LibC.get().getaddrinfo(host, LibC.AF_UNSPEC, socktype);
        } catch (IpcException e) {
            throw new IpcException(call + " \"" + host + ":" + port + "\": unknown host (" + e.getMessage() + ")",
                    Map.of("call", call, "path", host, "errno", String.valueOf(e.data().get("errno"))));
        }
        if (addrs.length == 0) throw new IpcException(call + " \"" + host + "\": unknown host (no addresses)");
        for (int i = 0; i < addrs.length; i++) addrs[i] = SockAddr.withPort(addrs[i], port);
        return addrs;
    }

    private static void checkPort(int port, String call) {
        ipcsh.ArgCheck.count(call, "port", (long) port, 0, 65535);
    }

    /** A port number a script gave inside an address: whole, 0 to 65535, never wrapped. */
    private static int port(Object v, String call) {
        return (int) ipcsh.ArgCheck.count(call, "port", v, 0, 65535);
    }

    /** An address as scripts see it: ["127.0.0.1" 5000] for ip, "/path" or "@name" for unix, nil if unnamed. */
    public static Object addressValue(byte[] addr) {
        if (addr == null) return null;
        int f = SockAddr.family(addr);
        if (f == LibC.AF_INET || f == LibC.AF_INET6) return List.of(SockAddr.host(addr), (long) SockAddr.port(addr));
        String p = SockAddr.path(addr);
        return p == null || p.isEmpty() ? null : p;
    }

    /**
     * An address value back to struct sockaddr bytes for a socket of the given family:
     * ["host" port], a port alone (the wildcard address), or a unix path / "@name".
     */
    public static byte[] addressOf(Object v, int family, int socktype, String call) {
        if (v instanceof String s && family == LibC.AF_UNIX) return SockAddr.unix(s, call);
        if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String host && l.get(1) instanceof Number port) {
            if (family == LibC.AF_UNIX) throw new IpcException(call + ": a unix socket takes a path, not " + l);
            byte[][] all = resolve(host, port(port, call), socktype, call);
            for (byte[] a : all) if (SockAddr.family(a) == family) return a;
            throw new IpcException(call + " \"" + host + "\": no " + (family == LibC.AF_INET ? "IPv4" : "IPv6")
                    + " address for this socket");
        }
        if (v instanceof Number port && family != LibC.AF_UNIX) return SockAddr.any(family, port(port, call));
        throw new IpcException(call + ": address must be " + (family == LibC.AF_UNIX ? "a path or \"@name\"" : "[\"host\" port]")
                + ", not " + v);
    }

    /** :local, :port, :peer, :peer-port, and for unix stream sockets :peer-pid :peer-uid :peer-gid. */
    static void addressOptions(Map<String, Object> m, int fd, boolean connected) {
        if (fd < 0) return;
        LibC c = LibC.get();
        byte[] local = c.getsockname(fd);
        int family = SockAddr.family(local);
        m.put("local", SockAddr.format(local));
        if (family != LibC.AF_UNIX) m.put("port", (long) SockAddr.port(local));
        if (!connected) return;
        byte[] peer;
        try {
            peer = c.getpeername(fd);
        } catch (OsException e) {
            if (e.errno() != Errno.ENOTCONN) throw e;
            m.put("peer", null);
            return;
        }
        m.put("peer", SockAddr.format(peer));
        if (family != LibC.AF_UNIX) {
            m.put("peer-port", (long) SockAddr.port(peer));
        } else if (c.getsockoptInt(fd, LibC.SOL_SOCKET, 3 /* SO_TYPE */) == LibC.SOCK_STREAM) {
            ByteBuffer cred = ByteBuffer.wrap(c.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_PEERCRED, 12)).order(ByteOrder.nativeOrder());
            m.put("peer-pid", (long) cred.getInt(0));
            m.put("peer-uid", Integer.toUnsignedLong(cred.getInt(4)));
            m.put("peer-gid", Integer.toUnsignedLong(cred.getInt(8)));
        }
    }

    // ------------------------------------------------------------------ stream clients

    /** A tcp connection to host:port, trying each address the resolver gives; bounded by timeoutMs (negative: none). */
    public static Channel connectTcp(String host, int port, long timeoutMs) {
        String subject = host + ":" + port;
        long deadline = Waiter.deadline(timeoutMs);
        RuntimeException last = null;
        for (byte[] addr : resolve(host, port, LibC.SOCK_STREAM, "connect")) {
            int fd = LibC.get().socket(SockAddr.family(addr), LibC.SOCK_STREAM | FLAGS, 0);
            try {
                if (!LibC.get().connect(fd, addr)) {
                    if (!Waiter.await(fd, LibC.POLLOUT, deadline, "connect \"" + subject + "\"")) {
                        throw new TimeoutError("connect \"" + subject + "\"", timeoutMs);
                    }
                    int err = LibC.get().getsockoptInt(fd, LibC.SOL_SOCKET, LibC.SO_ERROR);
                    if (err != 0) throw new OsException("connect", subject, err);
                }
                LibC.get().setsockoptInt(fd, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, 1);
                return new Channel(new SocketDriver(fd, "tcp", subject));
            } catch (OsException e) {
                LibC.get().close(fd);
                last = e.call().equals("connect") ? e.about(subject) : e;
            } catch (RuntimeException e) {
                LibC.get().close(fd);
                throw e;
            }
        }
        throw last;
    }

    /** A unix stream connection to a path or "@name"; waits while the server's backlog is full, up to timeoutMs. */
    public static Channel connectUnix(String path, long timeoutMs) {
        byte[] addr = SockAddr.unix(path, "connect");
        int fd = LibC.get().socket(LibC.AF_UNIX, LibC.SOCK_STREAM | FLAGS, 0);
        try {
            long deadline = Waiter.deadline(timeoutMs);
            while (!connectOnce(fd, addr)) {
                if (System.nanoTime() > deadline) throw new TimeoutError("connect \"" + path + "\" (server busy)", timeoutMs);
                Waiter.sleep(5, "connect \"" + path + "\"");
            }
            return new Channel(new SocketDriver(fd, "unix", path));
        } catch (RuntimeException e) {
            LibC.get().close(fd);
            throw e;
        }
    }

    /** One unix connect attempt: false while the server's backlog is full (EAGAIN). */
    private static boolean connectOnce(int fd, byte[] addr) {
        try {
            return LibC.get().connect(fd, addr);
        } catch (OsException e) {
            if (e.errno() == Errno.EISCONN) return true; // an earlier attempt, interrupted, went through
            throw e;
        }
    }

    // ------------------------------------------------------------------ servers

    /** A listening tcp socket on host (null: every IPv4 interface) and port (0: a free one). */
    public static Channel listenTcp(String host, int port, int backlog) {
        byte[] addr = host == null ? SockAddr.any(LibC.AF_INET, port) : resolve(host, port, LibC.SOCK_STREAM, "listen")[0];
        checkPort(port, "listen");
        int fd = LibC.get().socket(SockAddr.family(addr), LibC.SOCK_STREAM | FLAGS, 0);
        try {
            LibC.get().setsockoptInt(fd, LibC.SOL_SOCKET, LibC.SO_REUSEADDR, 1);
            try {
                LibC.get().bind(fd, addr);
            } catch (OsException e) {
                throw new OsException("listen", SockAddr.format(addr), e.errno(),
                        e.errno() == Errno.EADDRINUSE ? "another socket has this port" : null);
            }
            LibC.get().listen(fd, backlog);
            String name = SockAddr.format(LibC.get().getsockname(fd));
            return new Channel(new ListenerDriver(fd, "tcp-server", name, null));
        } catch (RuntimeException e) {
            LibC.get().close(fd);
            throw e;
        }
    }

    /**
     * A listening unix stream socket at path or "@name". A stale socket file nobody listens on
     * is replaced; a live server's path, or a file of another kind, is an error. The file is
     * removed on close and at exit.
     */
    public static Channel listenUnix(String path, int backlog) {
        byte[] addr = SockAddr.unix(path, "listen");
        boolean file = clearStalePath(path, LibC.SOCK_STREAM, "listen");
        int fd = LibC.get().socket(LibC.AF_UNIX, LibC.SOCK_STREAM | FLAGS, 0);
        try {
            try {
                LibC.get().bind(fd, addr);
            } catch (OsException e) {
                throw new OsException("listen", path, e.errno(),
                        e.errno() == Errno.EADDRINUSE ? "another socket has this name" : null);
            }
            if (file) UnixPaths.created(path);
            LibC.get().listen(fd, backlog);
            return new Channel(new ListenerDriver(fd, "unix-server", path, file ? path : null));
        } catch (RuntimeException e) {
            LibC.get().close(fd);
            if (file) UnixPaths.remove(path);
            throw e;
        }
    }

    /**
     * Before binding a file path: nothing there is fine; a socket file nobody answers on
     * (ECONNREFUSED) is unlinked; a live socket or any other file is an error. Returns
     * whether path is a file path (not abstract).
     */
    private static boolean clearStalePath(String path, int socktype, String call) {
        if (path.startsWith("@")) return false;
        String type = FifoDriver.fileType(path);
        if (type == null) return true;
        if (!type.equals("socket")) {
            throw new IpcException(call + " \"" + path + "\": exists and is not a socket (it is a " + type + ")",
                    Map.of("call", call, "path", path, "errno", "EEXIST"));
        }
        int probe = LibC.get().socket(LibC.AF_UNIX, socktype | FLAGS, 0);
        try {
            LibC.get().connect(probe, SockAddr.unix(path, call));
        } catch (OsException e) {
            if (e.errno() == Errno.ECONNREFUSED) {
                LibC.get().unlink(path);
                return true;
            }
            if (e.errno() != Errno.EPROTOTYPE) throw e.about(path);
        } finally {
            LibC.get().close(probe);
        }
        throw new OsException(call, path, Errno.EADDRINUSE, "a live socket is already bound there");
    }

    /** What an accepted connection is named after: the peer's address. */
    static Object peerOf(int fd) {
        try {
            return addressValue(LibC.get().getpeername(fd));
        } catch (OsException e) {
            return null;
        }
    }

    /**
     * Accepts every pending connection of a listening channel (non-blocking): calls
     * onAccept with each new channel and its peer (["host" port], a unix path, or nil).
     * Returns how many it accepted, at most max.
     */
    public static int acceptPending(Channel server, int max, java.util.function.BiConsumer<Channel, Object> onAccept) {
        if (!(server.driver() instanceof ListenerDriver l)) throw new IpcException(server.describe() + " is not a listening socket");
        int n = 0;
        while (n < max) {
            int fd = server.readFd();
            if (fd < 0) return n;
            int c = LibC.get().accept4(fd, FLAGS);
            if (c == LibC.WOULD_BLOCK) return n;
            n++;
            String kind = l.kind().equals("tcp-server") ? "tcp" : "unix";
            if (kind.equals("tcp")) LibC.get().setsockoptInt(c, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, 1);
            Object peer = peerOf(c);
            String name = peer instanceof List<?> hp ? hp.get(0) + ":" + hp.get(1) : peer == null ? l.name() : (String) peer;
            onAccept.accept(new Channel(new SocketDriver(c, kind, name)), peer);
        }
        return n;
    }

    // ------------------------------------------------------------------ datagrams

    /**
     * A udp socket; bind: nil, a port or ["host" port]; connect: nil or ["host" port]. The
     * family follows the addresses given (IPv4 when none).
     */
    public static Channel udp(Object bind, Object connect) {
        int family = LibC.AF_INET;
        byte[] to = null;
        if (connect != null) {
            if (!(connect instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String host && l.get(1) instanceof Number port)) {
                throw new IpcException("udp: :connect must be [\"host\" port], not " + connect);
            }
            to = resolve(host, port(port, "udp"), LibC.SOCK_DGRAM, "udp")[0];
            family = SockAddr.family(to);
        } else if (bind instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String host && l.get(1) instanceof Number port) {
            family = SockAddr.family(resolve(host, port(port, "udp"), LibC.SOCK_DGRAM, "udp")[0]);
        }
        int fd = LibC.get().socket(family, LibC.SOCK_DGRAM | FLAGS, 0);
        try {
            if (bind != null) {
                byte[] a = addressOf(bind, family, LibC.SOCK_DGRAM, "udp");
                try {
                    LibC.get().bind(fd, a);
                } catch (OsException e) {
                    throw new OsException("udp", SockAddr.format(a), e.errno(), e.errno() == Errno.EADDRINUSE ? "another socket has this port" : null);
                }
            }
            String name = "";
            if (to != null) {
                LibC.get().connect(fd, to);
                name = SockAddr.format(to);
            } else if (bind != null) {
                name = SockAddr.format(LibC.get().getsockname(fd));
            }
            return new Channel(new DatagramDriver(fd, "udp", name, null));
        } catch (RuntimeException e) {
            LibC.get().close(fd);
            throw e;
        }
    }

    /**
     * A unix datagram socket bound at path or "@name" (a stale socket file is replaced), or
     * with a null path bound to a fresh abstract name (Linux autobind) so that peers can reply.
     * connect: nil, or the path of the peer every plain write goes to.
     */
    public static Channel unixDgram(String path, String connect) {
        byte[] a = path == null ? SockAddr.unixAutobind() : SockAddr.unix(path, "unix-dgram");
        byte[] peer = connect == null ? null : SockAddr.unix(connect, "unix-dgram");
        boolean file = path != null && clearStalePath(path, LibC.SOCK_DGRAM, "unix-dgram");
        int fd = LibC.get().socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | FLAGS, 0);
        try {
            try {
                LibC.get().bind(fd, a);
            } catch (OsException e) {
                throw new OsException("unix-dgram", path, e.errno());
            }
            if (file) UnixPaths.created(path);
            String name = path == null ? SockAddr.format(LibC.get().getsockname(fd)) : path;
            if (connect != null) {
                try {
                    LibC.get().connect(fd, peer);
                } catch (OsException e) {
                    throw new OsException("unix-dgram", connect, e.errno(), e.errno() == Errno.ENOENT ? "no socket at :connect's path" : null);
                }
                name = connect;
            }
            return new Channel(new DatagramDriver(fd, "unix-dgram", name, file ? path : null));
        } catch (RuntimeException e) {
            LibC.get().close(fd);
            if (file) UnixPaths.remove(path);
            throw e;
        }
    }
}
