package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The channel core without the kernel: a driver in memory feeds chunks cut where a test says
 * (so every frame, line end and character can be split across reads) and takes writes a few
 * bytes at a time or not at all (so writes are partial and output queues). What the verbs
 * return is checked against the bytes fed, whole.
 */
@Timeout(30)
class MemoryChannelTest {
    /** Reads what was fed, one chunk (or message) a read; takes at most perWrite bytes a write, none while stalled. */
    static final class Feed implements Driver {
        final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final List<byte[]> sent = new ArrayList<>();
        boolean ended, stalled, broken, messages, exactSize = true;
        int perWrite = Integer.MAX_VALUE, upperBound = -1, reads, writes, pos;

        Feed feed(byte[]... cs) {
            chunks.addAll(Arrays.asList(cs));
            return this;
        }

        @Override public String kind() { return "memory"; }
        @Override public String name() { return "feed"; }
        @Override public int readFd() { return -1; }
        @Override public int writeFd() { return -1; }
        @Override public boolean messages() { return messages; }
        @Override public boolean messageSizeExact() { return exactSize; }

        @Override
        public int nextMessageSize() {
            byte[] c = chunks.peek();
            if (c == null) return LibC.WOULD_BLOCK;
            return upperBound >= 0 ? upperBound : c.length;
        }

        @Override
        public int read(byte[] buf, int off, int len) {
            reads++;
            byte[] c = chunks.peek();
            if (c == null) return ended ? 0 : LibC.WOULD_BLOCK;
            if (messages) {
                chunks.poll();
                System.arraycopy(c, 0, buf, off, Math.min(len, c.length));
                return c.length; // the real length, as recvmsg with MSG_TRUNC says
            }
            int k = Math.min(len, c.length - pos);
            System.arraycopy(c, pos, buf, off, k);
            pos += k;
            if (pos == c.length) {
                chunks.poll();
                pos = 0;
            }
            return k;
        }

        @Override
        public int write(byte[] buf, int off, int len) {
            writes++;
            if (broken) throw new OsException("write", null, Errno.EPIPE);
            if (stalled) return LibC.WOULD_BLOCK;
            if (messages) {
                sent.add(Arrays.copyOfRange(buf, off, off + len));
                return len;
            }
            int k = Math.min(len, perWrite);
            written.write(buf, off, k);
            return k;
        }

        @Override public void closeRead() {}
        @Override public void closeWrite() {}
        @Override public void close() {}
        @Override public Map<String, Object> options() { return new HashMap<>(); }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every piece of bytes cut into chunks of n (the last shorter). */
    private static byte[][] cut(byte[] all, int n) {
        List<byte[]> l = new ArrayList<>();
        for (int i = 0; i < all.length; i += n) l.add(Arrays.copyOfRange(all, i, Math.min(all.length, i + n)));
        return l.toArray(new byte[0][]);
    }

    /** A channel over d with options; a :timeout, so a read that waits for the kernel fails instead of hanging. */
    private static Channel channel(Feed d, Object... kv) {
        Channel ch = new Channel(d, false);
        Map<String, Object> o = new HashMap<>();
        o.put("timeout", 200L);
        for (int i = 0; i < kv.length; i += 2) o.put((String) kv[i], kv[i + 1]);
        ch.configure(o);
        return ch;
    }

    private static List<Object> allFrames(Channel ch) {
        List<Object> out = new ArrayList<>();
        for (Object f; (f = ch.gets()) != null; ) out.add(f);
        return out;
    }

    // ------------------------------------------------------------------ the read funnel

    @Test
    void partialReadsMakeWholeCountsAndEofIsSeenOnce() {
        Feed d = new Feed().feed(cut(b("hello world"), 1));
        d.ended = true;
        Channel ch = channel(d);
        assertEquals("hello", ch.read(5));
        assertFalse(ch.eof());
        assertEquals(" world", ch.read(-1));
        assertTrue(ch.eof());
        assertEquals("", ch.read(10));
        assertNull(ch.gets());
        assertEquals("eof", ch.state());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 777, 4096, 65536, 200_000})
    void largeBinaryReadsGetEveryByteInOrder(int chunk) {
        byte[] all = new byte[150_000];
        for (int i = 0; i < all.length; i++) all[i] = (byte) (i * 31 + i / 251);
        Feed d = new Feed().feed(cut(all, chunk));
        d.ended = true;
        Channel ch = channel(d, "encoding", "binary");
        byte[] first = (byte[]) ch.read(100_000);
        byte[] rest = (byte[]) ch.read(100_000);
        assertEquals(100_000, first.length);
        assertArrayEquals(all, concat(first, rest));
        assertTrue(ch.eof());
        assertArrayEquals(new byte[0], (byte[]) ch.read(10));
    }

