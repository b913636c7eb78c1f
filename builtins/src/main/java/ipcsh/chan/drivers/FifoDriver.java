package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.FdDriver;
import ipcsh.chan.TimeoutError;
import ipcsh.chan.Waiter;
import ipcsh.os.AtExit;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A named pipe. Opening never blocks in the kernel (the shell must stay responsive):
 * descriptors are opened O_NONBLOCK, and the "wait for the other side" of a blocking
 * open is done here with poll and retries, bounded by :timeout and Ctrl-C.
 */
public final class FifoDriver extends FdDriver {
    private static final int S_IFMT = 0170000, S_IFIFO = 0010000;
    private final String path;
    private final String mode;

    private FifoDriver(int fd, String path, String mode) {
        super(mode.equals("write") ? -1 : fd, mode.equals("read") ? -1 : fd);
        this.path = path;
        this.mode = mode;
    }

    /**
     * mkfifo, unless a FIFO is already there; a different kind of file there is an error. A FIFO
     * made here is the shell's own: it is removed when the shell exits (on SIGTERM, SIGINT and
     * SIGHUP too), if it is still a FIFO then.
     */
    public static boolean make(String path, int perms) {
        String type = fileType(path);
        if (type == null) {
            LibC.get().mkfifo(path, perms);
            AtExit.register("fifo-file:" + path, () -> {
                if ("FIFO".equals(fileType(path))) {
                    try {
                        LibC.get().unlink(path);
                    } catch (OsException ignored) {
                        // gone already
                    }
                }
            });
            return true;
        }
        if (!type.equals("FIFO")) {
            throw new IpcException("mkfifo \"" + path + "\": exists and is not a FIFO (it is a " + type + ")",
                    Map.of("path", path, "errno", "EEXIST"));
        }
        return false;
    }

    /** "FIFO", "regular file", "directory"... or null when nothing is there. */
    static String fileType(String path) {
        try {
            int m = (Integer) Files.getAttribute(Path.of(path), "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return switch (m & S_IFMT) {
                case S_IFIFO -> "FIFO";
                case 0100000 -> "regular file";
                case 0040000 -> "directory";
                case 0140000 -> "socket";
                case 0120000 -> "symbolic link";
                case 0020000 -> "character device";
                case 0060000 -> "block device";
                default -> "special file";
            };
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            // Not being able to stat (EACCES on a parent) is reported by open itself.
            return null;
        }
    }

    /**
     * Opens the FIFO at path for "read", "write" or "rw". With create, makes it first.
     * nonblock: return at once (a writer with no reader fails with ENXIO; a reader sees
     * EOF until a writer comes). Otherwise wait for the other side, up to timeoutMs (negative: forever).
     */
    public static Channel open(String path, String mode, boolean create, int perms, boolean nonblock, long timeoutMs) {
        int access = switch (mode) {
            case "read" -> LibC.O_RDONLY;
            case "write" -> LibC.O_WRONLY;
            case "rw" -> LibC.O_RDWR;
            default -> throw new IpcException("fifo \"" + path + "\": mode must be :read, :write or :rw, not :" + mode);
        };
        if (create) {
            make(path, perms);
        } else {
            String type = fileType(path);
            if (type != null && !type.equals("FIFO")) {
                throw new IpcException("fifo \"" + path + "\": is not a FIFO (it is a " + type + ")",
                        Map.of("path", path, "errno", "EINVAL"));
            }
        }
        int flags = access | LibC.O_NONBLOCK | LibC.O_CLOEXEC;
        long deadline = Waiter.deadline(timeoutMs);
        int fd;
        while (true) {
            try {
                fd = LibC.get().open(path, flags, 0);
                break;
            } catch (OsException e) {
                if (e.errno() != Errno.ENXIO) throw e;
                if (nonblock || System.nanoTime() > deadline) {
                    String why = nonblock ? "no reader has it open" : "no reader opened it within " + timeoutMs + " ms";
                    throw new OsException("open", path, Errno.ENXIO, why);
                }
                Waiter.sleep(10, "fifo \"" + path + "\" (waiting for a reader)");
            }
        }
        if (mode.equals("read") && !nonblock) {
            try {
                if (!Waiter.await(fd, LibC.POLLIN, deadline, "fifo \"" + path + "\" (waiting for a writer)")) {
                    throw new TimeoutError("fifo \"" + path + "\" (waiting for a writer)", timeoutMs);
                }
            } catch (RuntimeException e) {
                LibC.get().close(fd);
                throw e;
            }
        }
        return new Channel(new FifoDriver(fd, path, mode));
    }

    @Override public String kind() { return "fifo"; }
    @Override public String name() { return path; }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = super.options();
        m.put("path", path);
        m.put("mode", ipcsh.Keyword.of(mode));
        return m;
    }
}
