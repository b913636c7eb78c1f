package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.FdDriver;
import ipcsh.chan.TimeoutError;
import ipcsh.chan.Waiter;
import ipcsh.os.AtExit;
import ipcsh.os.Errno;
import ipcsh.os.FileId;
import ipcsh.os.FileType;
import ipcsh.os.FileOwner;
import ipcsh.os.FileStat;
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
    private final String path;
    private final String mode;

    private FifoDriver(int fd, String path, String mode) {
        super(mode.equals("write") ? -1 : fd, mode.equals("read") ? -1 : fd);
        this.path = path;
        this.mode = mode;
    }

    /** {@link #make(String, int, boolean)} without :temp: the FIFO stays until someone unlinks it. */
    public static boolean make(String path, int perms) {
        return make(path, perms, false);
    }

    /**
     * mkfifo, unless a FIFO of this user's is already there (returns whether it made one). Another
     * user's FIFO there is refused: they could read what is written to it or feed what is read
     * from it. Any other kind of file there is an error. What is there is looked at with lstat,
     * never followed. With temp, the FIFO made here is removed when the shell exits (SIGTERM,
     * SIGINT and SIGHUP too) if the path still names that very FIFO then.
     */
    public static boolean make(String path, int perms, boolean temp) {
        try {
            LibC.get().mkfifo(path, perms);
        } catch (OsException e) {
            if (e.errno() != Errno.EEXIST) throw e;
            String type = fileType(path);
            if (type == null) throw e; // gone again at once: say what mkfifo said
            if (!type.equals("FIFO")) {
                throw new IpcException("mkfifo \"" + path + "\": exists and is not a FIFO (it is a " + type + ")",
                        Map.of("path", path, "errno", "EEXIST"));
            }
            int uid = FileOwner.uid(path);
            if (uid != FileOwner.euid()) {
                throw new IpcException("mkfifo \"" + path + "\": a FIFO " + FileOwner.describe(path) + " is there already; "
                        + "refused: it is not this user's (uid " + FileOwner.euid() + "), so its owner could read what is "
                        + "written to it or write what is read from it; remove it or use another path",
                        Map.of("path", path, "errno", "EEXIST", "owner", (long) uid));
            }
            return false;
        }
        FileId made = FileId.at(path);
        if (temp && made != null) {
            AtExit.removeAtExit("fifo-file:" + path, path, made, () -> {
                try {
                    LibC.get().unlink(path);
                } catch (OsException ignored) {
                    // gone already
                }
            });
        }
        return true;
    }

    /** "FIFO", "regular file", "directory"... or null when nothing is there. */
    static String fileType(String path) {
        try {
            return FileType.name((Integer) Files.getAttribute(Path.of(path), "unix:mode", LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            // Not being able to stat (EACCES on a parent) is reported by open itself.
            return null;
        }
    }

    /** {@link #open(String, String, boolean, int, boolean, boolean, long)} without :temp. */
    public static Channel open(String path, String mode, boolean create, int perms, boolean nonblock, long timeoutMs) {
        return open(path, mode, create, perms, false, nonblock, timeoutMs);
    }

    /**
     * Opens the FIFO at path for "read", "write" or "rw". With create, makes it first (temp: as
     * {@link #make(String, int, boolean)}); a FIFO already there is opened whoever owns it, as
     * open(2) would. nonblock: return at once (a writer with no reader fails with ENXIO; a reader
     * sees EOF until a writer comes). Otherwise wait for the other side, up to timeoutMs
     * (negative: forever). Every open, the writer's retries included, refuses a symbolic link
     * (O_NOFOLLOW) and checks the descriptor it got is the FIFO the path named when the call
     * began (fstat: a FIFO, the same st_dev and st_ino) before it is used: a file another user
     * renames into the path meanwhile gets no byte.
     */
    public static Channel open(String path, String mode, boolean create, int perms, boolean temp, boolean nonblock,
                               long timeoutMs) {
        int access = switch (mode) {
            case "read" -> LibC.O_RDONLY;
            case "write" -> LibC.O_WRONLY;
            case "rw" -> LibC.O_RDWR;
            default -> throw new IpcException("fifo \"" + path + "\": mode must be :read, :write or :rw, not :" + mode);
        };
        if (create && !"FIFO".equals(fileType(path))) make(path, perms, temp); // (another kind of file: make says so)
        String type = fileType(path);
        if (type != null && !type.equals("FIFO")) {
            throw new IpcException("fifo \"" + path + "\": is not a FIFO (it is a " + type + ")",
                    Map.of("path", path, "errno", "EINVAL"));
        }
        FileId named = FileId.at(path); // null: nothing there, which open says (ENOENT)
        int flags = access | LibC.O_NONBLOCK | LibC.O_CLOEXEC | LibC.O_NOFOLLOW | LibC.O_NOCTTY;
        long deadline = Waiter.deadline(timeoutMs);
        int fd;
        while (true) {
            try {
                fd = openChecked(path, flags, named);
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

    /** One open (O_NOFOLLOW) whose descriptor is kept only if fstat says it is a FIFO and, with named, that FIFO. */
    private static int openChecked(String path, int flags, FileId named) {
        int fd;
        try {
            fd = LibC.get().open(path, flags, 0);
        } catch (OsException e) {
            if (e.errno() != Errno.ELOOP) throw e;
            throw new OsException("open", path, e.errno(), "refused: it is a symbolic link now, not a FIFO"
                    + (named == null ? "" : " (something replaced the FIFO that was there)"));
        }
        FileStat st;
        try {
            st = LibC.get().fstat(fd);
        } catch (RuntimeException e) {
            LibC.get().close(fd);
            throw e;
        }
        String why = null;
        if (st.type() != LibC.S_IFIFO) {
            why = "it is not a FIFO now but a " + FileType.name(st.mode()) + " owned by uid " + st.uid();
        } else if (named != null && !named.equals(new FileId(st.dev(), st.ino()))) {
            why = "another FIFO (owned by uid " + st.uid() + ") replaced the one that was there";
        }
        if (why != null) {
            LibC.get().close(fd);
            throw new IpcException("fifo \"" + path + "\": refused: " + why + "; nothing was written or read",
                    Map.of("path", path, "errno", "EINVAL", "owner", st.uid()));
        }
        return fd;
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
