package ipcsh.os;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reading /proc files. Files.readString and readAllBytes trust the size stat reports, which is
 * 0 or wrong there: on JDK 25 they return one byte of /proc/sys/kernel/msgmax ("8" of "8192")
 * and fail with EINVAL on a large process's maps. Plain reads until end of file are right.
 */
public final class ProcFiles {
    private ProcFiles() {}

    /** The whole file as ISO-8859-1 text (any bytes survive; /proc's own text is ASCII). */
    public static String read(String path) throws IOException {
        try (InputStream in = new FileInputStream(path)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] b = new byte[8192];
            for (int n; (n = in.read(b)) > 0;) out.write(b, 0, n);
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** A number file such as /proc/sys/fs/mqueue/msg_max, or dflt when it cannot be read. */
    public static long number(String path, long dflt) {
        try {
            return Long.parseLong(read(path).trim());
        } catch (IOException | RuntimeException e) {
            return dflt;
        }
    }
}
