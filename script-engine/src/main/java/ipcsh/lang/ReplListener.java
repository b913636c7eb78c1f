package ipcsh.lang;

import ipcsh.IpcException;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;
import ipcsh.os.SockAddr;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A repl-server's listening socket: a non-blocking descriptor that one thread accepts on,
 * waiting in poll.
 *
 * <p>The unix form is bound at the very path the user gave, so /proc/net/unix (hence
 * {@code sockets}, {@code who-has}, {@code tap :to}) names it by that path, and it is 0600 from
 * the moment it exists: Linux gives the file of bind(2) the socket's own inode mode less the
 * umask, so the descriptor is made 0600 (chmod through /proc/self/fd) before bind. Not the
 * umask: it is the whole process's, and other threads create files meanwhile. Not a bind
 * elsewhere and a rename: /proc/net/unix would keep the first name.
 */
final class ReplListener {
    private static final int BACKLOG = 16;
    private final int fd;
    private volatile boolean shut;
    private boolean fdClosed; // guarded by this

    private ReplListener(int fd) {
        this.fd = fd;
    }

    static ReplListener unix(Path p, String path) {
        byte[] addr = SockAddr.unix(p.toString(), "repl-server");
        int fd = LibC.get().socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, 0);
        try {
            Files.setPosixFilePermissions(Path.of("/proc/self/fd/" + fd), PosixFilePermissions.fromString("rw-------"));
            LibC.get().bind(fd, addr);
            LibC.get().listen(fd, BACKLOG);
            return new ReplListener(fd);
        } catch (OsException e) {
            LibC.get().close(fd);
            throw new IpcException("repl-server \"" + path + "\": " + Errno.text(e.errno()) + " (" + e.errnoName() + ")"
                    + (e.errno() == Errno.EADDRINUSE ? ": another socket has this name" : ""));
        } catch (IOException e) {
            LibC.get().close(fd);
            throw new IpcException("repl-server \"" + path + "\": cannot make the socket 0600: " + e.getMessage());
        }
    }

    static ReplListener tcp(InetAddress host, int port, String where) {
        int family = host instanceof Inet6Address ? LibC.AF_INET6 : LibC.AF_INET;
        byte[] addr = SockAddr.withPort(LibC.get().getaddrinfo(host.getHostAddress(), family, LibC.SOCK_STREAM)[0], port);
        int fd = LibC.get().socket(family, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, 0);
        try {
            LibC.get().setsockoptInt(fd, LibC.SOL_SOCKET, LibC.SO_REUSEADDR, 1);
            LibC.get().bind(fd, addr);
            LibC.get().listen(fd, BACKLOG);
            return new ReplListener(fd);
        } catch (OsException e) {
            LibC.get().close(fd);
            throw new IpcException(where + ": " + Errno.text(e.errno()) + " (" + e.errnoName() + ")");
        }
    }

    /** The tcp port it listens on; -1 for a unix socket. */
    int port() {
        return SockAddr.port(LibC.get().getsockname(fd));
    }

    /** Waits for the next connection; null once {@link #shutdown} was called. */
    ReplConn accept() {
        short[] revents = new short[1];
        while (!shut) {
            try {
                int c = LibC.get().accept4(fd, LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK);
                if (c >= 0) return new ReplConn(c);
                // a shutdown wakes poll; the bound only covers a wake-up lost to the race with it
                LibC.get().poll(new int[] {fd}, new short[] {LibC.POLLIN}, revents, 1000);
            } catch (OsException e) {
                if (shut) return null;
                // ECONNABORTED concerns one client; EMFILE and the like would spin, so pause
                if (e.errno() != Errno.ECONNABORTED) sleep();
            }
        }
        return null;
    }

    /** Wakes the accepting thread, which then closes the descriptor ({@link #close}). */
    synchronized void shutdown() {
        shut = true;
        if (fdClosed) return; // the number may be another file's by now
        try {
            LibC.get().shutdown(fd, LibC.SHUT_RDWR);
        } catch (OsException ignored) {
            // already shut
        }
    }

    /** The accepting thread, when it has left accept. */
    synchronized void close() {
        if (fdClosed) return;
        fdClosed = true;
        LibC.get().close(fd);
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
