package ipcsh.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/** Who owns a file (lstat, never followed) and who this shell runs as: for refusing another user's object by name. */
public final class FileOwner {
    private FileOwner() {}

    /** The shell's effective uid (the owner of what it creates). */
    public static int euid() {
        return LibC.get().geteuid();
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