    @Test
    void nonBlockingReadReturnsWhatThereIsThenReportsBlocked() {
        Feed d = new Feed().feed(b("abc"), b("def"));
        Channel ch = channel(d, "blocking", false, "encoding", "binary");
        assertArrayEquals(b("abc"), (byte[]) ch.read(10_000));
        assertFalse(ch.blocked());
        assertArrayEquals(b("def"), (byte[]) ch.read(10));
        assertNull(ch.read(10));
        assertTrue(ch.blocked());
        assertFalse(ch.eof());
        assertNull(ch.gets());
        assertTrue(ch.blocked());
        d.feed(b("g\n"));
        assertArrayEquals(b("g"), (byte[]) ch.gets());
        assertFalse(ch.blocked());
    }

    @Test
    void aBlockingReadWithNothingComingTimesOut() {
        Channel ch = channel(new Feed(), "timeout", 50L);
        TimeoutError e = assertThrows(TimeoutError.class, ch::gets);
        assertTrue(e.getMessage().startsWith("gets memory (feed)"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 100})
    void linesAcrossChunkBoundariesWithEveryTranslation(int chunk) {
        byte[] text = b("abc\ndef\r\nghi\rjkl\r\n\nlast");
        assertEquals(List.of("abc", "def", "ghi", "jkl", "", "last"), linesOf(text, chunk, "auto"));
        assertEquals(List.of("abc", "def", "ghi\rjkl", "", "last"), linesOf(text, chunk, "crlf"));
        assertEquals(List.of("abc", "def\r", "ghi\rjkl\r", "", "last"), linesOf(text, chunk, "lf"));
    }

    private static List<Object> linesOf(byte[] text, int chunk, String translation) {
        Feed d = new Feed().feed(cut(text, chunk));
        d.ended = true;
        return allFrames(channel(d, "translation", translation));
    }

    @Test
    void aCrEndingOneReadAndAnLfOpeningTheNextAreOneLineEnd() {
        Feed d = new Feed().feed(b("a\r"));
        Channel ch = channel(d, "blocking", false);
        assertEquals("a", ch.gets());
        assertNull(ch.gets());
        d.feed(b("\nb\r"), b("\r\n"));
        d.ended = true;
        assertEquals("b", ch.gets());
        assertEquals("", ch.gets());
        assertNull(ch.gets());
        assertTrue(ch.eof());
    }

    @Test
    void readOfACountThatCutsACrLfTakesItsLf() {
        Feed d = new Feed().feed(b("ab\r"), b("\ncd"));
        d.ended = true;
        Channel ch = channel(d);
        assertEquals("ab\n", ch.read(3));
        assertEquals("cd", ch.read(-1));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 7, 64})
    void netstringsAndLengthPrefixesAcrossChunkBoundaries(int chunk) {
        Feed d = new Feed().feed(cut(b("3:abc,0:,5:hello,11:hello\nworld,"), chunk));
        d.ended = true;
        assertEquals(List.of("abc", "", "hello", "hello\nworld"), allFrames(channel(d, "framing", "netstring")));
        for (String framing : List.of("u16be", "u32be", "u32le")) {
            Feed out = new Feed();
            Channel w = channel(out, "framing", framing);
            for (String s : List.of("x", "", "two words", "é€")) w.puts(s);
            Feed in = new Feed().feed(cut(out.written.toByteArray(), chunk));
            in.ended = true;
            assertEquals(List.of("x", "", "two words", "é€"), allFrames(channel(in, "framing", framing)), framing);
        }
    }

    @Test
    void aStreamEndingInsideAFrameIsAnError() {
        Feed d = new Feed().feed(b("5:ab"));
        d.ended = true;
        IpcException e = assertThrows(IpcException.class, channel(d, "framing", "netstring")::gets);
        assertTrue(e.getMessage().contains("stream ended inside a netstring frame (4 bytes left over)"), e.getMessage());
    }

