package ipcsh.chan.drivers;

import ipcsh.chan.Channel;
import ipcsh.chan.FdDriver;
import ipcsh.os.LibC;

/** One end of an anonymous pipe(2). */
public final class PipeDriver extends FdDriver {
    private final boolean readEnd;

    private PipeDriver(int fd, boolean readEnd) {
        super(readEnd ? fd : -1, readEnd ? -1 : fd);
        this.readEnd = readEnd;
    }

    /** A new pipe as two channels: {read end, write end}. */
    public static Channel[] open() {
        int[] fds = LibC.get().pipe2(LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        return new Channel[] {new Channel(new PipeDriver(fds[0], true)), new Channel(new PipeDriver(fds[1], false))};
    }

    /** A received pipe end (non-blocking already), as {@link ReceivedFd} found it. */
    static PipeDriver adopt(int fd, boolean readEnd) {
        return new PipeDriver(fd, readEnd);
    }

    @Override public String kind() { return "pipe"; }
    @Override public String name() { return readEnd ? "read end" : "write end"; }
}
