package ipcsh.chan;

import ipcsh.IpcException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * A stream channel's :framing: gets cuts frames out of the read buffer (lines, netstrings,
 * length prefixes, raw chunks), puts makes them; a frame over :max-frame is dropped whole and
 * reported once. Also the channel's text to bytes for every write.
 */
final class Framer {
    private final Channel ch;
    private final ChannelOptions opt;
    private final InputBuffer buf;

    /** Bytes of an oversized length-prefixed frame still to discard before the next frame. */
    long skip;
    /** While discarding an oversized line up to its newline: the bytes dropped so far; else -1. */
    private long dropping = -1;

    Framer(Channel ch, ChannelOptions opt, InputBuffer buf) {
        this.ch = ch;
        this.opt = opt;
        this.buf = buf;
    }

    // ------------------------------------------------------------------ reading

    /** gets on a stream: one frame, decoded; null at end of stream or when a non-blocking channel has none yet. */
    Object gets(String verb) {
        long dl = Waiter.deadline(opt.timeoutMs);
        if (skip > 0 && !skipRest(dl, verb)) return null;
        if (opt.framing == Framing.LINES && opt.charset != null) return readTextLine(dl, verb);
        byte[] frame = switch (opt.framing) {
            case LINES, JSON_LINES -> readLine(dl, verb);
            case RAW -> buf.readAvailable((int) Math.min(opt.maxFrame, Integer.MAX_VALUE), dl, verb);
            case NETSTRING -> readNetstring(dl, verb);
            case U16BE, U32BE, U32LE -> readPrefixed(dl, verb);
            case CONTENT_LENGTH -> ContentLength.read(this, buf, dl, verb);
        };
        return frame == null ? null : decode(frame, verb);
    }

    /**
     * A frame as the verb returns it. Lines arrive without their end of line; the payload of
     * other framings and of messages is not translated (a frame is the bytes it was given).
     */
    Object decode(byte[] frame, String verb) {
        if (opt.framing.json()) return Json.parse(frame, opt.charset, opt.maxDepth, verb + " " + ch.describe());
        if (opt.charset == null) return frame;
        // ASCII reads the same in UTF-8 and US-ASCII as in ISO-8859-1, whose decoder only copies;
        // theirs look at each byte again (no intrinsic under C1: ~1 ns a byte)
        if ((opt.charset == StandardCharsets.UTF_8 || opt.charset == StandardCharsets.US_ASCII)
                && ByteScan.asciiEnd(frame, 0, frame.length) == frame.length) {
            return new String(frame, StandardCharsets.ISO_8859_1);
        }
        return Decoding.decode(frame, 0, frame.length, opt.charset, opt.strict, buf.frameOffset, verb, ch);
    }

    /** Where the line ending at index nl continues (after a CR LF pair's LF, a lone CR or an LF). */
    private int next(int nl) {
        return buf.in[nl] == '\n' ? nl + 1 : buf.afterLineEnd(nl);
    }

    /** {@link #findLine}'s answer when there is no line: end of stream, or a non-blocking channel has none yet. */
    private static final int NO_LINE = -1;
    /** Where the line {@link #findLine} found continues: the next line's start. */
    private int lineNext;

    private byte[] readLine(long dl, String verb) {
        int end = findLine(dl, verb);
        if (end == NO_LINE) return null;
        byte[] line = Arrays.copyOfRange(buf.in, buf.inStart, end);
        buf.inStart = lineNext;
        return line;
    }

    /**
     * A text line decoded from the read buffer itself: the commonest read loop, (gets ch), makes
     * the String and nothing else (a copy of the line's bytes first was a third of its allocation).
     * The line is consumed before it is decoded: a :strict error drops it, as for every frame.
     */
    private String readTextLine(long dl, String verb) {
        int end = findLine(dl, verb);
        if (end == NO_LINE) return null;
        int start = buf.inStart;
        buf.inStart = lineNext;
        return Decoding.decode(buf.in, start, end - start, opt.charset, opt.strict, buf.frameOffset, verb, ch);
    }