    @Test
    void utf8SplitAtEveryByteReadsWhole() {
        String text = "é€😀a\nñ𝄞\n";
        byte[] all = b(text);
        for (int at = 1; at < all.length; at++) {
            Feed d = new Feed().feed(Arrays.copyOfRange(all, 0, at), Arrays.copyOfRange(all, at, all.length));
            d.ended = true;
            assertEquals(List.of("é€😀a", "ñ𝄞"), allFrames(channel(d)), "cut at " + at);
            Feed r = new Feed().feed(cut(all, at));
            r.ended = true;
            Channel ch = channel(r);
            assertEquals("é€", ch.read(2), "cut every " + at);
            assertEquals("😀a\nñ", ch.read(4), "cut every " + at); // a count of characters (code points)
            assertEquals("𝄞\n", ch.read(-1));
        }
    }

    @Test
    void strictDecodingNamesTheStreamOffsetOfTheBadByte() {
        Feed d = new Feed().feed(b("ok\nab"), new byte[] {(byte) 0xff, '\n'});
        d.ended = true;
        Channel ch = channel(d, "encoding-errors", "strict");
        assertEquals("ok", ch.gets());
        IpcException e = assertThrows(IpcException.class, ch::gets);
        assertTrue(e.getMessage().contains("invalid UTF-8 at byte 5 of the stream (ff)"), e.getMessage());
    }

    @Test
    void latin1AndBinaryReadEveryByteAsIs() {
        byte[] all = {'a', (byte) 0xe9, '\n', (byte) 0xff};
        Feed d = new Feed().feed(cut(all, 1));
        d.ended = true;
        assertEquals(List.of("aé", "ÿ"), allFrames(channel(d, "encoding", "iso-8859-1")));
        Feed e = new Feed().feed(cut(all, 1));
        e.ended = true;
        assertArrayEquals(all, (byte[]) channel(e, "encoding", "binary").read(-1));
    }

    @Test
    void eofcharEndsTheStreamAndLettingGoOfItReadsOn() {
        Feed d = new Feed().feed(b("ab"), b("c\u001ade"), b("f"));
        d.ended = true;
        Channel ch = channel(d, "eofchar", "\u001a");
        assertEquals("abc", ch.read(-1));
        assertTrue(ch.eof());
        assertEquals("", ch.read(-1));
        assertThrows(IpcException.class, () -> ch.configure(Map.of("eofchar", "xy")));
    }

    @Test
    void eofcharChangedLetsTheHeldBytesBackIn() {
        Feed d = new Feed().feed(b("ab\u001acd"));
        d.ended = true;
        Channel ch = channel(d, "eofchar", "\u001a");
        assertEquals("ab", ch.read(-1));
        Map<String, Object> none = new HashMap<>();
        none.put("eofchar", null);
        ch.configure(none);
        assertFalse(ch.eof());
        assertEquals("\u001acd", ch.read(-1));
    }

