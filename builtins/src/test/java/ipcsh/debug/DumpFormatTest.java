package ipcsh.debug;

import ipcsh.Palette;
import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How traffic is shown: hex as xxd shows it, text with its control characters visible, and a tap's log lines. */
class DumpFormatTest {
    private final TempDir dir = new TempDir();

    @AfterEach
    void cleanUp() {
        dir.close();
    }

    /** Every byte value and a short last line, checked against xxd itself. */
    @Test
    void hexIsWhatXxdPrintsByteForByte() throws Exception {
        byte[] data = new byte[256 + 37];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7 + 3);
        Path file = dir.path.resolve("bytes.bin");
        Files.write(file, data);
        try (Peer xxd = Peer.start("xxd", file.toString())) {
            assertEquals(0, xxd.waitFor(10));
            assertEquals(xxd.output(), Dumps.hex(data, Palette.PLAIN));
        }
    }

    @Test
    void textShowsControlCharactersAndKeepsUtf8() {
        byte[] data = "héllo\r\n\tbye\0\u001b[0m".getBytes(StandardCharsets.UTF_8);
        byte[] withBadByte = new byte[data.length + 1];
        System.arraycopy(data, 0, withBadByte, 0, data.length);
        withBadByte[data.length] = (byte) 0xC3; // a UTF-8 sequence cut short
        assertEquals("héllo\\r\\n\n  \\tbye\\0\\e[0m\\xc3", Dumps.text(withBadByte, 0, withBadByte.length, "  ", Palette.PLAIN));
    }

    /** A hex log counts offsets through the stream (the second chunk starts where the first ended), as one xxd of the whole would. */
    @Test
    void aTapLogToAFileShowsEachChunkWithItsDirectionAndStreamOffset() throws Exception {
        String log = dir.file("tap.log");
        TapLog hex = new TapLog(LogFormat.HEX, log);
        long now = System.currentTimeMillis();
        hex.add(new TapLog.Entry(1, true, now, "PING\r\n".getBytes(StandardCharsets.US_ASCII), 0, null, null));
        hex.add(new TapLog.Entry(1, false, now, "+PONG\r\n".getBytes(StandardCharsets.US_ASCII), 0, null, null));
        hex.add(new TapLog.Entry(1, true, now, "QUIT\r\n".getBytes(StandardCharsets.US_ASCII), 6, null, null));
        hex.add(new TapLog.Entry(1, false, now, null, 0, null, "closed by the server"));
        assertEquals(0, hex.close());
        List<String> lines = Files.readAllLines(Path.of(log));
        String time = "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ";
        List<String> expected = List.of(
                time + "#1 c->s 6 bytes",
                "  00000000: 5049 4e47 0d0a                           PING..",
                time + "#1 s->c 7 bytes",
                "  00000000: 2b50 4f4e 470d 0a                        \\+PONG..",
                time + "#1 c->s 6 bytes",
                "  00000006: 5155 4954 0d0a                           QUIT..",
                time + "#1 closed by the server");
        assertEquals(expected.size(), lines.size(), String.join("\n", lines));
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(lines.get(i).matches(expected.get(i)), "line " + (i + 1) + ": " + lines.get(i));
        }

        String textLog = dir.file("text.log");
        TapLog text = new TapLog(LogFormat.TEXT, textLog);
        text.add(new TapLog.Entry(2, true, now, "a\nb".getBytes(StandardCharsets.US_ASCII), 0, null, null));
        text.add(new TapLog.Entry(2, false, now, null, 0, List.of("PONG", 1L), null));
        text.close();
        List<String> t = Files.readAllLines(Path.of(textLog));
        assertEquals(4, t.size(), String.join("\n", t));
        assertTrue(t.get(0).matches(time + "#2 c->s 3 bytes"), t.get(0));
        assertEquals("  a\\n", t.get(1));
        assertEquals("  b", t.get(2));
        assertTrue(t.get(3).matches(time + "#2 s->c \\[\"PONG\" 1\\]"), t.get(3));
    }
}