    /**
     * Finds the next line: its bytes are buf.in[buf.inStart, the index returned), without its end
     * of line, and {@link #lineNext} is where the next line starts; NO_LINE when there is none.
     * A line longer than :max-frame is dropped up to its newline (waiting for it as a read
     * would), then reported once; the next read starts with the next line.
     */
    private int findLine(long dl, String verb) {
        InputBuffer b = buf;
        int scanned = 0;
        while (true) {
            Translation tr = opt.inputTranslation();
            if (dropping >= 0) {
                int nl = tr.lineEnd(b.in, b.inStart, b.inEnd);
                if (nl >= 0) {
                    long n = dropping + (nl - b.inStart);
                    b.inStart = next(nl);
                    dropping = -1;
                    throw tooLong("line", n, verb, "");
                }
                dropping += b.inEnd - b.inStart;
                b.inStart = b.inEnd;
                int r = b.fill(dl, verb);
                if (r == InputBuffer.EOF) {
                    long n = dropping;
                    dropping = -1;
                    throw tooLong("line", n, verb, " (the stream ended inside it)");
                }
                if (r == InputBuffer.BLOCKED) return NO_LINE;
                continue;
            }
            int nl = tr.lineEnd(b.in, b.inStart + scanned, b.inEnd);
            if (nl >= 0) {
                int end = nl;
                if (tr == Translation.CRLF && end > b.inStart && b.in[end - 1] == '\r') end--;
                if (end - b.inStart > opt.maxFrame) {
                    long n = end - b.inStart;
                    b.inStart = next(nl);
                    throw tooLong("line", n, verb, "");
                }
                b.frameOffset = b.received - (b.inEnd - b.inStart);
                lineNext = next(nl);
                return end;
            }
            scanned = b.inEnd - b.inStart;
            if (scanned > opt.maxFrame) {
                dropping = scanned;
                b.inStart = b.inEnd;
                scanned = 0;
                continue;
            }
            int r = b.fill(dl, verb);
            if (r == InputBuffer.EOF && scanned > 0) {
                // the last line, with no end of line
                b.frameOffset = b.received - (b.inEnd - b.inStart);
                lineNext = b.inStart + scanned;
                return lineNext;
            }
            if (r == InputBuffer.EOF || r == InputBuffer.BLOCKED) return NO_LINE;
        }
    }

    /** A frame (or message) over :max-frame, reported once it is dropped. */
    /** A frame whose head cannot be read; what it was is dropped and the next read starts after it. */
    IpcException malformed(String what, String verb) {
        return new IpcException(verb + " " + ch.describe() + ": malformed " + opt.framing.keyword() + " frame: " + what,
                Map.of("channel", ch.id(), "errno", "EBADMSG"));
    }

    IpcException tooLong(String what, long n, String verb, String more) {
        return new IpcException(verb + " " + ch.describe() + ": " + what + " of " + n + " bytes is longer than :max-frame ("
                + opt.maxFrame + " bytes)" + more + "; dropped " + n + " bytes, the next read starts after it",
                Map.of("channel", ch.id(), "errno", "EMSGSIZE", "dropped", n));
    }

    /**
     * Discards what is left of an oversized length-prefixed frame. False when a non-blocking
     * channel has no more of it yet or the stream ended.
     */
    boolean skipRest(long dl, String verb) {
        while (skip > 0) {
            if (buf.inEnd == buf.inStart) {
                int r = buf.fill(dl, verb);
                if (r == InputBuffer.EOF) {
                    skip = 0;
                    return false;
                }
                if (r == InputBuffer.BLOCKED) return false;
            }
            int n = (int) Math.min(skip, buf.inEnd - buf.inStart);
            buf.inStart += n;
            skip -= n;
        }
        return true;
    }

    private byte[] readNetstring(long dl, String verb) {
        InputBuffer b = buf;
        int scanned = 0;
        while (true) {
            int colon = -1;
            for (int i = b.inStart + scanned; i < b.inEnd; i++) {
                if (b.in[i] == ':') { colon = i; break; }
                if (b.in[i] < '0' || b.in[i] > '9' || i - b.inStart > 10) {
                    throw new IpcException(verb + " " + ch.id() + ": malformed netstring (length expected, got byte " + (b.in[i] & 0xff) + ")");
                }
            }
            if (colon >= 0) {
                long len = Long.parseLong(new String(b.in, b.inStart, colon - b.inStart, StandardCharsets.US_ASCII));
                int head = colon - b.inStart + 1;
                checkLength(len, head, 1, verb);
                int r = b.ensure(head + (int) len + 1, dl, verb);
                if (r != 1) return partial(r, verb);
                if (b.in[b.inStart + head + (int) len] != ',') {
                    throw new IpcException(verb + " " + ch.id() + ": malformed netstring (missing ',' after " + len + " bytes)");
                }
                b.frameOffset = b.received - (b.inEnd - b.inStart - head);
                byte[] data = Arrays.copyOfRange(b.in, b.inStart + head, b.inStart + head + (int) len);
                b.inStart += head + (int) len + 1;
                return data;
            }
            scanned = b.inEnd - b.inStart;
            int r = b.fill(dl, verb);
            if (r == InputBuffer.EOF) return partial(r, verb);
            if (r == InputBuffer.BLOCKED) return null;
        }
    }

