package ipcsh.chan;

import ipcsh.ArgCheck;
import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The generic channel (Tcl's model): one class for every kind, over a {@link Driver}.
 * It owns buffering, encoding, end-of-line translation, framing, timeouts, EOF and
 * would-block state; drivers do only raw reads and writes. All EAGAIN/EOF interpretation
 * happens in {@link #fill} and {@link #writeFully}.
 *
 * <p>A channel is used from one thread at a time (the interpreter thread, DESIGN.md).
 */
public final class Channel implements Closeable {
    public static final int DEFAULT_BUFFER = 64 * 1024;
    public static final long DEFAULT_MAX_QUEUE = 16L * 1024 * 1024;
    public static final int DEFAULT_MAX_DEPTH = 1000;
    /** How long the shell's exit waits for queued output when the channel has no :timeout. */
    static final long EXIT_DRAIN_MS = 10_000;
    private static final AtomicLong SERIALS = new AtomicLong();
    private static final int EOF = 0, BLOCKED = -1;

    private final Driver driver;
    private final String id;
    private final long serial = SERIALS.incrementAndGet();

    private boolean blocking = true;
    private Buffering buffering = Buffering.LINE;
    private int bufferSize = DEFAULT_BUFFER;
    private Charset charset = StandardCharsets.UTF_8;
    private Translation translation = Translation.AUTO;
    /** Whether :buffering was chosen (by the user or the kind); if not it follows :encoding: :line for text, :none for binary. */
    private boolean bufferingChosen;
    private boolean strict; // :encoding-errors :strict
    private final EofChar eofChar = new EofChar();
    /** The last line ended at a CR that ended the buffer: an LF opening the next bytes is its pair (Tcl's INPUT_SAW_CR). */
    private boolean sawCr;
    /** Bytes that have entered the read buffer: in[i] is byte received - (inEnd - i) of the stream. */
    private long received;
    private long timeoutMs = -1;
    private Framing framing = Framing.LINES;
    private long maxFrame = 64L * 1024 * 1024;
    private long maxQueue = DEFAULT_MAX_QUEUE;
    private int maxDepth = DEFAULT_MAX_DEPTH;

    private byte[] in = new byte[0];
    private int peekedBytes; // how many bytes the last peekText decoded
    private int inStart, inEnd;
    /** in[inStart, asciiEnd) is known to be ASCII: expect looks at each byte once, however often it searches. */
    private int asciiEnd;
    private byte[] out;
    private int outLen;
    private byte[] messageBuffer;
    private boolean eof, blocked, readClosed, writeClosed, closed;
    /** Output a non-blocking channel could not write yet; the event loop writes it in the background. */
    private final OutputQueue queued = new OutputQueue();
    /** Closed by the user with output still queued: the descriptors close once it is written. */
    private boolean closing;
    /** The same for (close ch :write): the write side shuts once the queue is written. */
    private boolean closingWrite;
    /** Bytes of an oversized length-prefixed frame still to discard before the next frame. */
    private long skip;
    /** While discarding an oversized line up to its newline: the bytes dropped so far; else -1. */
    private long dropping = -1;
    private final List<Runnable> closeHooks = new ArrayList<>(1);

    public Channel(Driver driver) {
        this(driver, true);
    }

    /** An unlisted channel over bytes fed in memory ({@link FrameDecoder}) is not in (channels). */
    Channel(Driver driver, boolean listed) {
        this.driver = driver;
        this.id = listed ? Channels.register(this, driver.kind()) : driver.kind();
        if (driver.readFd() < 0 && !(driver instanceof FrameDecoder.Feed)) readClosed = true;
        if (driver.writeFd() < 0) writeClosed = true;
    }

    public String id() { return id; }
    public String kind() { return driver.kind(); }
    public String name() { return driver.name(); }
    public Driver driver() { return driver; }
    long serial() { return serial; }
    public int readFd() { return readClosed || closed ? -1 : driver.readFd(); }
    public int writeFd() { return writeClosed || closed ? -1 : driver.writeFd(); }
    public boolean isClosed() { return closed; }
    public Framing framing() { return framing; }

    /** True when a read verb would return data without touching the OS (Tcl raises readable then). */
    public boolean hasBufferedInput() {
        return inEnd > inStart;
    }

    /**
     * Takes up to max bytes of what the read buffer holds, raw, without touching the OS: for
     * copy, which moves the rest of the stream below the buffer.
     */
    public byte[] takeBuffered(long max) {
        return take((int) Math.min(max, inEnd - inStart));
    }

    /** Whether the last read verb found nothing to return on a non-blocking channel. */
    public boolean blocked() {
        return blocked;
    }

    /** True once a read has met the end of the stream (Tcl's eof). */
    public boolean eof() {
        return eof && inEnd == inStart;
    }

    /** Runs before the descriptors close: the reactor forgets them there. */
    public void onClose(Runnable hook) {
        closeHooks.add(hook);
    }

    // ------------------------------------------------------------------ reading

    /** Reads one frame (a line by default); null at end of stream or when a non-blocking channel has none yet. */
    public Object gets() {
        String verb = "gets";
        checkReadable(verb);
        blocked = false;
        if (driver.messages()) {
            byte[] m = receive(verb);
            return m == null ? null : decodeFrame(m, verb);
        }
        long dl = Waiter.deadline(timeoutMs);
        if (skip > 0 && !skipRest(dl, verb)) return null;
        byte[] frame = switch (framing) {
            case LINES, JSON_LINES -> readLine(dl, verb);
            case RAW -> readAvailable((int) Math.min(maxFrame, Integer.MAX_VALUE), dl, verb);
            case NETSTRING -> readNetstring(dl, verb);
            case U16BE, U32BE, U32LE -> readPrefixed(dl, verb);
        };
        return frame == null ? null : decodeFrame(frame, verb);
    }

    /**
     * A frame as the verb returns it. Lines arrive without their end of line; the payload of
     * other framings and of messages is not translated (a frame is the bytes it was given).
     */
    private Object decodeFrame(byte[] frame, String verb) {
        if (framing == Framing.JSON_LINES) return Json.parse(frame, charset, maxDepth, verb + " " + describe());
        if (charset == null) return frame;
        // ASCII reads the same in UTF-8 and US-ASCII as in ISO-8859-1, whose decoder only copies;
        // theirs look at each byte again (no intrinsic under C1: ~1 ns a byte)
        if ((charset == StandardCharsets.UTF_8 || charset == StandardCharsets.US_ASCII)
                && ByteScan.asciiEnd(frame, 0, frame.length) == frame.length) {
            return new String(frame, StandardCharsets.ISO_8859_1);
        }
        return Decoding.decode(frame, 0, frame.length, charset, strict, frameOffset, verb, this);
    }

    /** The stream offset of the frame last taken from the buffer (0 for a message): for the :strict error. */
    private long frameOffset;

    /** The translation reads apply: none on a binary channel. */
    private Translation inputTranslation() {
        return charset == null ? Translation.LF : translation;
    }

    /**
     * Where the line ending at the CR at index end continues: after its LF, or after a lone CR.
     * A CR that ends the buffer ends the line now; an LF arriving next is dropped as its pair.
     */
    private int afterLineEnd(int end) {
        if (end + 1 < inEnd) return in[end + 1] == '\n' ? end + 2 : end + 1;
        sawCr = !eof;
        return end + 1;
    }

    /**
     * A line longer than :max-frame is dropped up to its newline (waiting for it as a read
     * would), then reported once; the next read starts with the next line.
     */
    private byte[] readLine(long dl, String verb) {
        int scanned = 0;
        while (true) {
            Translation tr = inputTranslation();
            if (dropping >= 0) {
                int nl = tr.lineEnd(in, inStart, inEnd);
                if (nl >= 0) {
                    long n = dropping + (nl - inStart);
                    inStart = in[nl] == '\n' ? nl + 1 : afterLineEnd(nl);
                    dropping = -1;
                    throw frameTooLong("line", n, verb, "");
                }
                dropping += inEnd - inStart;
                inStart = inEnd;
                int r = fill(dl, verb);
                if (r == EOF) {
                    long n = dropping;
                    dropping = -1;
                    throw frameTooLong("line", n, verb, " (the stream ended inside it)");
                }
                if (r == BLOCKED) return null;
                continue;
            }
            int nl = tr.lineEnd(in, inStart + scanned, inEnd);
            if (nl >= 0) {
                int end = nl;
                if (tr == Translation.CRLF && end > inStart && in[end - 1] == '\r') end--;
                if (end - inStart > maxFrame) {
                    long n = end - inStart;
                    inStart = in[nl] == '\n' ? nl + 1 : afterLineEnd(nl);
                    throw frameTooLong("line", n, verb, "");
                }
                frameOffset = received - (inEnd - inStart);
                byte[] line = Arrays.copyOfRange(in, inStart, end);
                inStart = in[nl] == '\n' ? nl + 1 : afterLineEnd(nl);
                return line;
            }
            scanned = inEnd - inStart;
            if (scanned > maxFrame) {
                dropping = scanned;
                inStart = inEnd;
                scanned = 0;
                continue;
            }
            int r = fill(dl, verb);
            if (r == EOF) return scanned > 0 ? take(scanned) : null;
            if (r == BLOCKED) return null;
        }
    }

    private IpcException frameTooLong(String what, long n, String verb, String more) {
        return new IpcException(verb + " " + describe() + ": " + what + " of " + n + " bytes is longer than :max-frame ("
                + maxFrame + " bytes)" + more + "; dropped " + n + " bytes, the next read starts after it",
                Map.of("channel", id, "errno", "EMSGSIZE", "dropped", n));
    }

    /**
     * Discards what is left of an oversized length-prefixed frame. False when a non-blocking
     * channel has no more of it yet or the stream ended.
     */
    private boolean skipRest(long dl, String verb) {
        while (skip > 0) {
            if (inEnd == inStart) {
                int r = fill(dl, verb);
                if (r == EOF) {
                    skip = 0;
                    return false;
                }
                if (r == BLOCKED) return false;
            }
            int n = (int) Math.min(skip, inEnd - inStart);
            inStart += n;
            skip -= n;
        }
        return true;
    }

    private byte[] readNetstring(long dl, String verb) {
        int scanned = 0;
        while (true) {
            int colon = -1;
            for (int i = inStart + scanned; i < inEnd; i++) {
                if (in[i] == ':') { colon = i; break; }
                if (in[i] < '0' || in[i] > '9' || i - inStart > 10) {
                    throw new IpcException(verb + " " + id + ": malformed netstring (length expected, got byte " + (in[i] & 0xff) + ")");
                }
            }
            if (colon >= 0) {
                long len = Long.parseLong(new String(in, inStart, colon - inStart, StandardCharsets.US_ASCII));
                int head = colon - inStart + 1;
                checkFrameLength(len, head, 1, verb);
                int r = ensure(head + (int) len + 1, dl, verb);
                if (r != 1) return partialFrame(r, verb);
                if (in[inStart + head + (int) len] != ',') {
                    throw new IpcException(verb + " " + id + ": malformed netstring (missing ',' after " + len + " bytes)");
                }
                frameOffset = received - (inEnd - inStart - head);
                byte[] data = Arrays.copyOfRange(in, inStart + head, inStart + head + (int) len);
                inStart += head + (int) len + 1;
                return data;
            }
            scanned = inEnd - inStart;
            int r = fill(dl, verb);
            if (r == EOF) return partialFrame(r, verb);
            if (r == BLOCKED) return null;
        }
    }

    private byte[] readPrefixed(long dl, String verb) {
        int p = framing.prefixBytes();
        int r = ensure(p, dl, verb);
        if (r != 1) return partialFrame(r, verb);
        long len = framing.decodeLength(Arrays.copyOfRange(in, inStart, inStart + p));
        checkFrameLength(len, p, 0, verb);
        r = ensure(p + (int) len, dl, verb);
        if (r != 1) return partialFrame(r, verb);
        frameOffset = received - (inEnd - inStart - p);
        byte[] data = Arrays.copyOfRange(in, inStart + p, inStart + p + (int) len);
        inStart += p + (int) len;
        return data;
    }

    /**
     * A frame whose length says it is over :max-frame is reported at once and skipped: its
     * head, body and trailer (netstring's comma) are discarded, by this read as far as they
     * are buffered, by the next reads for the rest.
     */
    private void checkFrameLength(long len, int head, int trailer, String verb) {
        if (len <= maxFrame) return;
        skip = head + len + trailer;
        int n = (int) Math.min(skip, inEnd - inStart);
        inStart += n;
        skip -= n;
        throw frameTooLong(framing.keyword() + " frame", len, verb, "");
    }

    private byte[] partialFrame(int r, String verb) {
        if (r == BLOCKED) return null;
        if (inEnd > inStart) {
            throw new IpcException(verb + " " + id + ": stream ended inside a " + framing.keyword()
                    + " frame (" + (inEnd - inStart) + " bytes left over)");
        }
        return null;
    }

    /** Makes {@code n} bytes available from inStart: 1 when they are, else EOF or BLOCKED. */
    private int ensure(int n, long dl, String verb) {
        while (inEnd - inStart < n) {
            int r = fill(dl, verb);
            if (r == EOF || r == BLOCKED) return r;
        }
        return 1;
    }

    /**
     * Reads {@code n} bytes (binary) or characters (text); blocking channels wait for all of
     * them or the end of the stream, non-blocking ones return what there is. A negative n reads to EOF.
     */
    public Object read(long n) {
        String verb = "read";
        checkReadable(verb);
        blocked = false;
        if (driver.messages()) return message(receive(verb), verb);
        long dl = Waiter.deadline(timeoutMs);
        if (skip > 0 && !skipRest(dl, verb)) return null;
        if (n < 0) return decodeAll(readToEof(dl, verb), verb);
        if (charset == null || isSingleByte()) {
            byte[] b = readBytes((int) Math.min(n, Integer.MAX_VALUE - 16), dl, verb);
            return b == null ? null : charset == null ? b : decodeAll(b, verb);
        }
        return readChars(n, dl, verb);
    }

    /** A message's data as recv and read return it: bytes, or text not translated. */
    private Object message(byte[] m, String verb) {
        if (m == null || charset == null) return m;
        frameOffset = 0;
        return Decoding.decode(m, 0, m.length, charset, strict, 0, verb, this);
    }

    private boolean isSingleByte() {
        return charset.newEncoder().maxBytesPerChar() == 1.0f;
    }

    /** Bytes just taken by read, as text with its line ends translated. */
    private Object decodeAll(byte[] b, String verb) {
        if (b == null) return null;
        if (charset == null) return b;
        String s = Decoding.decode(b, 0, b.length, charset, strict, frameOffset, verb, this);
        Translation tr = inputTranslation();
        if (tr == Translation.AUTO && b.length > 0 && b[b.length - 1] == '\r') {
            // a CR LF cut by the count is one line end: its LF goes with it, now or when it arrives
            if (inEnd > inStart) {
                if (in[inStart] == '\n') inStart++;
            } else {
                sawCr = !eof;
            }
        }
        return tr.input(s);
    }

    /** One whole message of a message channel: recv's data (bytes on a binary channel). Null when a non-blocking channel has none. */
    public Object recv() {
        return recv(null, null);
    }

    /** recv waiting as this call says: timeout ms (null: the channel's :timeout), nonblock (null: as the channel's :blocking). */
    public Object recv(Long timeout, Boolean nonblock) {
        String verb = "recv";
        checkReadable(verb);
        blocked = false;
        return message(receive(verb, timeout == null ? timeoutMs : timeout, nonblock == null ? !blocking : nonblock), verb);
    }

    private byte[] readToEof(long dl, String verb) {
        while (true) {
            int r = fill(dl, verb);
            if (r == EOF) return take(inEnd - inStart);
            if (r == BLOCKED) return inEnd > inStart ? take(inEnd - inStart) : null;
        }
    }

    private byte[] readBytes(int n, long dl, String verb) {
        // straight into the result only when nothing needs looking at on the way (an LF after a CR, an :eofchar)
        if (inEnd == inStart && n >= DIRECT_READ && inputTranslation() == Translation.LF && !eofChar.isSet()) {
            return readDirect(n, dl, verb);
        }
        int r = ensure(n, dl, verb);
        int have = Math.min(n, inEnd - inStart);
        if (r != 1 && have == 0) return r == EOF ? (eof ? new byte[0] : null) : null;
        return take(have);
    }

    /** Large reads with nothing buffered go straight into the returned array: one copy, as in C. */
    private static final int DIRECT_READ = 4096;

    private byte[] readDirect(int n, long dl, String verb) {
        // n may be up to 1 GiB: the array grows with what arrives instead of being allocated for n at once
        byte[] b = new byte[Math.min(n, Math.max(bufferSize, 1 << 20))];
        int got = 0;
        while (got < n) {
            if (got == b.length) b = Arrays.copyOf(b, (int) Math.min(n, 2L * b.length));
            int r;
            try {
                r = driver.read(b, got, b.length - got);
            } catch (OsException e) {
                throw failure(e, verb);
            }
            if (r > 0) {
                got += r;
                received += r;
                if (!blocking) break;
            } else if (r == 0) {
                eof = true;
                break;
            } else if (!blocking) {
                blocked = got == 0;
                break;
            } else {
                awaitReadable(dl, verb);
            }
        }
        if (got == 0) return eof ? new byte[0] : null;
        return got == b.length ? b : Arrays.copyOf(b, got);
    }

    private void awaitReadable(long dl, String verb) {
        awaitReadable(dl, verb, timeoutMs);
    }

    private void awaitReadable(long dl, String verb, long ms) {
        if (!awaitInput(dl, verb)) throw new TimeoutError(verb + " " + describe(), ms);
    }

    /**
     * Every read that must wait waits here. It first sends this channel's own buffered output:
     * the peer may be waiting for that request before it answers (a binary message with no
     * newline in a :line buffer hung a hand-made D-Bus Hello). Tcl 8.6 does not (a gets after a
     * puts on a -buffering full socket waits there for good). False when the deadline passed.
     */
    private boolean awaitInput(long dl, String verb) {
        if (outLen > 0 && !writeClosed) flushBuffer(verb);
        return Waiter.await(driver.readFd(), LibC.POLLIN, dl, verb + " " + id);
    }

    private String readChars(long n, long dl, String verb) {
        // UTF-8 (or another multi-byte charset read as UTF-8 would be): count lead bytes.
        while (true) {
            int chars = 0, i = inStart;
            while (i < inEnd && chars < n) {
                int len = utf8Length(in[i]);
                if (i + len > inEnd) break;
                i += len;
                chars++;
            }
            if (chars == n) return (String) decodeAll(take(i - inStart), verb);
            int r = fill(dl, verb);
            if (r == EOF || r == BLOCKED) {
                if (inEnd == inStart) return r == EOF ? "" : null;
                return (String) decodeAll(take(inEnd - inStart), verb);
            }
        }
    }

    private static int utf8Length(byte lead) {
        int b = lead & 0xff;
        if (b < 0xc0) return 1;
        if (b < 0xe0) return 2;
        if (b < 0xf0) return 3;
        return 4;
    }

    /** Up to {@code max} bytes: what is buffered, else one read's worth. Null at EOF or when blocked. */
    private byte[] readAvailable(int max, long dl, String verb) {
        if (inEnd == inStart) {
            int r = fill(dl, verb);
            if (r == EOF || r == BLOCKED) return null;
        }
        return take(Math.min(max, inEnd - inStart));
    }

    /** Copies out and consumes n buffered bytes. */
    private byte[] take(int n) {
        frameOffset = received - (inEnd - inStart);
        byte[] b = Arrays.copyOfRange(in, inStart, inStart + n);
        inStart += n;
        return b;
    }

    /**
     * Reads from the driver into the buffer once data is there: returns a positive count,
     * EOF, or BLOCKED for a non-blocking channel. Blocking channels wait here, bounded by the
     * deadline and by Ctrl-C.
     */
    private int fill(long dl, String verb) {
        makeRoom(4096);
        while (true) {
            if (eofChar.hit()) return EOF;
            int n;
            try {
                n = driver.read(in, inEnd, in.length - inEnd);
            } catch (OsException e) {
                throw failure(e, verb);
            }
            if (n > 0) {
                n = arrived(n);
                if (n > 0) return n;
                continue; // only the LF of a CR LF already taken, or the :eofchar
            }
            if (n == 0) {
                eof = true;
                return EOF;
            }
            if (!blocking) {
                blocked = true;
                return BLOCKED;
            }
            awaitReadable(dl, verb);
        }
    }

    /**
     * The driver just put n bytes at inEnd: they join the buffer, less an LF that pairs with a
     * CR a line already ended at, and up to an :eofchar. Returns how many joined.
     */
    private int arrived(int n) {
        int at = inEnd;
        received += n;
        inEnd += n;
        if (sawCr) {
            sawCr = false;
            if (in[at] == '\n' && at == inStart) {
                inStart++;
                at++;
            }
        }
        cutAtEofChar(at);
        return inEnd - at;
    }

    /** A new :eofchar: what the old one held back returns to the buffer, and the buffer is looked at again. */
    private void setEofChar(int c) {
        byte[] held = eofChar.set(c);
        if (held != null) {
            eof = false;
            makeRoom(held.length);
            System.arraycopy(held, 0, in, inEnd, held.length);
            inEnd += held.length;
            received += held.length;
        }
        cutAtEofChar(inStart);
    }

    /** Ends the buffer at an :eofchar in in[from, inEnd), if there is one. */
    private void cutAtEofChar(int from) {
        if (!eofChar.isSet() || driver.messages()) return;
        int end = eofChar.cut(in, from, inEnd);
        if (eofChar.hit()) eof = true;
        received -= inEnd - end;
        inEnd = end;
        asciiEnd = Math.min(asciiEnd, inEnd);
    }

    /** Compacts or grows the read buffer so that at least {@code free} bytes are free after inEnd. */
    private void makeRoom(int free) {
        if (inStart == inEnd) {
            inStart = inEnd = asciiEnd = 0;
        }
        if (in.length - inEnd < free) {
            int live = inEnd - inStart;
            if (inStart > 0 && live < in.length / 2 && in.length - live >= free) {
                System.arraycopy(in, inStart, in, 0, live);
            } else {
                in = Arrays.copyOf(in, Math.max(bufferSize, Math.max(in.length * 2, live + free)));
                if (inStart > 0) System.arraycopy(in, inStart, in, 0, live);
            }
            asciiEnd = Math.max(0, asciiEnd - inStart);
            inStart = 0;
            inEnd = live;
        }
    }

    // ------------------------------------------------------------------ matching in the buffer (expect)

    /** Bytes read from the OS and not yet consumed by a read verb. */
    public int bufferedBytes() {
        return inEnd - inStart;
    }

    /**
     * The first maxBytes of the buffered input as text, for a matcher to look at without
     * consuming it: decoded with the channel's encoding (ISO-8859-1, one char per byte, when
     * binary), a character cut at the end left out.
     */
    public String peekText(int maxBytes) {
        int n = Math.min(maxBytes, inEnd - inStart);
        peekedBytes = n;
        if (charset == null) return new String(in, inStart, n, StandardCharsets.ISO_8859_1);
        if (charset == StandardCharsets.UTF_8) {
            n = utf8Cut(inStart, inStart + n) - inStart;
            peekedBytes = n;
        }
        if (strict) Decoding.check(in, inStart, n, charset, received - (inEnd - inStart), "expect", this);
        return new String(in, inStart, n, charset);
    }

    /** end, or where the UTF-8 character cut at end starts (in[start, end) holds whole ones then). */
    private int utf8Cut(int start, int end) {
        int i = end;
        while (i > start && i > end - 4 && (in[i - 1] & 0xc0) == 0x80) i--;
        return i > start && i - 1 + utf8Length(in[i - 1]) > end ? i - 1 : end;
    }

    /**
     * UTF-8 text of the buffered bytes from offset from (a character boundary) up to offset to,
     * a character cut at the end left out: for a matcher that decodes what arrives once, piece
     * by piece. {@link #peekedBytes()} then tells the offset it ended at.
     */
    String peekUtf8(int from, int to) {
        int start = inStart + from, end = utf8Cut(start, inStart + Math.min(to, inEnd - inStart));
        peekedBytes = end - inStart;
        if (strict) Decoding.check(in, start, end - start, charset, received - (inEnd - start), "expect", this);
        return new String(in, start, end - start, StandardCharsets.UTF_8);
    }

    int peekedBytes() {
        return peekedBytes;
    }

    /** Consumes the bytes that the first chars characters of the buffered UTF-8 text came from. */
    void consumeUtf8(int chars) {
        inStart += Math.min(utf8BytesOf(chars), inEnd - inStart);
    }

    /** Consumes the buffered input that the first chars characters of {@link #peekText} came from. */
    public void consumeText(String text, int chars) {
        // one char per byte (binary, or text that was all ASCII): no need to encode again to count
        boolean oneToOne = charset == null || text.length() == peekedBytes;
        int bytes = oneToOne ? chars
                : charset == StandardCharsets.UTF_8 ? utf8BytesOf(chars)
                : text.substring(0, chars).getBytes(charset).length;
        inStart += Math.min(bytes, inEnd - inStart);
    }

    /**
     * How many buffered bytes of UTF-8 the first n decoded chars came from, walking the bytes:
     * ASCII runs eight bytes at a time, a 4-byte sequence is two chars (a surrogate pair), a
     * lead byte without its continuation bytes one (the decoder's U+FFFD).
     */
    private int utf8BytesOf(int n) {
        int i = inStart;
        while (n > 0 && i < inEnd) {
            int ascii = ByteScan.asciiEnd(in, i, Math.min(inEnd, i + n));
            n -= ascii - i;
            i = ascii;
            if (n == 0 || i == inEnd) break;
            int len = utf8Length(in[i]);
            boolean whole = i + len <= inEnd;
            for (int k = 1; whole && k < len; k++) whole = (in[i + k] & 0xc0) == 0x80;
            if (!whole) len = 1;
            n -= len == 4 ? 2 : 1;
            i += len;
        }
        return i - inStart;
    }

    /** The channel's encoding; null when binary. */
    Charset charset() {
        return charset;
    }

    /** The read buffer itself, for a matcher that looks at bytes in place: valid until the next read. */
    byte[] buffer() {
        return in;
    }

    /** Where the buffered input starts in {@link #buffer()}. */
    int bufferStart() {
        return inStart;
    }

    /** Consumes n buffered bytes. */
    void consume(int n) {
        inStart += Math.min(n, inEnd - inStart);
    }

    /**
     * How many of the first max buffered bytes are ASCII (one char each in UTF-8 and the
     * ISO-8859 family). Bytes already found ASCII are not looked at again.
     */
    int asciiPrefix(int max) {
        int end = inStart + Math.min(max, inEnd - inStart);
        if (asciiEnd < end) asciiEnd = ByteScan.asciiEnd(in, Math.max(asciiEnd, inStart), end);
        return Math.max(0, Math.min(asciiEnd, end) - inStart);
    }

    /**
     * Reads once more into the buffer, whatever the :blocking option, waiting until the deadline
     * (System.nanoTime; Ctrl-C breaks it). Returns the bytes added, 0 at end of stream, -1 when the
     * deadline passed. On a message channel one message is added.
     */
    public int readMore(long deadline, String verb) {
        checkReadable(verb);
        if (eofChar.hit()) return 0;
        // what is buffered is being searched, not taken: keep at least half a default buffer free
        // to read into, or a long dialogue becomes many small reads
        makeRoom(Math.max(4096, Math.min(bufferSize, DEFAULT_BUFFER) / 2));
        while (true) {
            int n, room = in.length - inEnd;
            try {
                if (driver.messages()) {
                    // a whole message, sized first, as receive takes one: never cut
                    int size = driver.nextMessageSize();
                    if (size == LibC.WOULD_BLOCK) {
                        if (!awaitInput(deadline, verb)) return -1;
                        continue;
                    }
                    if (size > maxFrame && driver.messageSizeExact()) {
                        int dropped = driver.read(new byte[1], 0, 0);
                        if (dropped == LibC.WOULD_BLOCK) continue;
                        throw frameTooLong("message", Math.max(dropped, size), verb, "");
                    }
                    if (room < size) in = Arrays.copyOf(in, inEnd + size);
                    room = size;
                }
                n = driver.read(in, inEnd, room);
            } catch (OsException e) {
                throw failure(e, verb);
            }
            if (n > room) {
                throw new IpcException(verb + " " + describe() + ": message of " + n + " bytes was cut to "
                        + room + " bytes (MSG_TRUNC)", Map.of("channel", id, "errno", "EMSGSIZE"));
            }
            if (n > 0) {
                n = arrived(n);
                if (n > 0) return n;
                if (eofChar.hit()) return 0;
                continue; // only the LF of a CR LF already taken
            }
            if (n == 0 && !driver.messages()) {
                eof = true;
                return 0;
            }
            if (n < 0 && !awaitInput(deadline, verb)) return -1;
        }
    }

    /**
     * One whole message from a message driver, sized by the driver before it is taken, so
     * nothing is cut; null when a non-blocking channel has none. A message over :max-frame is
     * taken and dropped, and reported once.
     */
    private byte[] receive(String verb) {
        return receive(verb, timeoutMs, !blocking);
    }

    private byte[] receive(String verb, long ms, boolean nonblock) {
        if (inEnd > inStart) return take(inEnd - inStart); // left over by expect: it comes first
        long dl = Waiter.deadline(ms);
        while (true) {
            int n, size;
            byte[] buf;
            try {
                size = driver.nextMessageSize();
                if (size == LibC.WOULD_BLOCK) {
                    if (nonblock) {
                        blocked = true;
                        return null;
                    }
                    awaitReadable(dl, verb, ms);
                    continue;
                }
                if (size > maxFrame && driver.messageSizeExact()) {
                    int dropped = driver.read(new byte[1], 0, 0);
                    if (dropped == LibC.WOULD_BLOCK) continue;
                    throw frameTooLong("message", Math.max(dropped, size), verb, "");
                }
                // kept between messages: allocating (and zeroing) an upper bound for each one cost
                // more than the message itself
                if (messageBuffer == null || messageBuffer.length < size) messageBuffer = new byte[size];
                buf = messageBuffer;
                n = driver.read(buf, 0, size);
            } catch (OsException e) {
                throw failure(e, verb);
            }
            if (n == LibC.WOULD_BLOCK) {
                // none there after all (a kind that only knows an upper bound), or another reader took it
                if (nonblock) {
                    blocked = true;
                    return null;
                }
                awaitReadable(dl, verb, ms);
                continue;
            }
            if (n > size) {
                throw new IpcException(verb + " " + describe() + ": message of " + n + " bytes was cut to "
                        + size + " bytes (MSG_TRUNC)", Map.of("channel", id, "errno", "EMSGSIZE"));
            }
            if (n > maxFrame) throw frameTooLong("message", n, verb, "");
            return Arrays.copyOf(buf, n);
        }
    }

    // ------------------------------------------------------------------ writing

    /** Writes a string (encoded) or bytes, no newline; leaves the channel's buffer by its :buffering. */
    public void write(Object data) {
        write(data, "write", null);
    }

    /**
     * send: one message on a message channel (to target when the driver was told one; target
     * is its text for errors, null for the connected peer), write on a stream channel.
     */
    public void send(Object data, String target) {
        write(data, "send", target);
    }

    private void write(Object data, String verb, String target) {
        checkWritable(verb);
        byte[] b = encode(data);
        if (driver.messages()) {
            sendMessage(b, verb, target);
            return;
        }
        roomFor(b.length, verb);
        emit(b, 0, b.length, verb);
    }

    /** Writes one frame: the data and a newline by default, or as the channel's :framing says. */
    public void puts(Object data) {
        String verb = "puts";
        checkWritable(verb);
        if (driver.messages()) {
            sendMessage(framing == Framing.JSON_LINES ? json(data, verb) : encode(data), verb, null);
            return;
        }
        byte[] frame = switch (framing) {
            case LINES -> withNewline(encode(data));
            case RAW -> encode(data);
            case JSON_LINES -> withNewline(json(data, verb));
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
                    head = framing.encodeLength(b.length);
                } catch (IpcException e) {
                    throw new IpcException(verb + " " + describe() + ": " + e.getMessage(), Map.of("channel", id, "errno", "EMSGSIZE"));
                }
                byte[] f = Arrays.copyOf(head, head.length + b.length);
                System.arraycopy(b, 0, f, head.length, b.length);
                yield f;
            }
        };
        roomFor(frame.length, verb);
        emit(frame, 0, frame.length, verb);
        // With :line buffering a whole frame is what a line is to :lines: it leaves at once.
        if (buffering == Buffering.LINE && framing != Framing.LINES && outLen > 0) flushBuffer(verb);
    }

    private byte[] json(Object data, String verb) {
        return Json.write(data, charset, maxDepth, verb + " " + describe());
    }

    private byte[] withNewline(byte[] b) {
        boolean crlf = translation == Translation.CRLF && charset != null;
        byte[] f = Arrays.copyOf(b, b.length + (crlf ? 2 : 1));
        if (crlf) f[b.length] = '\r';
        f[f.length - 1] = '\n';
        return f;
    }

    private byte[] encode(Object data) {
        if (data instanceof byte[] b) return b;
        String s = data == null ? "" : data.toString();
        if (translation == Translation.CRLF) s = s.replace("\r\n", "\n").replace("\n", "\r\n");
        return s.getBytes(charset == null ? StandardCharsets.ISO_8859_1 : charset);
    }

    private void emit(byte[] b, int off, int len, String verb) {
        if (buffering == Buffering.NONE || len >= bufferSize) {
            if (outLen > 0) flushBuffer(verb);
            writeFully(b, off, len, verb);
            return;
        }
        if (out == null) out = new byte[bufferSize];
        if (outLen + len > out.length) flushBuffer(verb);
        System.arraycopy(b, off, out, outLen, len);
        outLen += len;
        if (outLen >= bufferSize || (buffering == Buffering.LINE && contains(b, off, len, (byte) '\n'))) {
            flushBuffer(verb);
        }
    }

    private static boolean contains(byte[] b, int off, int len, byte x) {
        for (int i = off + len - 1; i >= off; i--) if (b[i] == x) return true;
        return false;
    }

    /**
     * Sends what the buffer holds. On a blocking channel it waits until the OS took all of it;
     * on a non-blocking one it writes what fits now and leaves the rest to the background.
     */
    public void flush() {
        if (closed) throw closedError("flush");
        if (outLen > 0) flushBuffer("flush");
        else if (!queued.isEmpty()) writeFully(new byte[0], 0, 0, "flush");
    }

    private void flushBuffer(String verb) {
        int n = outLen;
        outLen = 0;
        writeFully(out, 0, n, verb);
    }

    /**
     * Writes all of it. A blocking channel waits for room (bounded by :timeout), after what
     * is queued from non-blocking days; a non-blocking one never waits: what the OS does not
     * take now is queued, behind what is queued already, for the event loop to write.
     */
    private void writeFully(byte[] b, int off, int len, String verb) {
        if (!blocking) {
            writeOrQueue(b, off, len, verb);
            return;
        }
        long dl = Waiter.deadline(timeoutMs);
        if (!queued.isEmpty()) drainQueue(dl, verb);
        while (len > 0) {
            int n;
            try {
                n = driver.write(b, off, len);
            } catch (OsException e) {
                throw failure(e, verb, null);
            }
            if (n > 0) {
                off += n;
                len -= n;
            } else if (!Waiter.await(driver.writeFd(), LibC.POLLOUT, dl, verb + " " + id)) {
                throw new TimeoutError(verb + " " + describe() + " (" + len + " bytes unwritten)", timeoutMs);
            }
        }
    }

    private void writeOrQueue(byte[] b, int off, int len, String verb) {
        try {
            if (queued.isEmpty() || queued.writeTo(driver)) {
                while (len > 0) {
                    int n = driver.write(b, off, len);
                    if (n < 0) break;
                    off += n;
                    len -= n;
                }
            }
        } catch (OsException e) {
            throw failure(e, verb, null);
        }
        queued.add(b, off, len);
        if (queued.isEmpty()) {
            queueEmptied();
        } else {
            queueInUse();
        }
    }

    /**
     * A non-blocking write is refused whole, before any of it is buffered or written, when
     * output is queued already and this data would take the queue past :max-queue. (A write
     * to an empty queue is always taken: the bound is on a reader falling further behind.)
     */
    private void roomFor(long len, String verb) {
        if (blocking || queued.isEmpty()) return;
        if (queued.size() + outLen + len <= maxQueue) return;
        try {
            if (queued.writeTo(driver)) queueEmptied();
        } catch (OsException e) {
            throw failure(e, verb, null);
        }
        if (queued.isEmpty() || queued.size() + outLen + len <= maxQueue) return;
        throw new IpcException(verb + " " + describe() + ": output queue full: " + queued.size()
                + " bytes wait for the reader, and these " + (outLen + len) + " would pass :max-queue ("
                + maxQueue + " bytes); nothing of them was written", Map.of("channel", id, "errno", "EAGAIN",
                "queued", queued.size()));
    }

    /** Waits until the queue is written (a blocking write, flush or close after non-blocking ones). */
    private void drainQueue(long dl, String verb) {
        while (true) {
            boolean done;
            try {
                done = queued.writeTo(driver);
            } catch (OsException e) {
                throw failure(e, verb, null);
            }
            if (done) {
                queueEmptied();
                return;
            }
            if (!Waiter.await(driver.writeFd(), LibC.POLLOUT, dl, verb + " " + id)) {
                throw new TimeoutError(verb + " " + describe() + " (" + queued.size() + " queued bytes unwritten)", timeoutMs);
            }
        }
    }

    private boolean atExitArmed;
    /** Channels with output queued (or a background close to finish), for blocking waits to serve. */
    private static final java.util.Set<Channel> QUEUED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Output is queued: the event loop writes it, and the shell's exit waits for it. */
    private void queueInUse() {
        if (!atExitArmed) {
            atExitArmed = true;
            QUEUED.add(this);
            ipcsh.os.AtExit.register(this, this::drainAtExit);
        }
        BackgroundWriter w = Background.WRITER;
        if (w != null) w.start(this);
    }

    private void queueEmptied() {
        if (atExitArmed) {
            atExitArmed = false;
            QUEUED.remove(this);
            ipcsh.os.AtExit.cancel(this);
        }
    }

    /** The channels whose queued output a blocking wait on fd should write meanwhile (not fd's own, not those in skip). */
    static Channel[] withQueuedOutput(int fd, java.util.Set<Channel> skip) {
        if (QUEUED.isEmpty()) return NONE;
        List<Channel> l = new ArrayList<>(QUEUED.size());
        for (Channel ch : QUEUED) {
            if (ch.queueFd() >= 0 && ch.queueFd() != fd && (skip == null || !skip.contains(ch))) l.add(ch);
        }
        return l.toArray(NONE);
    }

    private static final Channel[] NONE = new Channel[0];

    /**
     * From a blocking wait on another descriptor: writes what fits now; once all is written, a
     * background close is finished through the event loop. False on a write error, which is
     * left for the event loop to report (the queue stays as it is).
     */
    boolean writeQueuedWhileWaiting() {
        try {
            if (!queued.writeTo(driver)) return true;
        } catch (OsException e) {
            return false;
        }
        queueEmptied();
        if (closingInBackground() && Background.WRITER != null) Background.WRITER.finished(this);
        return true;
    }

    private void drainAtExit() {
        try {
            drainQueue(Waiter.deadline(timeoutMs < 0 ? EXIT_DRAIN_MS : timeoutMs), "exit");
        } catch (RuntimeException ignored) {
            // the shell is ending: what the reader did not take in time is lost
        }
        if (closing) driver.close();
        else if (closingWrite) driver.closeWrite();
    }

    /** Looked up when output is first queued, not at start-up. */
    private static final class Background {
        static final BackgroundWriter WRITER = java.util.ServiceLoader.load(BackgroundWriter.class,
                Channel.class.getClassLoader()).findFirst().orElse(null);
    }

    /** Whether output waits in the queue of a non-blocking channel. */
    public boolean hasQueuedOutput() {
        return !queued.isEmpty();
    }

    /** Bytes waiting in the queue. */
    public long queuedBytes() {
        return queued.size();
    }

    /** The descriptor queued output goes to: open while a background close finishes, unlike {@link #writeFd()}. */
    public int queueFd() {
        return driver.writeFd();
    }

    /** Closed (or write-closed) by the user with output still queued: the event loop finishes writing, then {@link #finishClose()}. */
    public boolean closingInBackground() {
        return closing || closingWrite;
    }

    /**
     * For the event loop: writes what the queue holds without waiting; true when it is empty.
     * A write error (the reader went) drops the queue and is raised, naming how much was lost.
     */
    public boolean writeQueued() {
        try {
            if (!queued.writeTo(driver)) return false;
        } catch (OsException e) {
            long lost = queued.clear();
            queueEmptied();
            throw new OsException("write " + id, subject(null), e.errno(),
                    "the reader is gone; " + lost + " queued bytes were not written");
        }
        queueEmptied();
        return true;
    }

    /** For the event loop, after the queue of a channel closed in the background is written (or lost). */
    public void finishClose() {
        if (closingWrite) {
            closingWrite = false;
            queued.clear();
            queueEmptied();
            driver.closeWrite();
            return;
        }
        if (!closing) return;
        closing = false;
        queued.clear();
        queueEmptied();
        writeClosed = true;
        for (Runnable hook : closeHooks) hook.run();
        try {
            driver.close();
        } catch (OsException e) {
            throw failure(e, "close", null);
        }
    }

    private void sendMessage(byte[] b, String verb, String target) {
        long dl = Waiter.deadline(timeoutMs);
        while (true) {
            int n;
            try {
                n = driver.write(b, 0, b.length);
            } catch (OsException e) {
                throw failure(e, verb, target);
            }
            if (n >= 0) return;
            if (!blocking) {
                throw new OsException(verb + " " + id, subject(target), Errno.EAGAIN,
                        "the socket's send buffer is full; the message was not sent");
            }
            if (!Waiter.await(driver.writeFd(), LibC.POLLOUT, dl, verb + " " + id)) {
                throw new TimeoutError(verb + " " + describe(), timeoutMs);
            }
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Flushes and closes both directions. A driver may report an outcome here (a process's exit
     * status). A non-blocking channel with queued output is closed at once for the user, and
     * its descriptors once the event loop has written the queue (Tcl's background close).
     */
    @Override
    public void close() {
        if (closed) return;
        RuntimeException failure = null;
        try {
            if (!writeClosed && outLen > 0) flushBuffer("close");
        } catch (RuntimeException e) {
            failure = e;
        }
        if (failure == null && (!writeClosed || closingWrite) && !queued.isEmpty()) {
            if (!blocking && Background.WRITER != null) {
                closed = readClosed = closing = true;
                closingWrite = false;
                inStart = inEnd = 0;
                for (Runnable hook : closeHooks) hook.run();
                Channels.unregister(id);
                Background.WRITER.start(this);
                return;
            }
            try {
                drainQueue(Waiter.deadline(timeoutMs), "close");
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        closed = readClosed = writeClosed = true;
        closingWrite = false;
        outLen = 0;
        inStart = inEnd = 0;
        queued.clear();
        queueEmptied();
        for (Runnable hook : closeHooks) hook.run();
        Channels.unregister(id);
        try {
            driver.close();
        } catch (OsException e) {
            if (failure == null) failure = failure(e, "close", null);
        } catch (RuntimeException e) {
            if (failure == null) failure = e;
        }
        if (failure != null) throw failure;
    }

    /**
     * Half-close: "read" or "write". Closing the last open direction closes the channel.
     * Closing the write side of a non-blocking channel with output queued returns at once and
     * shuts it once the queue is written; a blocking channel waits for the queue (at most :timeout).
     */
    public void close(String direction) {
        if (closed) return;
        switch (direction) {
            case "read" -> {
                readClosed = true;
                if (writeClosed) { close(); return; }
                for (Runnable hook : closeHooks) hook.run();
                driver.closeRead();
            }
            case "write" -> {
                if (readClosed) { close(); return; } // the last direction: a whole close
                if (writeClosed) return;
                if (outLen > 0) flushBuffer("close");
                if (!queued.isEmpty()) {
                    if (!blocking && Background.WRITER != null) {
                        writeClosed = closingWrite = true;
                        for (Runnable hook : closeHooks) hook.run();
                        Background.WRITER.start(this);
                        return;
                    }
                    drainQueue(Waiter.deadline(timeoutMs), "close");
                }
                writeClosed = true;
                for (Runnable hook : closeHooks) hook.run();
                driver.closeWrite();
            }
            default -> throw new IpcException("close " + describe() + ": direction must be :read or :write, not " + direction);
        }
    }

    // ------------------------------------------------------------------ options

    private static final List<String> OPTIONS = List.of("blocking", "buffering", "buffer-size", "encoding",
            "encoding-errors", "translation", "eofchar", "timeout", "framing", "max-frame", "max-queue", "max-depth");

    /** Every option, the common ones then the kind's own. */
    public Map<String, Object> configure() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("kind", Keyword.of(kind()));
        m.put("name", name());
        m.put("blocking", blocking);
        m.put("buffering", Keyword.of(buffering.keyword()));
        m.put("buffer-size", (long) bufferSize);
        m.put("encoding", charset == null ? Keyword.of("binary") : charset.name().toLowerCase(java.util.Locale.ROOT));
        m.put("encoding-errors", Keyword.of(strict ? "strict" : "replace"));
        m.put("translation", Keyword.of(inputTranslation().keyword()));
        m.put("eofchar", eofChar.isSet() ? String.valueOf((char) eofChar.get()) : null);
        m.put("timeout", timeoutMs < 0 ? null : timeoutMs);
        m.put("framing", Keyword.of(framing.keyword()));
        m.put("max-frame", maxFrame);
        m.put("max-queue", maxQueue);
        m.put("queued", queued.size());
        m.put("max-depth", (long) maxDepth);
        m.put("state", Keyword.of(state()));
        m.put("eof", eof());
        if (!closed) m.putAll(driver.options());
        return m;
    }

    public Object configure(String key) {
        Map<String, Object> all = configure();
        if (!all.containsKey(key)) throw unknownOption(key);
        return all.get(key);
    }

    /** Sets options; all are checked first, so a bad one leaves the channel as it was. */
    public void configure(Map<String, Object> changes) {
        Map<String, Object> parsed = new LinkedHashMap<>(), own = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : changes.entrySet()) {
            String key = e.getKey();
            if (OPTIONS.contains(key)) {
                parsed.put(key, optionValue("configure " + describe(), key, e.getValue()));
            } else if (!closed && driver.settable(key)) {
                own.put(key, e.getValue()); // the kind's own (a pty's :rows): its driver checks and sets it
            } else {
                throw notSettable(key);
            }
        }
        if (parsed.containsKey("buffering")) bufferingChosen = true;
        for (Map.Entry<String, Object> e : parsed.entrySet()) set(e.getKey(), e.getValue());
        for (Map.Entry<String, Object> e : own.entrySet()) driver.set(e.getKey(), e.getValue());
    }

    /** Sets one option from its checked value ({@link #optionValue}). */
    private void set(String key, Object x) {
        switch (key) {
            case "blocking" -> blocking = (Boolean) x;
            case "buffering" -> {
                Buffering b = (Buffering) x;
                if (b == Buffering.NONE && outLen > 0) flushBuffer("configure");
                buffering = b;
            }
            case "buffer-size" -> {
                if (outLen > 0) flushBuffer("configure");
                bufferSize = (int) (long) (Long) x;
                out = null;
            }
            case "encoding" -> {
                charset = ((java.util.Optional<?>) x).map(Charset.class::cast).orElse(null);
                // a newline means nothing in binary data: a binary channel's writes leave at once
                // unless a :buffering was chosen
                Buffering b = charset == null ? Buffering.NONE : Buffering.LINE;
                if (!bufferingChosen && buffering != b) {
                    if (outLen > 0) flushBuffer("configure");
                    buffering = b;
                }
            }
            case "encoding-errors" -> strict = (Boolean) x;
            case "translation" -> translation = (Translation) x;
            case "eofchar" -> setEofChar((Integer) x);
            case "timeout" -> timeoutMs = x == null ? -1 : (Long) x;
            case "framing" -> framing = (Framing) x;
            case "max-frame" -> maxFrame = (Long) x;
            case "max-queue" -> maxQueue = (Long) x;
            case "max-depth" -> maxDepth = (int) (long) (Long) x;
            default -> throw notSettable(key);
        }
    }

    private IpcException notSettable(String key) {
        if (configure().containsKey(key)) return new IpcException("configure " + id + ": :" + key + " is read-only");
        return unknownOption(key);
    }

    /**
     * Checks options a builtin will set on the channel it opens, before it opens anything: each
     * key is one of own (the builtin's) or a common channel option with a valid value, by the
     * same rules configure applies.
     */
    public static void checkOptions(String who, Map<String, Object> options, String... own) {
        List<String> mine = List.of(own);
        for (Map.Entry<String, Object> e : options.entrySet()) {
            String key = e.getKey();
            if (mine.contains(key)) continue;
            if (!OPTIONS.contains(key)) throw ArgCheck.unknownOption(who, key, mine, OPTIONS);
            optionValue(who, key, e.getValue());
        }
    }

    /** A common option's value checked and parsed (ArgCheck's rules for numbers and flags); nil is none only for :timeout. */
    private static Object optionValue(String who, String key, Object v) {
        String what = "option :" + key;
        try {
            return switch (key) {
                case "blocking" -> ArgCheck.bool(who, what, v);
                case "buffering" -> Buffering.of(word(v));
                case "buffer-size" -> ArgCheck.size(who, what, v, 1, ArgCheck.MAX_BUFFER);
                case "encoding" -> {
                    String w = word(v);
                    if (w.equals("binary")) yield java.util.Optional.empty();
                    try {
                        yield java.util.Optional.of(Charset.forName(w));
                    } catch (RuntimeException ex) {
                        throw new IpcException("unknown :encoding " + w);
                    }
                }
                case "encoding-errors" -> Decoding.strict(word(v));
                case "translation" -> Translation.of(word(v));
                case "eofchar" -> EofChar.parse(v);
                case "timeout" -> v == null ? null : ArgCheck.duration(who, what, v);
                case "framing" -> Framing.of(word(v));
                case "max-frame" -> ArgCheck.size(who, what, v, 1, ArgCheck.MAX_BUFFER);
                case "max-queue" -> ArgCheck.size(who, what, v, 0, Long.MAX_VALUE);
                case "max-depth" -> ArgCheck.size(who, what, v, 1, ipcsh.TooDeep.LIMIT);
                default -> throw new IllegalArgumentException("not a common option: " + key);
            };
        } catch (IpcException e) {
            if (e.getMessage().startsWith(who + ":")) throw e;
            throw new IpcException(who + ": " + e.getMessage(), e.data());
        }
    }

    private IpcException unknownOption(String key) {
        List<String> names = new ArrayList<>(OPTIONS);
        if (!closed) names.addAll(driver.options().keySet());
        return ArgCheck.unknownOption("configure " + id, key, List.of(), names);
    }

    private static String word(Object v) {
        String w = Keyword.word(v);
        if (w != null) return w;
        throw new IpcException("expected a keyword or string, got " + ArgCheck.describe(v));
    }

    public String state() {
        if (closed) return "closed";
        if (readClosed) return "write-only";
        if (writeClosed) return eof() ? "eof" : "read-only";
        return eof() ? "eof" : "open";
    }

    // ------------------------------------------------------------------ java.io views

    /** A byte view for clojure.java.io (slurp, line-seq, reader). Closing it closes the read side. */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                checkReadable("read");
                if (len == 0) return 0;
                if (inEnd == inStart) {
                    int r = fill(Waiter.deadline(timeoutMs), "read");
                    if (r == EOF) return -1;
                    if (r == BLOCKED) return 0;
                }
                int n = Math.min(len, inEnd - inStart);
                System.arraycopy(in, inStart, b, off, n);
                inStart += n;
                return n;
            }

            @Override
            public int available() {
                return inEnd - inStart;
            }

            @Override
            public void close() {
                if (!closed && !readClosed) Channel.this.close(writeClosed ? "write" : "read");
            }
        };
    }

    /** A byte view for clojure.java.io (spit, writer). Closing it closes the write side. */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                checkWritable("write");
                roomFor(len, "write");
                emit(b, off, len, "write");
            }

            @Override
            public void flush() {
                if (!closed && outLen > 0) flushBuffer("flush");
            }

            @Override
            public void close() throws IOException {
                if (!closed && !writeClosed) Channel.this.close(readClosed ? "read" : "write");
            }
        };
    }

    // ------------------------------------------------------------------ errors

    public String describe() {
        String n = name();
        return n == null || n.isEmpty() || n.equals(id) ? id : id + " (" + n + ")";
    }

    private void checkReadable(String verb) {
        if (closed) throw closedError(verb);
        if (readClosed) throw new IpcException(verb + " " + describe() + ": channel is not open for reading");
    }

    private void checkWritable(String verb) {
        if (closed) throw closedError(verb);
        if (writeClosed) throw new IpcException(verb + " " + describe() + ": channel is not open for writing");
    }

    private IpcException closedError(String verb) {
        return new IpcException(verb + " " + describe() + ": channel is closed",
                Map.of("channel", id, "errno", "EBADF"));
    }

    private OsException failure(OsException e, String verb) {
        return failure(e, verb, null);
    }

    /** A failed call told as the user's verb on this channel, about target (an address) or the channel's name. */
    private OsException failure(OsException e, String verb, String target) {
        String hint = null;
        if (e.errno() == Errno.EDESTADDRREQ || e.errno() == Errno.ENOTCONN && driver.messages()) {
            hint = "the socket has no peer: give one with {:connect ...} or (send ch data {:to addr})";
        }
        return new OsException(verb + " " + id, subject(target), e.errno(), hint);
    }

    /** What an error is about: the target address when there is one, else the channel's name; null when nameless. */
    private String subject(String target) {
        if (target != null) return target;
        String n = name();
        return n == null || n.isEmpty() ? null : n;
    }

    @Override
    public String toString() {
        return "#<channel " + describe() + " " + state() + ">";
    }
}
