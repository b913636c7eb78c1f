package ipcsh.chan;

import ipcsh.IpcException;

/** End-of-line translation. The default, LF, changes nothing: channels are binary-safe. */
public enum Translation {
    LF, CRLF, AUTO;

    public String keyword() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Translation of(String name) {
        for (Translation t : values()) if (t.keyword().equals(name)) return t;
        throw new IpcException("unknown :translation " + name + " (expected lf, crlf or auto)");
    }
}
