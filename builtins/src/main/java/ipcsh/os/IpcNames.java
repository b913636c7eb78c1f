package ipcsh.os;

import ipcsh.ArgCheck;
import ipcsh.IpcException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Names of kernel IPC objects as the C calls take them, checked before any call: POSIX names
 * ("/jobs", for mq_open, shm_open and sem_open) and System V keys (ftok(3)).
 */
public final class IpcNames {
    private static final int NAME_MAX = 255;
    /** A key as ipcs prints it and (ipcs) gives it, "0x0000abcd": exactly 0x and eight hex digits, never taken for a path. */
    private static final java.util.regex.Pattern HEX_KEY = java.util.regex.Pattern.compile("0[xX][0-9a-fA-F]{8}");

    private IpcNames() {}

    /** A POSIX mq/shm/sem name: one leading slash, no other, 1–255 characters after it. */
    public static String posix(String builtin, String name) {
        if (name == null || !name.startsWith("/") || name.length() < 2) {
            throw new IpcException(builtin + ": name \"" + name + "\" must start with / and have a name after it, like \"/jobs\"");
        }
        if (name.indexOf('/', 1) >= 0) {
            throw new IpcException(builtin + ": name \"" + name + "\" may not contain a second /; POSIX IPC names are \"/name\"");
        }
        if (name.length() - 1 > NAME_MAX) {
            throw new IpcException(builtin + ": name is " + (name.length() - 1) + " characters long; the limit is " + NAME_MAX);
        }
        return name;
    }

    /** A key as ipcs prints it: "0x00001234". */
    public static String hexKey(long key) {
        return String.format("0x%08x", key & 0xFFFFFFFFL);
    }

    /**
     * A System V key: an integer, a key as ipcs prints it ("0x00001234"), or a path turned into a key as ftok(3) does (the low 8 bits of
     * proj, the device's low 8 bits, the inode's low 16 bits), so C programs calling ftok on the
     * same path and proj find the same object.
     */
    public static int sysvKey(String builtin, Object key, int proj) {
        if (key instanceof Number) return (int) ArgCheck.whole(builtin, "key", key, Integer.MIN_VALUE, 0xFFFFFFFFL, null);
        if (key instanceof String hex && HEX_KEY.matcher(hex).matches()) return (int) Long.parseLong(hex.substring(2), 16);
        if (key instanceof String path) {
            try {
                Path p = Path.of(path);
                long dev = ((Number) Files.getAttribute(p, "unix:dev")).longValue();
                long ino = ((Number) Files.getAttribute(p, "unix:ino")).longValue();
                return (int) (((proj & 0xffL) << 24) | ((dev & 0xffL) << 16) | (ino & 0xffffL));
            } catch (NoSuchFileException e) {
                throw new IpcException(builtin + ": ftok \"" + path + "\": No such file or directory (ENOENT)");
            } catch (IOException | UnsupportedOperationException e) {
                throw new IpcException(builtin + ": ftok \"" + path + "\": " + e.getMessage());
            }
        }
        throw new IpcException(builtin + ": key must be an integer or a path (for ftok), not " + ArgCheck.describe(key));
    }
}
