package ipcsh.chan;

import java.nio.charset.StandardCharsets;

/**
 * Bytes seen as text one char per byte, in place: what expect matches on when every byte is its
 * own character (a binary or ISO-8859-1 channel, or ASCII text in UTF-8), so the read buffer is
 * searched without being decoded or copied. Substrings are Strings (copies).
 */
final class ByteChars implements CharSequence {
    private final byte[] a;
    private final int off, len;

    ByteChars(byte[] a, int off, int len) {
        this.a = a;
        this.off = off;
        this.len = len;
    }

    byte[] array() {
        return a;
    }

    int offset() {
        return off;
    }

    @Override
    public int length() {
        return len;
    }

    @Override
    public char charAt(int i) {
        return (char) (a[off + i] & 0xff);
    }

    @Override
    public String subSequence(int start, int end) {
        return new String(a, off + start, end - start, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return subSequence(0, len);
    }
}
