package ipcsh.chan;

import ipcsh.os.LibC;

import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * A channel's read buffer (Tcl's input queue): bytes the driver gave and no verb has taken yet,
 * in[inStart, inEnd). It fills through {@link Channel#driverRead}, joins what arrives to what is
 * there (dropping the LF of a CR LF a line already ended at, ending at an :eofchar), and gives
 * it out by count (read), in whole (read to EOF) or as framing cuts it ({@link Framer}).
 */
final class InputBuffer {
    /** {@link #fill}'s results besides a count. */
    static final int EOF = 0, BLOCKED = -1;
    /** Large reads with nothing buffered go straight into the returned array: one copy, as in C. */
    private static final int DIRECT_READ = 4096;

    private final Channel ch;
    private final ChannelOptions opt;

    byte[] in = new byte[0];
    int inStart, inEnd;
    /** in[inStart, asciiEnd) is known to be ASCII: expect looks at each byte once, however often it searches. */
    int asciiEnd;
    /** Bytes that have entered the buffer: in[i] is byte received - (inEnd - i) of the stream. */
    long received;
    /** The stream offset of the frame last taken (0 for a message): for the :strict error. */
    long frameOffset;
    /** The last line ended at a CR that ended the buffer: an LF opening the next bytes is its pair (Tcl's INPUT_SAW_CR). */
    boolean sawCr;
    final EofChar eofChar = new EofChar();

    InputBuffer(Channel ch, ChannelOptions opt) {
        this.ch = ch;
        this.opt = opt;
    }

    int available() {
        return inEnd - inStart;
    }

    void clear() {
        inStart = inEnd = 0;
    }

    /**
     * Reads from the driver into the buffer once data is there: returns a positive count,
     * EOF, or BLOCKED for a non-blocking channel. Blocking channels wait here, bounded by the
     * deadline and by Ctrl-C.
     */
    int fill(long dl, String verb) {
        makeRoom(4096);
        while (true) {
            if (eofChar.hit()) return EOF;
            int n = ch.driverRead(in, inEnd, in.length - inEnd, verb);
            if (n > 0) {
                n = arrived(n);
                if (n > 0) return n;
                continue; // only the LF of a CR LF already taken, or the :eofchar
            }
            if (n == 0) return EOF;
            if (!opt.blocking) {
                ch.blocked = true;
                return BLOCKED;
            }
            ch.awaitReadable(dl, verb);
        }
    }

    /**
     * Reads once more into the buffer, whatever the :blocking option, waiting until the deadline.
     * Returns the bytes added, 0 at end of stream, -1 when the deadline passed. On a message
     * channel one whole message is added.
     */
    int readMore(long deadline, String verb) {
        if (eofChar.hit()) return 0;
        // what is buffered is being searched, not taken: keep at least half a default buffer free
        // to read into, or a long dialogue becomes many small reads
        makeRoom(Math.max(4096, Math.min(opt.bufferSize, Channel.DEFAULT_BUFFER) / 2));
        while (true) {
            int n;
            if (ch.messages) {
                int size = ch.msg.nextSize(verb);
                if (size == LibC.WOULD_BLOCK) {
                    if (!ch.awaitInput(deadline, verb)) return -1;
                    continue;
                }
                if (in.length - inEnd < size) in = Arrays.copyOf(in, inEnd + size);
                n = ch.msg.read(in, inEnd, size, verb);
            } else {
                n = ch.driverRead(in, inEnd, in.length - inEnd, verb);
            }
            if (n > 0) {
                n = arrived(n);
                if (n > 0) return n;
                if (eofChar.hit()) return 0;
                continue; // only the LF of a CR LF already taken
            }
            if (n == 0 && !ch.messages) return 0;
            if (n < 0 && !ch.awaitInput(deadline, verb)) return -1;
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
    void setEofChar(int c) {
        byte[] held = eofChar.set(c);
        if (held != null) {
            ch.eof = false;
            makeRoom(held.length);
            System.arraycopy(held, 0, in, inEnd, held.length);
            inEnd += held.length;
            received += held.length;
        }
        cutAtEofChar(inStart);
    }

    /** Ends the buffer at an :eofchar in in[from, inEnd), if there is one. */
    private void cutAtEofChar(int from) {
        if (!eofChar.isSet() || ch.messages) return;
        int end = eofChar.cut(in, from, inEnd);
        if (eofChar.hit()) ch.eof = true;
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
                in = Arrays.copyOf(in, Math.max(opt.bufferSize, Math.max(in.length * 2, live + free)));
                if (inStart > 0) System.arraycopy(in, inStart, in, 0, live);
            }
            asciiEnd = Math.max(0, asciiEnd - inStart);
            inStart = 0;
            inEnd = live;
        }
    }

    /** Makes {@code n} bytes available from inStart: 1 when they are, else EOF or BLOCKED. */
    int ensure(int n, long dl, String verb) {
        while (inEnd - inStart < n) {
            int r = fill(dl, verb);
            if (r == EOF || r == BLOCKED) return r;
        }
        return 1;
    }

    /** Copies out and consumes n buffered bytes. */
    byte[] take(int n) {
        frameOffset = received - (inEnd - inStart);
        byte[] b = Arrays.copyOfRange(in, inStart, inStart + n);
        inStart += n;
        return b;
    }

    /** Consumes n buffered bytes (at most what there is). */
    void consume(int n) {
        inStart += Math.min(n, inEnd - inStart);
    }

    /** For an InputStream: up to len buffered bytes into b, filling once when empty; -1 at EOF, 0 when blocked. */
    int takeInto(byte[] b, int off, int len, String verb) {
        if (inEnd == inStart) {
            int r = fill(Waiter.deadline(opt.timeoutMs), verb);
            if (r == EOF) return -1;
            if (r == BLOCKED) return 0;
        }
        int n = Math.min(len, inEnd - inStart);
        System.arraycopy(in, inStart, b, off, n);
        inStart += n;
        return n;
    }

    /** Up to {@code max} bytes: what is buffered, else one read's worth. Null at EOF or when blocked. */
    byte[] readAvailable(int max, long dl, String verb) {
        if (inEnd == inStart) {
            int r = fill(dl, verb);
            if (r == EOF || r == BLOCKED) return null;
        }
        return take(Math.min(max, inEnd - inStart));
    }

    /**
     * The read verb on a stream: n bytes (binary) or characters (text), all of them or to the
     * end of the stream when blocking, what there is when not; a negative n reads to EOF.
     */
    Object read(long n, long dl, String verb) {
        Charset cs = opt.charset;
        if (n < 0) return decodeAll(readToEof(dl, verb), verb);
        if (cs == null || cs.newEncoder().maxBytesPerChar() == 1.0f) {
            byte[] b = readBytes((int) Math.min(n, Integer.MAX_VALUE - 16), dl, verb);
            return b == null ? null : cs == null ? b : decodeAll(b, verb);
        }
        return readChars(n, dl, verb);
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
        if (inEnd == inStart && n >= DIRECT_READ && opt.inputTranslation() == Translation.LF && !eofChar.isSet()) {
            return readDirect(n, dl, verb);
        }
        int r = ensure(n, dl, verb);
        int have = Math.min(n, inEnd - inStart);
        if (r != 1 && have == 0) return r == EOF ? (ch.eof ? new byte[0] : null) : null;
        return take(have);
    }

    private byte[] readDirect(int n, long dl, String verb) {
        // n may be up to 1 GiB: the array grows with what arrives instead of being allocated for n at once
        byte[] b = new byte[Math.min(n, Math.max(opt.bufferSize, 1 << 20))];
        int got = 0;
        while (got < n) {
            if (got == b.length) b = Arrays.copyOf(b, (int) Math.min(n, 2L * b.length));
            int r = ch.driverRead(b, got, b.length - got, verb);
            if (r > 0) {
                got += r;
                received += r;
                if (!opt.blocking) break;
            } else if (r == 0) {
                break;
            } else if (!opt.blocking) {
                ch.blocked = got == 0;
                break;
            } else {
                ch.awaitReadable(dl, verb);
            }
        }
        if (got == 0) return ch.eof ? new byte[0] : null;
        return got == b.length ? b : Arrays.copyOf(b, got);
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

    static int utf8Length(byte lead) {
        int b = lead & 0xff;
        if (b < 0xc0) return 1;
        if (b < 0xe0) return 2;
        if (b < 0xf0) return 3;
        return 4;
    }

    /** Bytes just taken by read, as text with its line ends translated. */
    private Object decodeAll(byte[] b, String verb) {
        if (b == null) return null;
        if (opt.charset == null) return b;
        String s = Decoding.decode(b, 0, b.length, opt.charset, opt.strict, frameOffset, verb, ch);
        Translation tr = opt.inputTranslation();
        if (tr == Translation.AUTO && b.length > 0 && b[b.length - 1] == '\r') {
            // a CR LF cut by the count is one line end: its LF goes with it, now or when it arrives
            if (inEnd > inStart) {
                if (in[inStart] == '\n') inStart++;
            } else {
                sawCr = !ch.eof;
            }
        }
        return tr.input(s);
    }

    /**
     * Where the line ending at the CR at index end continues: after its LF, or after a lone CR.
     * A CR that ends the buffer ends the line now; an LF arriving next is dropped as its pair.
     */
    int afterLineEnd(int end) {
        if (end + 1 < inEnd) return in[end + 1] == '\n' ? end + 2 : end + 1;
        sawCr = !ch.eof;
        return end + 1;
    }
}
