package ipcsh.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which file a path names: st_dev and st_ino. The exit clean-up compares the one it recorded when
 * the shell made an object with the one the path names just before it unlinks, so it removes the
 * very file the shell made and never one that was renamed into its place since.
 */
public record FileId(long dev, long ino) {
    /** lstat(2) of path (a symbolic link is itself, not followed); null when nothing is there or it cannot be looked at. */
    public static FileId at(String path) {
        try {
            Map<String, Object> a = Files.readAttributes(Path.of(path), "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            return new FileId((Long) a.get("dev"), (Long) a.get("ino"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** fstat(2) of an open descriptor. */
    public static FileId of(int fd) {
        FileStat st = LibC.get().fstat(fd);
        return new FileId(st.dev(), st.ino());
    }

    /** Whether path names this file now. */
    public boolean isAt(String path) {
        return equals(at(path));
    }
}