    @Test
    void inputStreamReadsThroughTheSameBuffer() throws Exception {
        Feed d = new Feed().feed(b("first\n"), b("rest of"), b(" it"));
        d.ended = true;
        Channel ch = channel(d);
        assertEquals("first", ch.gets());
        InputStream in = ch.inputStream();
        assertEquals("rest of it", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ the write funnel

    @Test
    void partialWritesOfABlockingChannelWriteEverythingInOrder() {
        Feed d = new Feed();
        d.perWrite = 3;
        Channel ch = channel(d, "buffering", "none");
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) i;
        ch.write(data);
        ch.puts("tail");
        assertArrayEquals(concat(data, b("tail\n")), d.written.toByteArray());
        assertTrue(d.writes >= 1005 / 3, "writes " + d.writes);
    }

    @Test
    void lineAndFullBufferingDecideWhenBytesLeave() {
        Feed d = new Feed();
        Channel ch = channel(d);
        ch.write("ab");
        assertEquals(0, d.written.size());
        ch.write("c\nd");
        assertEquals("abc\nd", d.written.toString(StandardCharsets.UTF_8));
        Feed f = new Feed();
        Channel full = channel(f, "buffering", "full", "buffer-size", 8L);
        full.write("1234\n");
        assertEquals(0, f.written.size());
        full.write("5678");
        assertEquals("1234\n", f.written.toString(StandardCharsets.UTF_8));
        full.flush();
        assertEquals("1234\n5678", f.written.toString(StandardCharsets.UTF_8));
        Feed c = new Feed();
        channel(c, "translation", "crlf").puts("a\nb");
        assertEquals("a\r\nb\r\n", c.written.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aLineLeavesWithItsEndInOneWriteOrNotAtAll() {
        Feed d = new Feed();
        Channel ch = channel(d, "buffering", "none");
        ch.puts("abc");
        ch.configure(Map.of("translation", "crlf"));
        ch.puts("de");
        ch.configure(Map.of("framing", "json-lines"));
        ch.puts(List.of(1L));
        assertEquals("abc\nde\r\n[1]\r\n", d.written.toString(StandardCharsets.UTF_8));
        assertEquals(3, d.writes);                          // never the line in one write and its end in another
        Feed q = new Feed();
        Channel nb = channel(q, "blocking", false, "max-queue", 10L);
        q.stalled = true;
        nb.puts("123456");
        assertEquals(7, nb.queuedBytes());
        assertThrows(IpcException.class, () -> nb.puts("abc"));   // 7 + 4 would pass :max-queue
        assertEquals(7, nb.queuedBytes());                          // not the line without its end either
        nb.puts("ab");
        q.stalled = false;
        assertTrue(nb.writeQueued());
        assertEquals("123456\nab\n", q.written.toString(StandardCharsets.UTF_8));
    }

    @Test
    void nonBlockingOutputQueuesInOrderAndTheQueueIsBounded() {
        Feed d = new Feed();
        d.perWrite = 5;
        Channel ch = channel(d, "blocking", false, "buffering", "none", "max-queue", 20L);
        ch.write("0123456789");
        assertEquals("0123456789", d.written.toString(StandardCharsets.UTF_8));
        d.stalled = true;
        ch.write("abcdefghij");
        assertTrue(ch.hasQueuedOutput());
        long queued = ch.queuedBytes();
        assertEquals(20 - d.written.size(), queued);
        ch.write("KL");                                    // behind what is queued, never ahead of it
        assertEquals(queued + 2, ch.queuedBytes());
        IpcException full = assertThrows(IpcException.class, () -> ch.write("x".repeat(30)));
        assertTrue(full.getMessage().contains("output queue full"), full.getMessage());
        assertEquals("EAGAIN", full.data().get("errno"));
        assertEquals(queued + 2, ch.queuedBytes());        // nothing of the refused write was taken
        assertEquals((Object) (queued + 2), ch.configure("queued"));
        assertFalse(ch.writeQueued());
        d.stalled = false;
        d.perWrite = 4;
        assertTrue(ch.writeQueued());
        assertFalse(ch.hasQueuedOutput());
        assertEquals("0123456789abcdefghijKL", d.written.toString(StandardCharsets.UTF_8));
        ch.close();
        assertTrue(ch.isClosed());
    }

    @Test
    void aWriteErrorWhileTheQueueDrainsLosesItAndSaysHowMuch() {
        Feed d = new Feed();
        Channel ch = channel(d, "blocking", false, "buffering", "none");
        d.stalled = true;
        ch.write("queued bytes");
        assertEquals(12, ch.queuedBytes());
        d.stalled = false;
        d.broken = true; // the reader went
        OsException e = assertThrows(OsException.class, ch::writeQueued);
        assertTrue(e.getMessage().startsWith("write memory"), e.getMessage());
        assertTrue(e.getMessage().contains("12 queued bytes were not written"), e.getMessage());
        assertFalse(ch.hasQueuedOutput());
    }

    @Test
    void aBlockingWriteAfterNonBlockingOnesSendsTheQueueFirst() {
        Feed d = new Feed();
        Channel ch = channel(d, "blocking", false, "buffering", "none");
        d.stalled = true;
        ch.write("first ");
        d.stalled = false;
        d.perWrite = 2;
        ch.configure(Map.of("blocking", true));
        ch.write("second");
        assertEquals("first second", d.written.toString(StandardCharsets.UTF_8));
        assertFalse(ch.hasQueuedOutput());
    }

    @Test
    void outputStreamWritesThroughTheBuffer() throws Exception {
        Feed d = new Feed();
        Channel ch = channel(d, "buffering", "full");
        var out = ch.outputStream();
        out.write(b("streamed"));
        assertEquals(0, d.written.size());
        out.flush();
        assertEquals("streamed", d.written.toString(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ messages

    private static Feed messages(byte[]... ms) {
        Feed d = new Feed().feed(ms);
        d.messages = true;
        return d;
    }

    @Test
    void eachReadIsOneWholeMessageAndAnEmptyOneIsNotTheEnd() {
        Channel ch = channel(messages(b("one"), b(""), b("two\nlines")));
        assertEquals("one", ch.recv());
        assertEquals("", ch.gets());
        assertEquals("two\nlines", ch.read(1));
        assertFalse(ch.eof());
        assertThrows(TimeoutError.class, ch::recv);
        Channel nb = channel(messages(), "blocking", false);
        assertNull(nb.recv());
        assertTrue(nb.blocked());
    }

    @Test
    void aMessageCutByTheKernelIsAnErrorOnEveryReadPath() {
        for (int path = 0; path < 3; path++) {
            Feed d = messages(b("a message of 24 bytes!!!"), b("next"));
            d.exactSize = false;
            d.upperBound = 10;
            Channel ch = channel(d);
            IpcException e = assertThrows(IpcException.class, switch (path) {
                case 0 -> ch::recv;
                case 1 -> ch::gets;
                default -> () -> ch.readMore(Waiter.deadline(100), "expect");
            });
            assertTrue(e.getMessage().contains("message of 24 bytes was cut to 10 bytes (MSG_TRUNC)"), e.getMessage());
            assertEquals("EMSGSIZE", e.data().get("errno"));
            d.upperBound = -1;
            assertEquals("next", ch.recv());
        }
    }

    @Test
    void aMessageOverMaxFrameIsDroppedAndReportedOnce() {
        Channel ch = channel(messages(b("x".repeat(20)), b("small")), "max-frame", 10L);
        IpcException e = assertThrows(IpcException.class, ch::recv);
        assertTrue(e.getMessage().contains("message of 20 bytes is longer than :max-frame (10 bytes)"), e.getMessage());
        assertEquals("small", ch.recv());
        Feed bound = messages(b("y".repeat(20)), b("fits"));
        bound.exactSize = false;
        Channel ub = channel(bound, "max-frame", 10L);
        assertThrows(IpcException.class, ub::recv);
        assertEquals("fits", ub.recv());
    }

    @Test
    void expectReadsWholeMessagesIntoTheBuffer() {
        Channel ch = channel(messages(b("abc"), b("def")));
        assertEquals(3, ch.readMore(Waiter.deadline(100), "expect"));
        assertEquals(3, ch.readMore(Waiter.deadline(100), "expect"));
        assertEquals(6, ch.bufferedBytes());
        assertEquals("abcdef", ch.recv()); // what expect left comes first
    }

    @Test
    void sendIsOneMessageWholeOrAnError() {
        Feed d = messages();
        Channel ch = channel(d, "framing", "json-lines");
        ch.send(b("raw"), null);
        ch.puts(Map.of("k", 1L));
        assertEquals(2, d.sent.size());
        assertEquals("raw", new String(d.sent.get(0), StandardCharsets.UTF_8));
        assertEquals("{\"k\":1}", new String(d.sent.get(1), StandardCharsets.UTF_8));
        d.stalled = true;
        ch.configure(Map.of("blocking", false));
        OsException e = assertThrows(OsException.class, () -> ch.send("no room", "peer"));
        assertTrue(e.getMessage().contains("the message was not sent"), e.getMessage());
        assertEquals(2, d.sent.size());
    }

    @Test
    void theFrameDecoderCutsChunksAsGetsWould() {
        FrameDecoder dec = new FrameDecoder(Framing.NETSTRING, false);
        List<Object> out = new ArrayList<>();
        for (byte[] c : cut(b("2:ab,3:cde,1:"), 3)) dec.feed(c, out);
        assertEquals(List.of("ab", "cde"), out);
        FrameDecoder lines = new FrameDecoder(Framing.LINES, false);
        List<Object> ls = new ArrayList<>();
        lines.feed(b("x\r"), ls);
        lines.feed(b("\ny"), ls);
        lines.end(ls);
        assertEquals(List.of("x", "y"), ls);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
