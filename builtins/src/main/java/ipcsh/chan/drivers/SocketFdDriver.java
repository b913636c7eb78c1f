package ipcsh.chan.drivers;

import ipcsh.chan.FdDriver;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

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

    SocketFdDriver(int fd, String kind, String name, String createdPath) {
        super(fd, fd);
        this.fd = fd;
        this.kind = kind;
        this.name = name;
        this.createdPath = createdPath;
    }

    @Override public String kind() { return kind; }
    @Override public String name() { return name; }

    @Override
    public void close() {
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
