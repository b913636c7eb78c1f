package ipcsh.chan;

import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Base of the drivers over plain descriptors (pipe, fifo, file, process stdio): the reads
 * and writes are read(2)/write(2); what differs by kind is how the descriptors come to be.
 * A subclass with one descriptor for both directions passes it as both.
 */
public abstract class FdDriver implements Driver {
    protected int rfd;
    protected int wfd;

    protected FdDriver(int rfd, int wfd) {
        this.rfd = rfd;
        this.wfd = wfd;
    }

    @Override public int readFd() { return rfd; }
    @Override public int writeFd() { return wfd; }

    @Override
    public int read(byte[] buf, int off, int len) {
        return LibC.get().read(rfd, buf, off, len);
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        return LibC.get().write(wfd, buf, off, len);
    }

    @Override
    public void closeRead() {
        if (rfd < 0) return;
        if (rfd != wfd) LibC.get().close(rfd);
        rfd = -1;
    }

    @Override
    public void closeWrite() {
        if (wfd < 0) return;
        if (rfd != wfd) LibC.get().close(wfd);
        wfd = -1;
    }

    @Override
    public void close() {
        int r = rfd, w = wfd;
        rfd = wfd = -1;
        OsException failure = null;
        for (int fd : (r == w ? new int[] {r} : new int[] {r, w})) {
            if (fd < 0) continue;
            try {
                LibC.get().close(fd);
            } catch (OsException e) {
                failure = e;
            }
        }
        if (failure != null) throw failure.about(name());
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (rfd >= 0) m.put("fd", (long) rfd);
        if (wfd >= 0 && wfd != rfd) m.put("write-fd", (long) wfd);
        return m;
    }

    /** Makes an inherited or freshly opened descriptor non-blocking, as {@link Channel} expects. */
    protected static void setNonBlocking(int fd) {
        LibC c = LibC.get();
        int fl = c.fcntl(fd, LibC.F_GETFL, 0);
        if ((fl & LibC.O_NONBLOCK) == 0) c.fcntl(fd, LibC.F_SETFL, fl | LibC.O_NONBLOCK);
    }
}
