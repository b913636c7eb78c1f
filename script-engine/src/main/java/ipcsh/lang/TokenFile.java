package ipcsh.lang;

import ipcsh.IpcException;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The token of a tcp repl-server, for the server ({@code :token-file}) and for
 * {@code ipcsh --attach PORT --token-file F} alike: a regular file of the user's own that
 * nobody else may read or write (0600 or stricter, as ssh wants of a private key), opened
 * without following a symlink and checked through the descriptor it opened, holding one
 * line of {@link #MIN} to {@link #MAX} characters.
 */
public final class TokenFile {
    public static final int MIN = 16, MAX = 512;

    private TokenFile() {}

    /** The token's bytes; an {@link IpcException} that starts with where and says what is wrong otherwise. */
    public static byte[] read(String where, String file) {
        String at = where + ": token file " + file;
        int fd;
        try {
            fd = LibC.get().open(file, LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.O_NONBLOCK | LibC.O_NOFOLLOW, 0);
        } catch (OsException e) {
            if (e.errno() == Errno.ELOOP) throw new IpcException(at + ": is a symbolic link (ELOOP); name the file itself");
            throw new IpcException(at + ": " + ipcsh.os.Errno.text(e.errno()) + " (" + e.errnoName() + ")");
        }
        try {
            int mode = LibC.get().fstat(fd).mode();
            if ((mode & LibC.S_IFMT) != LibC.S_IFREG) throw new IpcException(at + ": is not a regular file");
            Path self = Path.of("/proc/self/fd/" + fd); // stat(2) through it is fstat(2) of the descriptor
            int uid = (Integer) Files.getAttribute(self, "unix:uid");
            int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (uid != me) {
                throw new IpcException(at + " belongs to uid " + uid + ", not to this user (uid " + me + "); it is ignored");
            }
            if ((mode & 077) != 0) {
                throw new IpcException(at + " is open to others (mode 0" + Integer.toOctalString(mode & 0777)
                        + "); a token must be private: chmod 600 " + file);
            }
            byte[] buf = new byte[MAX + 2];
            int len = 0;
            while (len < buf.length) {
                int n = LibC.get().read(fd, buf, len, buf.length - len);
                if (n <= 0) break;
                len += n;
            }
            String t = new String(buf, 0, len, StandardCharsets.UTF_8).strip();
            if (t.length() > MAX) throw new IpcException(at + ": the token is longer than " + MAX + " characters");
            if (t.length() < MIN) throw new IpcException(at + ": the token is shorter than " + MIN + " characters");
            if (t.indexOf('\n') >= 0) throw new IpcException(at + ": holds more than one line; a token is one line");
            return t.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IpcException(at + ": " + e.getMessage());
        } finally {
            LibC.get().close(fd);
        }
    }
}
