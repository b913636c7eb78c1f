package ipcsh.chan;

import ipcsh.IpcException;

/**
 * End-of-line translation of a text channel, Tcl's -translation. Input: AUTO (the default, as in
 * Tcl) ends a line at CR, LF or CR LF, so lines from CRLF protocols (RESP, HTTP, SMTP) and old
 * Mac text read without a stray CR; CRLF reads CR LF as LF and keeps a lone CR; LF changes
 * nothing. Output: CRLF writes each LF as CR LF; AUTO and LF write LF (Unix's native end of line,
 * as Tcl's auto does there). A binary channel translates nothing, whatever the option says.
 *
 * <p>A CR that ends what is buffered is taken as a line end at once (a read never waits for one
 * more byte to decide), and an LF that then opens the next bytes is dropped as its pair: Tcl's
 * INPUT_SAW_CR. So "a\r" + pause + "\nb\n" reads as "a", "b", and a peer that ends lines with a
 * lone CR is never left waiting.
 */
public enum Translation {
    LF, CRLF, AUTO;

    public String keyword() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Translation of(String name) {
        for (Translation t : values()) if (t.keyword().equals(name)) return t;
        throw new IpcException("unknown :translation " + name + " (expected auto, lf or crlf)");
    }

    /** The index of the byte that ends the first line in a[from, to) (CR or LF under AUTO, LF else), or -1. */
    int lineEnd(byte[] a, int from, int to) {
        return this == AUTO ? ByteScan.indexOfEol(a, from, to) : ByteScan.indexOf(a, from, to, (byte) '\n');
    }

    /** Text read as a whole (read, not gets) with its line ends made LF. */
    String input(String s) {
        return switch (this) {
            case LF -> s;
            case CRLF -> s.indexOf('\r') < 0 ? s : s.replace("\r\n", "\n");
            case AUTO -> s.indexOf('\r') < 0 ? s : s.replace("\r\n", "\n").replace('\r', '\n');
        };
    }
}
