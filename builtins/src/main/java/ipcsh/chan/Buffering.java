package ipcsh.chan;

import ipcsh.IpcException;

/** When written bytes leave the channel's buffer: at once, at each newline, or when it is full. */
public enum Buffering {
    NONE, LINE, FULL;

    public String keyword() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Buffering of(String name) {
        for (Buffering b : values()) if (b.keyword().equals(name)) return b;
        throw new IpcException("unknown :buffering " + name + " (expected none, line or full)");
    }
}
