package ipcsh.os;

import ipcsh.IpcException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failed system call: {@code open "/tmp/f": No such file or directory (ENOENT)}.
 * Carries the call, what it was applied to (path, peer or channel) and errno.
 */
public class OsException extends IpcException {
    private final String call;
    private final String subject;
    private final int errno;

    public OsException(String call, String subject, int errno) {
        this(call, subject, errno, null);
    }

    /** With a hint saying what the errno means here ("no reader has the FIFO open"). */
    public OsException(String call, String subject, int errno, String hint) {
        super(format(call, subject, errno) + (hint == null ? "" : ": " + hint), fields(call, subject, errno));
        this.call = call;
        this.subject = subject;
        this.errno = errno;
    }

    private static String format(String call, String subject, int errno) {
        String where = subject == null ? "" : " \"" + subject + "\"";
        return call + where + ": " + Errno.text(errno) + " (" + Errno.name(errno) + ")";
    }

    private static Map<String, Object> fields(String call, String subject, int errno) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("call", call);
        if (subject != null) m.put("path", subject);
        m.put("errno", Errno.name(errno));
        m.put("errno-code", (long) errno);
        return m;
    }

    /** The same failure, told about the object it concerned (a channel's name, a path). */
    public OsException about(String newSubject) {
        OsException e = new OsException(call, newSubject, errno);
        e.setStackTrace(getStackTrace());
        return e;
    }

    public String call() { return call; }
    public String subject() { return subject; }
    public int errno() { return errno; }
    public String errnoName() { return Errno.name(errno); }
}
