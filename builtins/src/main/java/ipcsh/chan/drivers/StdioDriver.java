package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.FdDriver;
import ipcsh.os.AtExit;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.util.Map;

/**
 * The shell's standard input, output or error (fd 0, 1, 2) as a channel of the kind fstat and
 * isatty say: pipe, file, terminal or socket. The channel needs a non-blocking descriptor,
 * but O_NONBLOCK on fd 0 itself would reach the parent shell's terminal or pipe (it belongs to
 * the open file description they share): pipes, FIFOs, terminals and devices are reopened
 * through /proc/self/fd, which gives a description of our own. A regular file is used through
 * a duplicate (it never blocks, and its offset stays shared with the parent); a socket cannot
 * be reopened, so its flags are restored when the channel closes or the shell ends.
 *
 * <p>Closing the channel points the standard descriptor at /dev/null: the peer sees end of
 * stream (unless a child still holds it), and nothing the shell opens later can take fd 0, 1
 * or 2 by chance.
 */
public final class StdioDriver extends FdDriver {
    private static final String[] NAMES = {"stdin", "stdout", "stderr"};
    private static final Channel[] OPEN = new Channel[3];
    private static volatile Runnable beforeOutput = () -> {};

    private final int std;
    private final String kind;
    private final int restoreFlags; // -1: ours alone, nothing to restore

    private StdioDriver(int fd, int std, String kind, int restoreFlags) {
        super(std == 0 ? fd : -1, std == 0 ? -1 : fd);
        this.std = std;
        this.kind = kind;
        this.restoreFlags = restoreFlags;
    }

    /**
     * What must leave before bytes go to fd 1 or 2 through a channel: the language's own
     * buffered output (Clojure's *out*), so that println and (puts (stdout) ...) interleave
     * in the order they ran.
     */
    public static void beforeOutput(Runnable flush) {
        beforeOutput = flush;
    }

    /** The channel over standard stream std (0, 1, 2): the same one until it is closed. */
    public static synchronized Channel of(int std) {
        Channel ch = OPEN[std];
        if (ch != null && !ch.isClosed()) return ch;
        ch = new Channel(open(std));
        if (std > 0) ch.configure(Map.of("buffering", ipcsh.Keyword.of("none")));
        OPEN[std] = ch;
        return ch;
    }

    private static StdioDriver open(int std) {
        LibC c = LibC.get();
        int mode;
        try {
            mode = c.fstat(std).mode();
        } catch (OsException e) {
            throw new IpcException(NAMES[std] + ": fd " + std + " is not open (" + e.errnoName() + ")", e.data());
        }
        int type = mode & LibC.S_IFMT;
        boolean tty = c.isatty(std);
        String kind = tty ? "terminal" : type == LibC.S_IFIFO ? "pipe" : type == LibC.S_IFSOCK ? "socket" : "file";
        if (type == LibC.S_IFREG) return new StdioDriver(c.fcntl(std, LibC.F_DUPFD_CLOEXEC, 3), std, kind, -1);
        if (type != LibC.S_IFSOCK) {
            try {
                int access = std == 0 ? LibC.O_RDONLY : LibC.O_WRONLY;
                int fd = c.open("/proc/self/fd/" + std, access | LibC.O_NONBLOCK | LibC.O_CLOEXEC | LibC.O_NOCTTY, 0);
                return new StdioDriver(fd, std, kind, -1);
            } catch (OsException e) {
                // no reader left on a pipe (ENXIO), no /proc: share the description as a socket does
            }
        }
        int fd = c.fcntl(std, LibC.F_DUPFD_CLOEXEC, 3);
        int flags = c.fcntl(fd, LibC.F_GETFL, 0);
        StdioDriver d = new StdioDriver(fd, std, kind, flags);
        if ((flags & LibC.O_NONBLOCK) == 0) {
            AtExit.register(d, d::restore);
            setNonBlocking(fd);
        }
        return d;
    }

    private void restore() {
        int fd = rfd >= 0 ? rfd : wfd;
        if (fd >= 0) LibC.get().fcntl(fd, LibC.F_SETFL, restoreFlags);
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        beforeOutput.run();
        return super.write(buf, off, len);
    }

    @Override
    public void closeRead() {
        close();
    }

    @Override
    public void closeWrite() {
        close();
    }

    @Override
    public void close() {
        if (rfd < 0 && wfd < 0) return;
        LibC c = LibC.get();
        if (std > 0) beforeOutput.run();
        if (restoreFlags >= 0 && AtExit.cancel(this)) restore();
        try {
            super.close();
        } finally {
            int dn = c.open("/dev/null", std == 0 ? LibC.O_RDONLY : LibC.O_WRONLY, 0);
            c.dup2(dn, std);
            c.close(dn);
        }
    }

    @Override public String kind() { return kind; }
    @Override public String name() { return NAMES[std]; }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("fd", (long) std);
        m.put("stream", ipcsh.Keyword.of(NAMES[std]));
        return m;
    }
}
