package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.FdDriver;
import ipcsh.os.LibC;

import java.util.Map;

/** A plain file (or a device such as /dev/null) opened by path. */
public final class FileDriver extends FdDriver {
    private final String path;
    private final String mode;

    private FileDriver(int fd, String path, String mode, boolean reads, boolean writes) {
        super(reads ? fd : -1, writes ? fd : -1);
        this.path = path;
        this.mode = mode;
    }

    /** mode: read, write (create, truncate), append (create), rw (create, keep). */
    public static Channel open(String path, String mode, int perms) {
        int flags = switch (mode) {
            case "read" -> LibC.O_RDONLY;
            case "write" -> LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC;
            case "append" -> LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND;
            case "rw" -> LibC.O_RDWR | LibC.O_CREAT;
            default -> throw new IpcException("open-file \"" + path + "\": mode must be :read, :write, :append or :rw, not :" + mode);
        };
        int fd = LibC.get().open(path, flags | LibC.O_CLOEXEC | LibC.O_NONBLOCK | LibC.O_NOCTTY, perms);
        boolean reads = mode.equals("read") || mode.equals("rw");
        boolean writes = !mode.equals("read");
        return new Channel(new FileDriver(fd, path, mode, reads, writes));
    }

    @Override public String kind() { return "file"; }
    @Override public String name() { return path; }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = super.options();
        m.put("path", path);
        m.put("mode", ipcsh.Keyword.of(mode));
        return m;
    }
}
