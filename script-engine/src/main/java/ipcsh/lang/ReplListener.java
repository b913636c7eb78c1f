package ipcsh.lang;

import ipcsh.IpcException;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;
import ipcsh.os.SockAddr;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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
    /** The unix form's socket file and its identity (st_dev, st_ino) as bind made it. */
    private Path file;
    private Object fileKey;

    private ReplListener(int fd) {
        this.fd = fd;
    }

    /**
     * A new socket file at p (path as the user wrote it, for messages): a stale socket file
     * nobody listens on is replaced; anything else there is an error.
     */
    static ReplListener unix(Path p, String path) {
        if (Files.isDirectory(p)) throw new IpcException("repl-server \"" + path + "\": is a directory");
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) clearStale(p, path);
        byte[] addr = SockAddr.unix(p.toString(), "repl-server");
        int fd = LibC.get().socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, 0);
        try {
            Files.setPosixFilePermissions(Path.of("/proc/self/fd/" + fd), PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            LibC.get().close(fd);
            throw new IpcException("repl-server \"" + path + "\": cannot make the socket 0600: " + e.getMessage());
        }
        ReplListener l = new ReplListener(fd);
        try {
            LibC.get().bind(fd, addr);
            l.file = p;
            // what the file is now, to remove it later only if it is still this one
            l.fileKey = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            LibC.get().listen(fd, BACKLOG);
            return l;
        } catch (OsException | IOException e) {
            l.removeFile();
            l.close();
            String why = e instanceof OsException o ? Errno.text(o.errno()) + " (" + o.errnoName() + ")"
                    + (o.errno() == Errno.EADDRINUSE ? ": another socket has this name" : "") : e.getMessage();
            throw new IpcException("repl-server \"" + path + "\": " + why);
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

    /**
     * Removes the socket file, if it is still the one bind made (device and inode): a file put
     * in its place since is someone else's.
     */
    void removeFile() {
        if (file == null) return;
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (key != null && key.equals(fileKey)) Files.delete(file);
        } catch (IOException gone) {
            // removed already
        }
    }

    private static void clearStale(Path p, String path) {
        if (!isSocket(p)) throw new IpcException("repl-server \"" + path + "\": File exists (EEXIST): not a socket, left alone");
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
            throw new IpcException("repl-server \"" + path + "\": Address already in use (EADDRINUSE): a live socket is already bound there");
        } catch (IOException refused) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new IpcException("repl-server \"" + path + "\": cannot remove the stale socket file: " + e.getMessage());
            }
        }
    }

    private static boolean isSocket(Path p) {
        try {
            return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & LibC.S_IFMT) == LibC.S_IFSOCK;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
