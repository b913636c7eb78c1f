package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.chan.Driver;
import ipcsh.os.LibC;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A listening socket (tcp or unix) as a channel: it has no data, it accepts connections
 * ({@link Sockets#serve}). {@code close} stops accepting (and removes a socket file the
 * shell created); {@code configure} tells the address, :port and :fd.
 */
public final class ListenerDriver implements Driver {
    private final String kind;
    private final String name;
    private final String createdPath;
    private int fd;

    ListenerDriver(int fd, String kind, String name, String createdPath) {
        this.fd = fd;
        this.kind = kind;
        this.name = name;
        this.createdPath = createdPath;
    }

    @Override public String kind() { return kind; }
    @Override public String name() { return name; }
    @Override public int readFd() { return fd; }
    @Override public int writeFd() { return -1; }

    @Override
    public int read(byte[] buf, int off, int len) {
        throw new IpcException(kind + " " + name + ": a listening socket has no data; it accepts connections");
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        throw new IpcException(kind + " " + name + ": a listening socket cannot be written to");
    }

    @Override
    public void closeRead() {
        close();
    }

    @Override
    public void closeWrite() {
        // nothing: it never writes
    }

    @Override
    public void close() {
        int f = fd;
        fd = -1;
        if (f < 0) return;
        try {
            LibC.get().close(f);
        } finally {
            if (createdPath != null) UnixPaths.remove(createdPath);
        }
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fd", (long) fd);
        if (fd >= 0) Sockets.addressOptions(m, fd, false);
        return m;
    }
}
