package ipcsh.chan;

import ipcsh.ArgCheck;
import ipcsh.IpcException;

import java.util.Arrays;

/**
 * Tcl's -eofchar on input: a character that ends the stream where it appears. What follows it
 * (the character included) is held back, as Tcl leaves it in the channel's buffers, and comes
 * back into the buffer when the option changes, so reading can go on past it.
 */
final class EofChar {
    private int ch = -1;
    private byte[] held;

    /** An :eofchar: nil for none, or one ASCII character other than NUL (one byte in every ASCII-based encoding), as Tcl 9 takes. */
    static int parse(Object v) {
        if (v == null) return -1;
        String s = v instanceof Character c ? c.toString() : v instanceof String str ? str : null;
        if (s == null || s.length() != 1 || s.charAt(0) < 1 || s.charAt(0) > 0x7f) {
            throw new IpcException("option :eofchar must be nil or one ASCII character (\\u0001 to \\u007f), not "
                    + ArgCheck.describe(v));
        }
        return s.charAt(0);
    }

    boolean isSet() {
        return ch >= 0;
    }

    /** The character, or -1 for none. */
    int get() {
        return ch;
    }

    /** Whether the character was met: the stream has ended for reads until the option changes. */
    boolean hit() {
        return held != null;
    }

    /** Where a[from, to) ends for reads: at the character (holding back the rest), or to. */
    int cut(byte[] a, int from, int to) {
        if (ch < 0 || held != null) return to;
        int p = ByteScan.indexOf(a, from, to, (byte) ch);
        if (p < 0) return to;
        held = Arrays.copyOfRange(a, p, to);
        return p;
    }

    /** Sets the character (-1: none) and returns what was held back at the old one (null if nothing). */
    byte[] set(int c) {
        byte[] h = held;
        held = null;
        ch = c;
        return h;
    }
}
