package ipcsh.groups;

import ipcsh.chan.Channel;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * expect over long streams and across read boundaries: matches that arrive in pieces, characters
 * cut between two reads, and many matches in a row, where nothing may be lost or counted twice.
 */
@Timeout(120)
class ExpectStreamTest {
    private static Map<?, ?> expect(Object... args) {
        return (Map<?, ?>) call("expect", args);
    }

    /** python3 writing the pieces one by one, flushed, a pause between them: one read each. */
    private static Channel slowWriter(byte[]... pieces) {
        String[] cmd = new String[pieces.length + 3];
        cmd[0] = "python3";
        cmd[1] = "-c";
        cmd[2] = "import sys, time\nfor p in sys.argv[1:]:\n"
                + "    sys.stdout.buffer.write(bytes.fromhex(p)); sys.stdout.flush(); time.sleep(0.2)";
        for (int i = 0; i < pieces.length; i++) cmd[i + 3] = HexFormat.of().formatHex(pieces[i]);
        return (Channel) call("spawn", (Object[]) cmd);
    }

    private static Channel slowWriter(String... pieces) {
        byte[][] b = new byte[pieces.length][];
        for (int i = 0; i < pieces.length; i++) b[i] = pieces[i].getBytes(StandardCharsets.UTF_8);
        return slowWriter(b);
    }

    @Test
    void aMatchArrivingOverSeveralReadsIsFoundWhole() {
        // the second read holds the start of the match, the third its end
        Channel ch = slowWriter("INFO up\nERR", "OR 42 disk", " full\nINFO", " next\n");
        Map<?, ?> m = expect(ch, Pattern.compile("ERROR (\\d+) ([^\\n]*)\\n"));
        assertEquals(Map.of("match", "ERROR 42 disk full\n", "groups", List.of("42", "disk full"), "before", "INFO up\n"), m);
        assertEquals("INFO next\n", expect(ch, "INFO next\n").get("match"), "exact text arriving in two reads");
        ch.close();
    }

    @Test
    void aCharacterCutBetweenTwoReadsIsMatchedAndKeptWhole() {
        byte[] all = "naïve café \uD83D\uDE00 ERROR x\nthé ok\n".getBytes(StandardCharsets.UTF_8);
        int cut = "naïve caf".getBytes(StandardCharsets.UTF_8).length + 1; // inside é (C3 A9)
        Channel ch = slowWriter(Arrays.copyOfRange(all, 0, cut), Arrays.copyOfRange(all, cut, all.length));
        Map<?, ?> m = expect(ch, Pattern.compile("ERROR [^\\n]*\\n"));
        assertEquals("naïve café \uD83D\uDE00 ", m.get("before"));
        assertEquals("ERROR x\n", m.get("match"));
        assertEquals("thé", expect(ch, "thé").get("match"));
        assertEquals(" ok", ch.gets());
        ch.close();
    }

    @Test
    void aFarMatchAfterManySmallReadsOfMultibyteTextKeepsEveryCharacter() {
        // 4001-byte pieces cut 2-, 3- and 4-byte characters; the match comes after 45 of them
        Channel ch = (Channel) call("spawn", "python3", "-c", "import sys, time\n"
                + "b = ('é€\\U0001F600' * 20000).encode()\n"
                + "for i in range(0, len(b), 4001):\n"
                + "    sys.stdout.buffer.write(b[i:i + 4001]); sys.stdout.flush(); time.sleep(0.001)\n"
                + "sys.stdout.buffer.write(b'DONE 7\\n')");
        Map<?, ?> m = expect(ch, Pattern.compile("DONE (\\d)"), opts("timeout", 60_000L));
        assertEquals("é€\uD83D\uDE00".repeat(20000), m.get("before"));
        assertEquals(List.of("7"), m.get("groups"));
        assertEquals("", ch.gets());
        ch.close();
    }

