package ipcsh.chan.drivers;

import ipcsh.chan.FdDriver;
import ipcsh.os.LibC;
import ipcsh.os.OsException;
import ipcsh.os.Received;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every connected or datagram socket shares: one descriptor for both directions, kept
 * for close after a half-close, a socket file the shell created removed with it, and the
 * addresses among the options.
 */
abstract class SocketFdDriver extends FdDriver {
    private final String kind;
    private final String name;
    private final String createdPath;
    protected int fd;
    /** A unix socket: {@link #readWithFds} takes descriptors too (recvmsg), kept for {@link #takeReceived}. */
    private final boolean passesFds;
    private Received received;

    SocketFdDriver(int fd, String kind, String name, String createdPath) {
        super(fd, fd);
        this.fd = fd;
        this.kind = kind;
        this.name = name;
        this.createdPath = createdPath;
        this.passesFds = kind.startsWith("unix");
    }

    @Override public String kind() { return kind; }
    @Override public String name() { return name; }
    @Override public boolean passesFds() { return passesFds; }

    @Override
    public int readWithFds(byte[] buf, int off, int len) {
        return receive(buf, off, len, 0, false);
    }

    /**
     * recvmsg with room for every descriptor a message can carry, so none is lost to a short
     * control buffer: the length (MSG_TRUNC: the real one) or WOULD_BLOCK; what came besides
     * the bytes is kept for {@link #takeReceived}, and the sender's address returned by {@link #from}.
     */
    protected int receive(byte[] buf, int off, int len, int flags, boolean withFrom) {
        Received r = LibC.get().recvmsg(rfd, buf, off, len, LibC.SCM_MAX_FD, flags | LibC.MSG_DONTWAIT, withFrom);
        if (r == null) return LibC.WOULD_BLOCK;
        if (r.fds().length > 0 || r.controlCut()) {
            FdPassing.close(received == null ? null : received.fds()); // not taken: nobody asked
            received = r;
        }
        from = r.from();
        return r.length();
    }

    /** The sender's address of the last {@link #receive}. */
    protected byte[] from;

    @Override
    public Received takeReceived() {
        Received r = received;
        received = null;
        return r;
    }

    @Override
    public int write(byte[] buf, int off, int len, int[] fds) {
        return LibC.get().sendmsg(wfd, buf, off, len, fds, 0, null);
    }

    @Override
    public void close() {
        FdPassing.close(received == null ? null : received.fds());
        received = null;
        int f = fd;
        fd = rfd = wfd = -1;
        if (f < 0) return;
        try {
            LibC.get().close(f);
        } catch (OsException e) {
            throw e.about(name);
        } finally {
            if (createdPath != null) UnixPaths.remove(createdPath);
        }
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fd", (long) fd);
        Sockets.addressOptions(m, fd, true);
        return m;
    }
}
