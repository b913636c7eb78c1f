package ipcsh.chan.drivers;

import ipcsh.chan.Channel;
import ipcsh.chan.FdDriver;
import ipcsh.os.LibC;
import ipcsh.os.OsException;
import ipcsh.os.SockAddr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A descriptor another process passed us (SCM_RIGHTS), as a channel of the kind fstat and
 * /proc/self/fd say: a socket gets the socket drivers (stream, datagram, listening), a pipe
 * end {@link PipeDriver}, an eventfd {@link EventfdDriver}, and a FIFO, memfd, file, terminal,
 * device or other anonymous inode (timerfd, signalfd…) this driver, reading and writing as its
 * access mode allows.
 *
 * <p>The open file description is shared with the sender. O_NONBLOCK, which channels need, is
 * a flag of that description: pipes, FIFOs and terminals are reopened through /proc/self/fd
 * for a description of our own (as {@link StdioDriver} does); a socket or eventfd cannot be,
 * and is made non-blocking for the sender's copy too. A file's offset stays shared.
 */
final class ReceivedFd extends FdDriver {
    private final String kind;
    private final String name;

    private ReceivedFd(int fd, String kind, String name, boolean reads, boolean writes) {
        super(reads ? fd : -1, writes ? fd : -1);
        this.kind = kind;
        this.name = name;
    }

    @Override public String kind() { return kind; }
    @Override public String name() { return name; }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = super.options();
        m.put("received", true);
        return m;
    }

    /** The channel over a received descriptor, which it now owns (closed here if no channel can be made). */
    static Channel channel(int fd) {
        try {
            return new Channel(driver(fd));
        } catch (RuntimeException e) {
            FdPassing.close(new int[] {fd});
            throw e;
        }
    }

    private static ipcsh.chan.Driver driver(int fd) {
        LibC c = LibC.get();
        int type = c.fstat(fd).type();
        String link = link(fd);
        int access = c.fcntl(fd, LibC.F_GETFL, 0) & 3; // O_ACCMODE
        boolean reads = access != LibC.O_WRONLY, writes = access != LibC.O_RDONLY;
        if (type == LibC.S_IFSOCK) return socket(fd);
        if (type == LibC.S_IFIFO) {
            boolean pipe = link.startsWith("pipe:");
            int own = reopened(fd, access);
            if (pipe && access != LibC.O_RDWR) return PipeDriver.adopt(own, reads);
            return new ReceivedFd(own, pipe ? "pipe" : "fifo", link, reads, writes);
        }
        if (type == LibC.S_IFREG) {
            if (link.startsWith("/memfd:")) {
                String n = link.substring("/memfd:".length());
                return new ReceivedFd(fd, "memfd", n.endsWith(" (deleted)") ? n.substring(0, n.length() - 10) : n, reads, writes);
            }
            return new ReceivedFd(fd, "file", link, reads, writes);
        }
        if (type == LibC.S_IFCHR) {
            String kind = c.isatty(fd) ? "terminal" : "device";
            return new ReceivedFd(reopened(fd, access), kind, link, reads, writes);
        }
        if (link.equals("anon_inode:[eventfd]")) {
            setNonBlocking(fd);
            return EventfdDriver.adopt(fd, semaphore(fd));
        }
        setNonBlocking(fd);
        String kind = link.startsWith("anon_inode:") ? link.substring(11).replace("[", "").replace("]", "")
                : type == LibC.S_IFDIR ? "directory" : "file";
        return new ReceivedFd(fd, kind, link, reads, writes);
    }

    /** A socket by its domain, type and whether it listens; named after its peer (or its own address). */
    private static ipcsh.chan.Driver socket(int fd) {
        LibC c = LibC.get();
        int domain = c.getsockoptInt(fd, LibC.SOL_SOCKET, LibC.SO_DOMAIN);
        int stype = c.getsockoptInt(fd, LibC.SOL_SOCKET, LibC.SO_TYPE);
        boolean listening = c.getsockoptInt(fd, LibC.SOL_SOCKET, LibC.SO_ACCEPTCONN) != 0;
        setNonBlocking(fd);
        String family = domain == LibC.AF_UNIX ? "unix" : domain == LibC.AF_INET || domain == LibC.AF_INET6
                ? (stype == LibC.SOCK_STREAM ? "tcp" : "udp") : null;
        String name = address(fd);
        if (family == null) return new ReceivedFd(fd, "socket", name, true, true);
        if (listening) return new ListenerDriver(fd, family + "-server", name, null);
        if (stype == LibC.SOCK_DGRAM) return new DatagramDriver(fd, family.equals("unix") ? "unix-dgram" : "udp", name, null);
        if (stype == LibC.SOCK_STREAM) return new SocketDriver(fd, family, name);
        return new ReceivedFd(fd, "socket", name, true, true);
    }

    /** The peer's address, else the socket's own, else "received socket". */
    private static String address(int fd) {
        LibC c = LibC.get();
        for (boolean peer : new boolean[] {true, false}) {
            try {
                String a = SockAddr.format(peer ? c.getpeername(fd) : c.getsockname(fd));
                if (a != null && !a.isEmpty()) return a;
            } catch (OsException e) {
                // not connected, or unnamed: try the next
            }
        }
        return "received socket";
    }

    /**
     * A description of our own for a pipe, FIFO or terminal (open of /proc/self/fd/N), non-blocking,
     * and the received descriptor closed; where that cannot be (no reader on a FIFO left: ENXIO),
     * the shared one, made non-blocking.
     */
    private static int reopened(int fd, int access) {
        LibC c = LibC.get();
        try {
            int own = c.open("/proc/self/fd/" + fd, access | LibC.O_NONBLOCK | LibC.O_CLOEXEC | LibC.O_NOCTTY, 0);
            c.close(fd);
            return own;
        } catch (OsException e) {
            setNonBlocking(fd);
            return fd;
        }
    }

    private static String link(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "fd " + fd;
        }
    }

    /** An eventfd's EFD_SEMAPHORE, from /proc/self/fdinfo (Linux 6.5 and later show it; false before). */
    private static boolean semaphore(int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("eventfd-semaphore:")) return line.substring(18).trim().equals("1");
            }
        } catch (IOException e) {
            // no /proc: a counter
        }
        return false;
    }
}