    @Test
    void aRegexIsMatchedLeftmostWhateverItsLiteralStart() {
        // patterns whose matches do not all start with their leading characters
        Channel ch = slowWriter("a WARN then an ERROR\ncolor ac xxy a.b axb AXB end\n");
        assertEquals("WARN", expect(ch, Pattern.compile("ERROR|WARN")).get("match"));
        assertEquals(" then an ", expect(ch, Pattern.compile("ERROR\\b")).get("before"));
        assertEquals("color", expect(ch, Pattern.compile("colou?r")).get("match"));
        assertEquals("ac", expect(ch, Pattern.compile("ab*c")).get("match"));
        assertEquals("xxy", expect(ch, Pattern.compile("x+y")).get("match"));
        assertEquals("a.b", expect(ch, Pattern.compile("a\\.b")).get("match"));
        assertEquals("axb", expect(ch, Pattern.compile("(?i)AXB")).get("match"));
        assertEquals("AXB", expect(ch, Pattern.compile("axb", Pattern.CASE_INSENSITIVE)).get("match"));
        Map<?, ?> end = expect(ch, Pattern.compile("(?m)end$"));
        assertEquals(" ", end.get("before"));
        assertEquals(Map.of("eof", true, "before", "\n"), expect(ch, "never", kw("eof")));
        ch.close();
    }

    @Test
    void everyLineOfALongStreamIsMatchedOnceAndNothingIsLost() throws Exception {
        try (TempDir d = new TempDir()) {
            Path file = Path.of(d.file("log.txt"));
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 120_000; i++) {
                if (i % 97 == 5) text.append("t=").append(i).append(" ERROR request ").append(i).append(" failed\n");
                else if (i % 1000 == 7) text.append("t=").append(i).append(" INFO naïve café ").append(i).append('\n');
                else text.append("t=").append(i).append(" INFO request ").append(i).append(" served\n");
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
            long grep = grepCount("ERROR", file);

            Channel ch = (Channel) call("spawn", "cat", file.toString());
            StringBuilder seen = new StringBuilder();
            long n = 0;
            Pattern line = Pattern.compile("ERROR request (\\d+)[^\\n]*\\n");
            while (true) {
                Map<?, ?> m = expect(ch, line, kw("eof"), opts("timeout", 60_000L));
                seen.append(m.get("before"));
                if (m.containsKey("eof")) break;
                seen.append(m.get("match"));
                n++;
                assertTrue(((List<?>) m.get("groups")).get(0) instanceof String);
            }
            ch.close();
            assertEquals(grep, n);
            assertEquals(text.length(), seen.length());
            assertTrue(text.toString().contentEquals(seen), "the matches and what came between them are the stream");
        }
    }

    @Test
    void aBinaryChannelIsMatchedOneCharPerByteAcrossReads() {
        Channel ch = slowWriter(new byte[] {(byte) 0xff, (byte) 0xc3, ' ', 'h', 'e', 'a', 'd'}, "er DATA".getBytes(), new byte[] {'\n', (byte) 0x80});
        call("configure", ch, opts("encoding", kw("binary")));
        Map<?, ?> m = expect(ch, "header DATA\n");
        assertEquals("\u00ff\u00c3 ", m.get("before"));
        assertEquals(Map.of("eof", true, "before", "\u0080"), expect(ch, "never", kw("eof")));
        ch.close();
    }

    @Test
    void anIso88591ChannelMatchesBytesOverAsciiAsTheirCharactersAcrossReads() {
        // 0xe9 is é in ISO-8859-1; the match's literal holds it and is cut between two reads
        Channel ch = slowWriter(new byte[] {'c', 'a', 'f', (byte) 0xe9, ' ', 'n', 'a', (byte) 0xef}, new byte[] {'v', 'e', ' ', 'r', (byte) 0xe9},
                new byte[] {'s', 'u', 'm', (byte) 0xe9, '\n', 'n', 'e', 'x', 't', '\n'});
        call("configure", ch, opts("encoding", "iso-8859-1"));
        Map<?, ?> m = expect(ch, Pattern.compile("r\u00e9sum\u00e9\\n"));
        assertEquals("caf\u00e9 na\u00efve ", m.get("before"));
        assertEquals("r\u00e9sum\u00e9\n", m.get("match"));
        assertEquals("next", ch.gets());
        ch.close();
    }

    @Test
    void textBeyondMatchMaxIsForgottenAndTheMatchStillFound() {
        Channel ch = slowWriter("x".repeat(5000), "FOUND\n");
        Map<?, ?> m = expect(ch, "FOUND", opts("match-max", 1000L));
        String before = (String) m.get("before");
        assertTrue(before.length() <= 1000 && before.matches("x+"), before.length() + " characters before");
        assertEquals("", ch.gets());
        ch.close();
    }

    private static long grepCount(String word, Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("grep", "-c", word, file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertEquals(0, p.waitFor());
        return Long.parseLong(out);
    }
}
