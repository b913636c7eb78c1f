package ipcsh.chan.drivers;

import ipcsh.chan.FdDriver;
import ipcsh.os.LibC;

import java.util.Map;

/**
 * A connected stream socket: tcp, or unix (a path or an abstract "@name"). Reads and writes
 * are read(2)/write(2) on the one descriptor; half-closes are shutdown(2), so the peer sees
 * end of stream while the other direction goes on.
 */
public final class SocketDriver extends FdDriver {
    private final String kind;
    private final String name;
    private int fd;

    SocketDriver(int fd, String kind, String name) {
        super(fd, fd);
        this.fd = fd;
        this.kind = kind;
        this.name = name;
    }

    @Override public String kind() { return kind; }
    @Override public String name() { return name; }

    @Override
    public void closeRead() {
        if (rfd < 0) return;
        LibC.get().shutdown(fd, LibC.SHUT_RD);
        rfd = -1;
    }

    @Override
    public void closeWrite() {
        if (wfd < 0) return;
        LibC.get().shutdown(fd, LibC.SHUT_WR);
        wfd = -1;
    }

    @Override
    public void close() {
        int f = fd;
        fd = rfd = wfd = -1;
        if (f >= 0) {
            try {
                LibC.get().close(f);
            } catch (ipcsh.os.OsException e) {
                throw e.about(name);
            }
        }
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = super.options();
        m.put("fd", (long) fd);
        Sockets.addressOptions(m, fd, true);
        return m;
    }
}