    private byte[] readPrefixed(long dl, String verb) {
        InputBuffer b = buf;
        Framing framing = opt.framing;
        int p = framing.prefixBytes();
        int r = b.ensure(p, dl, verb);
        if (r != 1) return partial(r, verb);
        long len = framing.decodeLength(Arrays.copyOfRange(b.in, b.inStart, b.inStart + p));
        checkLength(len, p, 0, verb);
        r = b.ensure(p + (int) len, dl, verb);
        if (r != 1) return partial(r, verb);
        b.frameOffset = b.received - (b.inEnd - b.inStart - p);
        byte[] data = Arrays.copyOfRange(b.in, b.inStart + p, b.inStart + p + (int) len);
        b.inStart += p + (int) len;
        return data;
    }

    /**
     * A frame whose length says it is over :max-frame is reported at once and skipped: its
     * head, body and trailer (netstring's comma) are discarded, by this read as far as they
     * are buffered, by the next reads for the rest.
     */
    void checkLength(long len, int head, int trailer, String verb) {
        if (len <= opt.maxFrame) return;
        skip = head + len + trailer;
        int n = (int) Math.min(skip, buf.available());
        buf.inStart += n;
        skip -= n;
        throw tooLong(opt.framing.keyword() + " frame", len, verb, "");
    }

    byte[] partial(int r, String verb) {
        if (r == InputBuffer.BLOCKED) return null;
        if (buf.available() > 0) {
            throw new IpcException(verb + " " + ch.id() + ": stream ended inside a " + opt.framing.keyword()
                    + " frame (" + buf.available() + " bytes left over)");
        }
        return null;
    }

    // ------------------------------------------------------------------ writing

    /**
     * puts on a stream: the data as :framing says, less the end of a line ({@link #lineEnd}),
     * which the output buffer puts after it (a copy of the line with its newline was a tenth of a
     * line ping-pong's allocation).
     */
    byte[] frame(Object data, String verb) {
        return switch (opt.framing) {
            case LINES, RAW -> encode(data);
            case JSON_LINES -> json(data, verb);
            case CONTENT_LENGTH -> ContentLength.frame(json(data, verb));
            case NETSTRING -> {
                byte[] b = encode(data);
                byte[] head = (b.length + ":").getBytes(StandardCharsets.US_ASCII);
                byte[] f = new byte[head.length + b.length + 1];
                System.arraycopy(head, 0, f, 0, head.length);
                System.arraycopy(b, 0, f, head.length, b.length);
                f[f.length - 1] = ',';
                yield f;
            }
            case U16BE, U32BE, U32LE -> {
                byte[] b = encode(data);
                byte[] head;
                try {
                    head = opt.framing.encodeLength(b.length);
                } catch (IpcException e) {
                    throw new IpcException(verb + " " + ch.describe() + ": " + e.getMessage(),
                            Map.of("channel", ch.id(), "errno", "EMSGSIZE"));
                }
                byte[] f = Arrays.copyOf(head, head.length + b.length);
                System.arraycopy(b, 0, f, head.length, b.length);
                yield f;
            }
        };
    }

    /** puts on a message channel: the message is the frame (JSON for :json-lines). */
    byte[] message(Object data, String verb) {
        return opt.framing.json() ? json(data, verb) : encode(data);
    }

    private byte[] json(Object data, String verb) {
        return Json.write(data, opt.charset, opt.maxDepth, verb + " " + ch.describe());
    }

    private static final byte[] LF = {'\n'}, CRLF = {'\r', '\n'};

    /** What ends a frame of :lines and :json-lines (CR LF under :translation :crlf on a text channel, else LF); null for other framings. */
    byte[] lineEnd() {
        if (opt.framing != Framing.LINES && opt.framing != Framing.JSON_LINES) return null;
        return opt.translation == Translation.CRLF && opt.charset != null ? CRLF : LF;
    }

    /** The frames of a multipart message, each by {@link #encode}. */
    java.util.List<byte[]> encodeAll(java.util.List<?> parts) {
        java.util.List<byte[]> frames = new java.util.ArrayList<>(parts.size());
        for (Object p : parts) frames.add(encode(p));
        return frames;
    }

    /** Bytes as given; text in the channel's encoding, LF as CR LF under :translation :crlf. */
    byte[] encode(Object data) {
        if (data instanceof byte[] b) return b;
        String s = data == null ? "" : data.toString();
        if (opt.translation == Translation.CRLF) s = s.replace("\r\n", "\n").replace("\n", "\r\n");
        return s.getBytes(opt.charset == null ? StandardCharsets.ISO_8859_1 : opt.charset);
    }
}
