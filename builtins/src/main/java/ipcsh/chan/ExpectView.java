package ipcsh.chan;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The read buffer as {@link Expect} sees it: text to match against without taking it, then
 * the bytes a match came from consumed. Decoded with the channel's encoding (ISO-8859-1, one
 * char per byte, when binary); a character cut at the end of the buffer is left for later.
 */
final class ExpectView {
    private final ChannelOptions opt;
    private final InputBuffer buf;
    private final Channel ch;
    /** How many bytes the last peek decoded. */
    private int peekedBytes;

    ExpectView(Channel ch, ChannelOptions opt, InputBuffer buf) {
        this.ch = ch;
        this.opt = opt;
        this.buf = buf;
    }

    /** Bytes read from the OS and not yet consumed by a read verb. */
    int bufferedBytes() {
        return buf.available();
    }

    /** The first maxBytes of the buffered input as text, a character cut at the end left out. */
    String peekText(int maxBytes) {
        int n = Math.min(maxBytes, buf.available());
        peekedBytes = n;
        Charset cs = opt.charset;
        if (cs == null) return new String(buf.in, buf.inStart, n, StandardCharsets.ISO_8859_1);
        if (cs == StandardCharsets.UTF_8) {
            n = utf8Cut(buf.inStart, buf.inStart + n) - buf.inStart;
            peekedBytes = n;
        }
        if (opt.strict) Decoding.check(buf.in, buf.inStart, n, cs, buf.received - buf.available(), "expect", ch);
        return new String(buf.in, buf.inStart, n, cs);
    }

    /** end, or where the UTF-8 character cut at end starts (in[start, end) holds whole ones then). */
    private int utf8Cut(int start, int end) {
        byte[] in = buf.in;
        int i = end;
        while (i > start && i > end - 4 && (in[i - 1] & 0xc0) == 0x80) i--;
        return i > start && i - 1 + InputBuffer.utf8Length(in[i - 1]) > end ? i - 1 : end;
    }

    /**
     * UTF-8 text of the buffered bytes from offset from (a character boundary) up to offset to,
     * a character cut at the end left out: for a matcher that decodes what arrives once, piece
     * by piece. {@link #peekedBytes()} then tells the offset it ended at.
     */
    String peekUtf8(int from, int to) {
        int start = buf.inStart + from, end = utf8Cut(start, buf.inStart + Math.min(to, buf.available()));
        peekedBytes = end - buf.inStart;
        if (opt.strict) Decoding.check(buf.in, start, end - start, opt.charset, buf.received - (buf.inEnd - start), "expect", ch);
        return new String(buf.in, start, end - start, StandardCharsets.UTF_8);
    }

    int peekedBytes() {
        return peekedBytes;
    }

    /** Consumes the bytes that the first chars characters of the buffered UTF-8 text came from. */
    void consumeUtf8(int chars) {
        buf.consume(utf8BytesOf(chars));
    }

    /** Consumes the buffered input that the first chars characters of {@link #peekText} came from. */
    void consumeText(String text, int chars) {
        Charset cs = opt.charset;
        // one char per byte (binary, or text that was all ASCII): no need to encode again to count
        boolean oneToOne = cs == null || text.length() == peekedBytes;
        int bytes = oneToOne ? chars
                : cs == StandardCharsets.UTF_8 ? utf8BytesOf(chars)
                : text.substring(0, chars).getBytes(cs).length;
        buf.consume(bytes);
    }

    /**
     * How many buffered bytes of UTF-8 the first n decoded chars came from, walking the bytes:
     * ASCII runs eight bytes at a time, a 4-byte sequence is two chars (a surrogate pair), a
     * lead byte without its continuation bytes one (the decoder's U+FFFD).
     */
    private int utf8BytesOf(int n) {
        byte[] in = buf.in;
        int i = buf.inStart, inEnd = buf.inEnd;
        while (n > 0 && i < inEnd) {
            int ascii = ByteScan.asciiEnd(in, i, Math.min(inEnd, i + n));
            n -= ascii - i;
            i = ascii;
            if (n == 0 || i == inEnd) break;
            int len = InputBuffer.utf8Length(in[i]);
            boolean whole = i + len <= inEnd;
            for (int k = 1; whole && k < len; k++) whole = (in[i + k] & 0xc0) == 0x80;
            if (!whole) len = 1;
            n -= len == 4 ? 2 : 1;
            i += len;
        }
        return i - buf.inStart;
    }

    /** The channel's encoding; null when binary. */
    Charset charset() {
        return opt.charset;
    }

    /** The read buffer itself, for a matcher that looks at bytes in place: valid until the next read. */
    byte[] buffer() {
        return buf.in;
    }

    /** Where the buffered input starts in {@link #buffer()}. */
    int bufferStart() {
        return buf.inStart;
    }

    /** Consumes n buffered bytes. */
    void consume(int n) {
        buf.consume(n);
    }

    /**
     * How many of the first max buffered bytes are ASCII (one char each in UTF-8 and the
     * ISO-8859 family). Bytes already found ASCII are not looked at again.
     */
    int asciiPrefix(int max) {
        int end = buf.inStart + Math.min(max, buf.available());
        if (buf.asciiEnd < end) buf.asciiEnd = ByteScan.asciiEnd(buf.in, Math.max(buf.asciiEnd, buf.inStart), end);
        return Math.max(0, Math.min(buf.asciiEnd, end) - buf.inStart);
    }
}
