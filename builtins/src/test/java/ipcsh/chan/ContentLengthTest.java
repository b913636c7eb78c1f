package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.Keyword;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The :content-length framing (LSP's base protocol) over the in-memory driver: frames split at
 * every byte, by a blocking channel and by the tap's non-blocking decoder, and heads that lie.
 */
@Timeout(30)
class ContentLengthTest {
    private static final String TWO = "Content-Length: 13\r\n\r\n{\"a\":[1,2,3]}"
            + "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length:  8\r\n\r\n\"h\u00e9llo\"";

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Channel channel(MemoryChannelTest.Feed d, Object... kv) {
        Channel ch = new Channel(d, false);
        Map<String, Object> o = new HashMap<>();
        o.put("timeout", 200L);
        o.put("framing", Keyword.of("content-length"));
        for (int i = 0; i < kv.length; i += 2) o.put((String) kv[i], kv[i + 1]);
        ch.configure(o);
        return ch;
    }

    /** Every frame, and every error as "error: message", until end of stream. */
    private static List<Object> frames(MemoryChannelTest.Feed d, Object... kv) {
        d.ended = true;
        Channel ch = channel(d, kv);
        List<Object> out = new ArrayList<>();
        for (int guard = 0; guard < 100; guard++) {
            try {
                Object f = ch.gets();
                if (f == null && ch.eof()) return out;
                out.add(f);
            } catch (IpcException e) {
                out.add("error: " + e.getMessage());
            }
        }
        throw new AssertionError("no end of stream after " + out);
    }

    private static MemoryChannelTest.Feed fed(byte[] all, int cutAt) {
        MemoryChannelTest.Feed d = new MemoryChannelTest.Feed();
        for (int i = 0; i < all.length; i += cutAt) d.feed(Arrays.copyOfRange(all, i, Math.min(all.length, i + cutAt)));
        return d;
    }

    @Test
    void framesSplitAtEveryByteReadWhole() {
        byte[] all = b(TWO);
        for (int at = 1; at <= all.length; at++) {
            assertEquals(List.of(Map.of("a", List.of(1L, 2L, 3L)), "h\u00e9llo"), frames(fed(all, at)), "chunks of " + at);
            MemoryChannelTest.Feed two = new MemoryChannelTest.Feed()
                    .feed(Arrays.copyOfRange(all, 0, at), Arrays.copyOfRange(all, at, all.length));
            assertEquals(2, frames(two).size(), "cut at " + at);
        }
    }

    @Test
    void theDecoderTapsUseGetsTheSameFramesFedAByteAtATime() {
        FrameDecoder dec = new FrameDecoder(Framing.CONTENT_LENGTH, false);
        List<Object> out = new ArrayList<>();
        for (byte x : b(TWO)) dec.feed(new byte[] {x}, out);
        dec.end(out);
        assertEquals(List.of(Map.of("a", List.of(1L, 2L, 3L)), "h\u00e9llo"), out);
    }

    @Test
    void putsWritesTheHeadAndJsonThatGetsReadsBack() {
        MemoryChannelTest.Feed out = new MemoryChannelTest.Feed();
        Channel w = channel(out);
        w.puts(Map.of("jsonrpc", "2.0", "id", 1L));
        w.puts("\u20ac");
        String wire = out.written.toString(StandardCharsets.UTF_8);
        assertTrue(wire.startsWith("Content-Length: 24\r\n\r\n{\""), wire);
        assertTrue(wire.endsWith("Content-Length: 5\r\n\r\n\"\u20ac\""), wire);
        assertEquals(List.of(Map.of("jsonrpc", "2.0", "id", 1L), "\u20ac"), frames(fed(out.written.toByteArray(), 3)));
    }

    @Test
    void aHeadThatLiesIsReportedAndTheNextFrameStillReads() {
        String ok = "Content-Length: 2\r\n\r\n{}";
        for (String bad : List.of("Content-Length: -5\r\n\r\n", "Content-Length: ten\r\n\r\n",
                "Content-Type: x\r\n\r\n", "garbage without a colon\r\n\r\n")) {
            List<Object> got = frames(fed(b(bad + ok), 1));
            assertEquals(2, got.size(), bad + " -> " + got);
            assertTrue(got.get(0).toString().contains("malformed content-length frame"), got.toString());
            assertEquals(Map.of(), got.get(1), bad);
        }
        List<Object> missing = frames(fed(b("Content-Type: x\r\n\r\n" + ok), 5));
        assertTrue(missing.get(0).toString().contains("no Content-Length header"), missing.toString());
        List<Object> negative = frames(fed(b("Content-Length: -5\r\n\r\n" + ok), 5));
        assertTrue(negative.get(0).toString().contains("Content-Length \"-5\" is not a length"), negative.toString());
    }

    @Test
    void aLengthTooShortOrTooLongOrABodyNotJsonIsAnErrorNotAHang() {
        // too short: the body's tail becomes the next head, which is malformed; the frame after it reads
        List<Object> shortOne = frames(fed(b("Content-Length: 4\r\n\r\n{\"a\":1}Content-Length: 2\r\n\r\n{}"
                + "Content-Length: 7\r\n\r\n{\"b\":2}"), 3));
        assertTrue(shortOne.get(0).toString().startsWith("error: ") && shortOne.get(0).toString().contains("JSON"), shortOne.toString());
        assertTrue(shortOne.get(1).toString().contains("3 bytes before the head"), shortOne.toString());
        assertEquals(List.of(Map.of(), Map.of("b", 2L)), shortOne.subList(2, 4), shortOne.toString());
        // too long: the stream ends inside the frame, said once
        List<Object> longOne = frames(fed(b("Content-Length: 50\r\n\r\n{}"), 1));
        assertEquals(1, longOne.size(), longOne.toString());
        assertTrue(longOne.get(0).toString().contains("stream ended inside a content-length frame (24 bytes left over)"), longOne.toString());
        List<Object> notJson = frames(fed(b("Content-Length: 5\r\n\r\nhello" + "Content-Length: 1\r\n\r\n7"), 2));
        assertTrue(notJson.get(0).toString().contains("malformed JSON"), notJson.toString());
        assertEquals(7L, notJson.get(1));
        List<Object> noEnd = frames(fed(b("x".repeat(ContentLength.MAX_HEAD + 10)), 1000));
        assertTrue(noEnd.get(0).toString().contains("no empty line ending the headers"), noEnd.toString());
    }

    @Test
    void aFrameOverMaxFrameIsDroppedAndTheNextOneReads() {
        List<Object> got = frames(fed(b("Content-Length: 12\r\n\r\n\"0123456789\"Content-Length: 3\r\n\r\n\"a\""), 4),
                "max-frame", 10L);
        assertEquals(2, got.size(), got.toString());
        assertTrue(got.get(0).toString().contains("longer than :max-frame (10 bytes)"), got.toString());
        assertEquals("a", got.get(1));
    }
}
