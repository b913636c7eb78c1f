package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.Keyword;
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
    private static final AtomicLong SERIALS = new AtomicLong();
    private static final int EOF = 0, BLOCKED = -1;

    private final Driver driver;
    private final String id;
    private final long serial = SERIALS.incrementAndGet();

    private boolean blocking = true;
    private Buffering buffering = Buffering.LINE;
    private int bufferSize = DEFAULT_BUFFER;
    private Charset charset = StandardCharsets.UTF_8;
    private Translation translation = Translation.LF;
    private long timeoutMs = -1;
    private Framing framing = Framing.LINES;
    private long maxFrame = 64L * 1024 * 1024;

    private byte[] in = new byte[0];
    private int inStart, inEnd;
    private byte[] out;
    private int outLen;
    private boolean eof, blocked, readClosed, writeClosed, closed;
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
    public int readFd() { return readClosed ? -1 : driver.readFd(); }
    public int writeFd() { return writeClosed ? -1 : driver.writeFd(); }
    public boolean isClosed() { return closed; }
    public boolean isBinary() { return charset == null; }
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
            return m == null ? null : decodeFrame(m);
        }
        long dl = Waiter.deadline(timeoutMs);
        byte[] frame = switch (framing) {
            case LINES, JSON_LINES -> readLine(dl, verb);
            case RAW -> readAvailable(Integer.MAX_VALUE, dl, verb);
            case NETSTRING -> readNetstring(dl, verb);
            case U16BE, U32BE, U32LE -> readPrefixed(dl, verb);
        };
        return frame == null ? null : decodeFrame(frame);
    }

    private Object decodeFrame(byte[] frame) {
        if (framing == Framing.JSON_LINES) {
            String text = new String(frame, charset == null ? StandardCharsets.UTF_8 : charset);
            if (text.isBlank()) return null;
            return Json.parse(text, id);
        }
        if (charset == null) return frame;
        String s = new String(frame, charset);
        return translation == Translation.LF ? s : s.replace("\r\n", "\n");
    }

    private byte[] readLine(long dl, String verb) {
        int scanned = 0;
        while (true) {
            for (int i = inStart + scanned; i < inEnd; i++) {
                if (in[i] == '\n') {
                    int end = i;
                    if (translation != Translation.LF && end > inStart && in[end - 1] == '\r') end--;
                    byte[] line = Arrays.copyOfRange(in, inStart, end);
                    inStart = i + 1;
                    return line;
                }
            }
            scanned = inEnd - inStart;
            if (scanned > maxFrame) {
                throw new IpcException(verb + " " + id + ": line longer than :max-frame (" + maxFrame + " bytes)");
            }
            int r = fill(dl, verb);
            if (r == EOF) return scanned > 0 ? take(scanned) : null;
            if (r == BLOCKED) return null;
        }
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
                checkFrameLength(len, verb);
                int head = colon - inStart + 1;
                int r = ensure(head + (int) len + 1, dl, verb);
                if (r != 1) return partialFrame(r, verb);
                if (in[inStart + head + (int) len] != ',') {
                    throw new IpcException(verb + " " + id + ": malformed netstring (missing ',' after " + len + " bytes)");
                }
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
        checkFrameLength(len, verb);
        r = ensure(p + (int) len, dl, verb);
        if (r != 1) return partialFrame(r, verb);
        byte[] data = Arrays.copyOfRange(in, inStart + p, inStart + p + (int) len);
        inStart += p + (int) len;
        return data;
    }

    private void checkFrameLength(long len, String verb) {
        if (len > maxFrame) {
            // The stream is now out of step with its frames: nothing after this can be trusted.
            throw new IpcException(verb + " " + id + ": frame of " + len + " bytes exceeds :max-frame ("
                    + maxFrame + " bytes); the channel's framing is lost, close it");
        }
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
        if (driver.messages()) {
            byte[] m = receive(verb);
            if (m == null) return null;
            return charset == null ? m : new String(m, charset);
        }
        long dl = Waiter.deadline(timeoutMs);
        if (n < 0) return decodeAll(readToEof(dl, verb));
        if (charset == null || isSingleByte()) {
            byte[] b = readBytes((int) Math.min(n, Integer.MAX_VALUE - 16), dl, verb);
            return b == null ? null : charset == null ? b : decodeAll(b);
        }
        return readChars(n, dl, verb);
    }

    private boolean isSingleByte() {
        return charset.newEncoder().maxBytesPerChar() == 1.0f;
    }

    private Object decodeAll(byte[] b) {
        if (b == null) return null;
        if (charset == null) return b;
        String s = new String(b, charset);
        return translation == Translation.LF ? s : s.replace("\r\n", "\n");
    }

    private byte[] readToEof(long dl, String verb) {
        while (true) {
            int r = fill(dl, verb);
            if (r == EOF) return take(inEnd - inStart);
            if (r == BLOCKED) return inEnd > inStart ? take(inEnd - inStart) : null;
        }
    }

    private byte[] readBytes(int n, long dl, String verb) {
        if (inEnd == inStart && n >= DIRECT_READ) return readDirect(n, dl, verb);
        int r = ensure(n, dl, verb);
        int have = Math.min(n, inEnd - inStart);
        if (r != 1 && have == 0) return r == EOF ? (eof ? new byte[0] : null) : null;
        return take(have);
    }

    /** Large reads with nothing buffered go straight into the returned array: one copy, as in C. */
    private static final int DIRECT_READ = 4096;

    private byte[] readDirect(int n, long dl, String verb) {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r;
            try {
                r = driver.read(b, got, n - got);
            } catch (OsException e) {
                throw failure(e, verb);
            }
            if (r > 0) {
                got += r;
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
        return got == n ? b : Arrays.copyOf(b, got);
    }

    private void awaitReadable(long dl, String verb) {
        if (!Waiter.await(driver.readFd(), LibC.POLLIN, dl, verb + " " + id)) {
            throw new TimeoutError(verb + " " + describe(), timeoutMs);
        }
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
            if (chars == n) return new String(take(i - inStart), charset);
            int r = fill(dl, verb);
            if (r == EOF || r == BLOCKED) {
                if (inEnd == inStart) return r == EOF ? "" : null;
                return new String(take(inEnd - inStart), charset);
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
        if (inStart == inEnd) {
            inStart = inEnd = 0;
        }
        if (in.length - inEnd < 4096) {
            int live = inEnd - inStart;
            if (inStart > 0 && live < in.length / 2) {
                System.arraycopy(in, inStart, in, 0, live);
            } else {
                in = Arrays.copyOf(in, Math.max(bufferSize, Math.max(in.length * 2, live + 4096)));
                if (inStart > 0) System.arraycopy(in, inStart, in, 0, live);
            }
            inStart = 0;
            inEnd = live;
        }
        while (true) {
            int n;
            try {
                n = driver.read(in, inEnd, in.length - inEnd);
            } catch (OsException e) {
                throw failure(e, verb);
            }
            if (n > 0) {
                inEnd += n;
                return n;
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

    /** One whole message from a message driver; null when a non-blocking channel has none. */
    private byte[] receive(String verb) {
        long dl = Waiter.deadline(timeoutMs);
        byte[] buf = new byte[Math.max(bufferSize, 65536)];
        while (true) {
            int n;
            try {
                n = driver.read(buf, 0, buf.length);
            } catch (OsException e) {
                throw failure(e, verb);
            }
            if (n >= 0) return Arrays.copyOf(buf, n);
            if (!blocking) {
                blocked = true;
                return null;
            }
            awaitReadable(dl, verb);
        }
    }

    // ------------------------------------------------------------------ writing

    /** Writes a string (encoded) or bytes, no newline; leaves the channel's buffer by its :buffering. */
    public void write(Object data) {
        checkWritable("write");
        byte[] b = encode(data);
        if (driver.messages()) {
            send(b, "write");
            return;
        }
        emit(b, 0, b.length, "write");
    }

    /** Writes one frame: the data and a newline by default, or as the channel's :framing says. */
    public void puts(Object data) {
        checkWritable("puts");
        if (driver.messages()) {
            send(framing == Framing.JSON_LINES ? Json.write(data).getBytes(StandardCharsets.UTF_8) : encode(data), "puts");
            return;
        }
        byte[] frame = switch (framing) {
            case LINES -> withNewline(encode(data));
            case RAW -> encode(data);
            case JSON_LINES -> withNewline(Json.write(data).getBytes(charset == null ? StandardCharsets.UTF_8 : charset));
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
                byte[] head = framing.encodeLength(b.length);
                byte[] f = Arrays.copyOf(head, head.length + b.length);
                System.arraycopy(b, 0, f, head.length, b.length);
                yield f;
            }
        };
        emit(frame, 0, frame.length, "puts");
        // With :line buffering a whole frame is what a line is to :lines: it leaves at once.
        if (buffering == Buffering.LINE && framing != Framing.LINES && outLen > 0) flushBuffer("puts");
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

    /** Sends what the buffer holds. */
    public void flush() {
        if (closed) throw closedError("flush");
        if (outLen > 0) flushBuffer("flush");
    }

    private void flushBuffer(String verb) {
        int n = outLen;
        outLen = 0;
        writeFully(out, 0, n, verb);
    }

    /** Writes all of it, waiting for room; writes complete even on non-blocking channels (bounded by :timeout). */
    private void writeFully(byte[] b, int off, int len, String verb) {
        long dl = Waiter.deadline(timeoutMs);
        while (len > 0) {
            int n;
            try {
                n = driver.write(b, off, len);
            } catch (OsException e) {
                throw failure(e, verb);
            }
            if (n > 0) {
                off += n;
                len -= n;
            } else if (!Waiter.await(driver.writeFd(), LibC.POLLOUT, dl, verb + " " + id)) {
                throw new TimeoutError(verb + " " + describe() + " (" + len + " bytes unwritten)", timeoutMs);
            }
        }
    }

    private void send(byte[] b, String verb) {
        long dl = Waiter.deadline(timeoutMs);
        while (true) {
            int n;
            try {
                n = driver.write(b, 0, b.length);
            } catch (OsException e) {
                throw failure(e, verb);
            }
            if (n >= 0) return;
            if (!Waiter.await(driver.writeFd(), LibC.POLLOUT, dl, verb + " " + id)) {
                throw new TimeoutError(verb + " " + describe(), timeoutMs);
            }
        }
    }

    // ------------------------------------------------------------------ closing

    /** Flushes and closes both directions. A driver may report an outcome here (a process's exit status). */
    @Override
    public void close() {
        if (closed) return;
        RuntimeException failure = null;
        try {
            if (!writeClosed && outLen > 0) flushBuffer("close");
        } catch (RuntimeException e) {
            failure = e;
        }
        closed = readClosed = writeClosed = true;
        outLen = 0;
        inStart = inEnd = 0;
        for (Runnable hook : closeHooks) hook.run();
        Channels.unregister(id);
        try {
            driver.close();
        } catch (OsException e) {
            if (failure == null) failure = failure(e, "close");
        } catch (RuntimeException e) {
            if (failure == null) failure = e;
        }
        if (failure != null) throw failure;
    }

    /** Half-close: "read" or "write". Closing the last open direction closes the channel. */
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
                if (!writeClosed && outLen > 0) flushBuffer("close");
                writeClosed = true;
                if (readClosed) { close(); return; }
                for (Runnable hook : closeHooks) hook.run();
                driver.closeWrite();
            }
            default -> throw new IpcException("close " + id + ": direction must be :read or :write, not " + direction);
        }
    }

    // ------------------------------------------------------------------ options

    private static final List<String> OPTIONS = List.of("blocking", "buffering", "buffer-size", "encoding",
            "translation", "timeout", "framing", "max-frame");

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
        m.put("translation", Keyword.of(translation.keyword()));
        m.put("timeout", timeoutMs < 0 ? null : timeoutMs);
        m.put("framing", Keyword.of(framing.keyword()));
        m.put("max-frame", maxFrame);
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

    public void configure(Map<String, Object> changes) {
        for (Map.Entry<String, Object> e : changes.entrySet()) set(e.getKey(), e.getValue());
    }

    private void set(String key, Object v) {
        switch (key) {
            case "blocking" -> blocking = truthy(v);
            case "buffering" -> {
                Buffering b = Buffering.of(word(v));
                if (b == Buffering.NONE && outLen > 0) flushBuffer("configure");
                buffering = b;
            }
            case "buffer-size" -> {
                long n = number(key, v);
                if (n < 1 || n > (1 << 30)) throw new IpcException("configure " + id + ": :buffer-size must be 1..1073741824, not " + n);
                if (outLen > 0) flushBuffer("configure");
                bufferSize = (int) n;
                out = null;
            }
            case "encoding" -> {
                String w = word(v);
                if (w.equals("binary")) {
                    charset = null;
                } else {
                    try {
                        charset = Charset.forName(w);
                    } catch (RuntimeException ex) {
                        throw new IpcException("configure " + id + ": unknown :encoding " + w);
                    }
                }
            }
            case "translation" -> translation = Translation.of(word(v));
            case "timeout" -> timeoutMs = v == null ? -1 : number(key, v);
            case "framing" -> framing = Framing.of(word(v));
            case "max-frame" -> maxFrame = number(key, v);
            default -> {
                if (configure().containsKey(key)) {
                    throw new IpcException("configure " + id + ": :" + key + " is read-only");
                }
                throw unknownOption(key);
            }
        }
    }

    private IpcException unknownOption(String key) {
        List<String> names = new ArrayList<>(OPTIONS);
        if (!closed) names.addAll(driver.options().keySet());
        return new IpcException("configure " + id + ": unknown option :" + key + " (options: :"
                + String.join(" :", names) + ")");
    }

    private static boolean truthy(Object v) {
        return v != null && !Boolean.FALSE.equals(v);
    }

    private static String word(Object v) {
        if (v instanceof Keyword k) return k.name();
        if (v instanceof String s) return s.startsWith(":") ? s.substring(1) : s;
        throw new IpcException("expected a keyword or string, got " + v);
    }

    private long number(String key, Object v) {
        if (v instanceof Number n) return n.longValue();
        throw new IpcException("configure " + id + ": :" + key + " must be a number, not " + v);
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
        return new OsException(verb + " " + id, name(), e.errno());
    }

    @Override
    public String toString() {
        return "#<channel " + describe() + " " + state() + ">";
    }
}
