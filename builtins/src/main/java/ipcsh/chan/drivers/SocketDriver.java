package ipcsh.chan.drivers;

import ipcsh.os.LibC;

/**
 * A connected stream socket: tcp, or unix (a path or an abstract "@name"). Reads and writes
 * are read(2)/write(2) on the one descriptor; half-closes are shutdown(2), so the peer sees
 * end of stream while the other direction goes on.
 */
public final class SocketDriver extends SocketFdDriver {
    SocketDriver(int fd, String kind, String name) {
        super(fd, kind, name, null);
    }

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
}
