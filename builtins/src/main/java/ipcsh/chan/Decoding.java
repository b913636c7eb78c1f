package ipcsh.chan;

import ipcsh.IpcException;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Bytes to text for a channel, by its :encoding-errors: :replace (the default) makes each
 * invalid sequence U+FFFD, as Java's decoders do; :strict raises an error naming the byte offset
 * in the stream, so a script that must not guess (a protocol, a checksum) finds out.
 */
final class Decoding {
    private Decoding() {}

    /** The :encoding-errors value: true for :strict. */
    static boolean strict(String word) {
        return switch (word) {
            case "strict" -> true;
            case "replace" -> false;
            default -> throw new IpcException("unknown :encoding-errors " + word + " (expected replace or strict)");
        };
    }

    /**
     * The text of a[off, off+len). ASCII in UTF-8 or US-ASCII is copied as ISO-8859-1, one char a
     * byte (their decoders look at each byte again: no intrinsic under C1, ~1 ns a byte).
     * streamOffset is where a[off] stands in the stream, for the strict error, which names the verb
     * and the channel (built then only: this runs for every line).
     */
    static String decode(byte[] a, int off, int len, Charset cs, boolean strict, long streamOffset, String verb, Channel ch) {
        boolean ascii = (cs == StandardCharsets.UTF_8 || cs == StandardCharsets.US_ASCII)
                && ByteScan.asciiEnd(a, off, off + len) == off + len;
        if (ascii) return new String(a, off, len, StandardCharsets.ISO_8859_1);
        if (strict) check(a, off, len, cs, streamOffset, verb, ch);
        return new String(a, off, len, cs);
    }

    /** Raises the strict error at the first invalid or unmappable sequence of a[off, off+len), if any. */
    static void check(byte[] a, int off, int len, Charset cs, long streamOffset, String verb, Channel ch) {
        CharsetDecoder d = cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(a, off, len);
        CharBuffer out = CharBuffer.allocate(Math.min(len, 8192) + 2);
        while (true) {
            CoderResult r = d.decode(in, out, true);
            if (r.isError()) throw error(a, in.position(), r.length(), cs, streamOffset + in.position() - off, verb + " " + ch.describe());
            if (r.isUnderflow()) break;
            out.clear(); // overflow: the text itself is not kept
        }
        out.clear();
        CoderResult r = d.flush(out);
        if (r.isError()) throw error(a, in.position(), r.length(), cs, streamOffset + in.position() - off, verb + " " + ch.describe());
    }

    private static IpcException error(byte[] a, int at, int n, Charset cs, long offset, String where) {
        StringBuilder hex = new StringBuilder();
        for (int i = at; i < at + n && i < a.length; i++) hex.append(hex.isEmpty() ? "" : " ").append(String.format("%02x", a[i] & 0xff));
        return new IpcException(where + ": invalid " + cs.name() + " at byte " + offset + " of the stream (" + hex
                + "), and :encoding-errors is :strict", Map.of("errno", "EILSEQ", "offset", offset));
    }
}
