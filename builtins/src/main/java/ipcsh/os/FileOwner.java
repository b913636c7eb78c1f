package ipcsh.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/** Who owns a file (lstat, never followed) and who this shell runs as: for refusing another user's object by name. */
public final class FileOwner {
    private static int euid = -1;

    private FileOwner() {}

    /** The shell's effective uid (the owner of what it creates), from /proc/self/status. */
    public static synchronized int euid() {
        if (euid < 0) {
            try {
                for (String line : ProcFiles.read("/proc/self/status").split("\n")) {
                    if (line.startsWith("Uid:")) euid = Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("cannot read this process's uid from /proc/self/status", e);
            }
        }
        return euid;
    }

    /** The owner's uid of path itself (a link is not followed); -1 when it cannot be looked at. */
    public static int uid(String path) {
        try {
            return (Integer) Files.getAttribute(Path.of(path), "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** "owned by uid 65534 (nobody) with mode 0666", or "" when it cannot be looked at. */
    public static String describe(String path) {
        try {
            Map<String, Object> a = Files.readAttributes(Path.of(path), "unix:uid,mode,owner", LinkOption.NOFOLLOW_LINKS);
            return String.format("owned by uid %d (%s) with mode %04o", (Integer) a.get("uid"),
                    a.get("owner"), (Integer) a.get("mode") & 07777);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
