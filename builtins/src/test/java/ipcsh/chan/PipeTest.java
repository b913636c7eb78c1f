package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.drivers.PipeDriver;
import ipcsh.os.OsException;
import ipcsh.testing.Peer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipeTest {
    /** slurp on a pipe's read end closes its reader: the channel, one-way, is then closed, its descriptor given back. */
    @Test
    void closingTheJavaIoViewOfAOneWayChannelClosesIt() throws Exception {
        Channel[] p = PipeDriver.open();
        p[1].write("x");
        p[1].outputStream().close();
        assertTrue(p[1].isClosed(), "the write end, after its OutputStream view closed");
        try (java.io.InputStream in = p[0].inputStream()) {
            assertEquals('x', in.read());
            assertEquals(-1, in.read());
        }
        assertTrue(p[0].isClosed(), "the read end, after its InputStream view closed");
    }

    @Test
    void linesWrittenAreReadBackAndCloseGivesEof() {
        Channel[] p = PipeDriver.open();
        p[1].puts("one");
        p[1].puts("two");
        p[1].close();
        assertEquals("one", p[0].gets());
        assertEquals("two", p[0].gets());
        assertNull(p[0].gets());
        assertTrue(p[0].eof());
        p[0].close();
    }

    @Test
    void writeToPipeWhoseReaderIsGoneFailsWithEpipe() {
        Channel[] p = PipeDriver.open();
        p[0].close();
        OsException e = assertThrows(OsException.class, () -> p[1].puts("nobody listens"));
        assertEquals("EPIPE", e.errnoName());
        assertTrue(e.getMessage().contains("Broken pipe"), e.getMessage());
        p[1].close();
    }

    @Test
    void readingAClosedChannelIsAClearError() {
        Channel[] p = PipeDriver.open();
        p[0].close();
        p[1].close();
        IpcException e = assertThrows(IpcException.class, p[0]::gets);
        assertEquals("gets " + p[0].id() + " (read end): channel is closed", e.getMessage());
    }

    @Test
    void writingTheReadEndIsAClearError() {
        Channel[] p = PipeDriver.open();
        IpcException e = assertThrows(IpcException.class, () -> p[0].puts("x"));
        assertTrue(e.getMessage().endsWith("channel is not open for writing"), e.getMessage());
        p[0].close();
        p[1].close();
    }

    @Test
    void nonBlockingGetsReturnsNilUntilAWholeLineIsThere() {
        Channel[] p = PipeDriver.open();
        p[0].configure(Map.of("blocking", false));
        assertNull(p[0].gets());
        assertTrue(p[0].blocked());
        p[1].write("par");
        assertNull(p[0].gets());
        p[1].write("tial\n");
        assertEquals("partial", p[0].gets());
        assertFalse(p[0].blocked());
        p[0].close();
        p[1].close();
    }

    @Test
    void readCountsCharactersNotBytesOnUtf8() {
        Channel[] p = PipeDriver.open();
        p[1].write("héllo wörld");
        p[1].close();
        assertEquals("héllo", p[0].read(5));
        assertEquals(" wörld", p[0].read(-1));
        p[0].close();
    }

    @Test
    void binaryChannelsMoveEveryByteValue() {
        Channel[] p = PipeDriver.open();
        p[0].configure(Map.of("encoding", Keyword.of("binary")));
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) all[i] = (byte) i;
        p[1].write(all);
        p[1].close();
        assertArrayEquals(all, (byte[]) p[0].read(-1));
        p[0].close();
    }

    @Test
    void everyFramingKeepsMessageBoundaries() {
        for (String framing : List.of("lines", "netstring", "u16be", "u32be", "u32le", "json-lines")) {
            Channel[] p = PipeDriver.open();
            p[0].configure(Map.of("framing", framing));
            p[1].configure(Map.of("framing", framing));
            Object first = framing.equals("json-lines") ? Map.of("n", 1L) : "first";
            p[1].puts(first);
            p[1].puts(framing.equals("json-lines") ? List.of("a", 2L) : "with\nnewline");
            p[1].close();
            assertEquals(first, p[0].gets(), framing);
            if (!framing.equals("lines")) {
                assertEquals(framing.equals("json-lines") ? List.of("a", 2L) : "with\nnewline", p[0].gets(), framing);
            }
            p[0].close();
        }
    }

    @Test
    void u32beFramesFromPython() {
        String py = "import struct,sys\nfor m in [b'alpha', b'', b'x'*70000]:\n"
                + "    sys.stdout.buffer.write(struct.pack('>I', len(m)) + m)\n";
        try (Peer unused = null) {
            Channel ch = ipcsh.chan.drivers.ProcessDriver.spawn(List.of("python3", "-c", py), null, null,
                    ipcsh.chan.drivers.ProcessDriver.Stdio.NULL, ipcsh.chan.drivers.ProcessDriver.Stdio.PIPE,
                    ipcsh.chan.drivers.ProcessDriver.Stdio.INHERIT);
            ch.configure(Map.of("framing", "u32be"));
            assertEquals("alpha", ch.gets());
            assertEquals("", ch.gets());
            assertEquals("x".repeat(70000), ch.gets());
            assertNull(ch.gets());
            ch.close();
        }
    }

    @Test
    void optionAndFramingErrorsNameTheVerbAndTheChannel() {
        Channel[] p = PipeDriver.open();
        IpcException e = assertThrows(IpcException.class, () -> p[1].configure(Map.of("framing", "xml")));
        assertTrue(e.getMessage().startsWith("configure " + p[1].id() + " (write end): unknown :framing xml"), e.getMessage());
        p[1].configure(Map.of("framing", "u16be"));
        e = assertThrows(IpcException.class, () -> p[1].puts("x".repeat(70_000)));
        assertEquals("puts " + p[1].id() + " (write end): frame of 70000 bytes does not fit a u16be length prefix", e.getMessage());
        p[0].close();
        p[1].close();
    }

    @Test
    void streamEndingInsideAFrameIsReported() {
        Channel[] p = PipeDriver.open();
        p[0].configure(Map.of("framing", "u32be"));
        p[1].write(new byte[] {0, 0, 0, 9, 'a', 'b'});
        p[1].close();
        IpcException e = assertThrows(IpcException.class, p[0]::gets);
        assertTrue(e.getMessage().contains("stream ended inside a u32be frame"), e.getMessage());
        p[0].close();
    }

    @Test
    void crlfTranslationWritesAndStripsCarriageReturns() {
        Channel[] p = PipeDriver.open();
        p[1].configure(Map.of("translation", "crlf"));
        p[0].configure(Map.of("translation", "lf")); // the bytes as written
        p[1].puts("dos");
        p[1].close();
        byte[] raw = ((String) p[0].read(-1)).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals("dos\r\n".getBytes(StandardCharsets.UTF_8), raw);
        p[0].close();
        Channel[] q = PipeDriver.open();
        q[0].configure(Map.of("translation", "auto"));
        q[1].write("a\r\nb\n");
        q[1].close();
        assertEquals("a", q[0].gets());
        assertEquals("b", q[0].gets());
        q[0].close();
    }

    @Test
    void fullBufferingHoldsBytesUntilFlush() {
        Channel[] p = PipeDriver.open();
        p[1].configure(Map.of("buffering", "full"));
        p[0].configure(Map.of("blocking", false));
        p[1].puts("held");
        assertNull(p[0].gets());
        p[1].flush();
        assertEquals("held", p[0].gets());
        p[0].close();
        p[1].close();
    }

    @Test
    void configureRejectsUnknownAndReadOnlyOptions() {
        Channel[] p = PipeDriver.open();
        IpcException unknown = assertThrows(IpcException.class, () -> p[0].configure(Map.of("colour", "red")));
        assertTrue(unknown.getMessage().contains("unknown option :colour"), unknown.getMessage());
        IpcException ro = assertThrows(IpcException.class, () -> p[0].configure(Map.of("fd", 3L)));
        assertTrue(ro.getMessage().endsWith(":fd is read-only"), ro.getMessage());
        assertEquals(Keyword.of("pipe"), p[0].configure("kind"));
        p[0].close();
        p[1].close();
    }

    @Test
    void noDescriptorLeakAfterTenThousandPipes() {
        int before = Peer.openFds();
        for (int i = 0; i < 10_000; i++) {
            Channel[] p = PipeDriver.open();
            p[1].puts("x");
            p[0].close();
            p[1].close();
        }
        assertEquals(before, Peer.openFds());
    }
}
