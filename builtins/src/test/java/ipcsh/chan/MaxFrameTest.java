package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.chan.drivers.PipeDriver;
import ipcsh.chan.drivers.ProcessDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One :max-frame rule for every framing: an oversized frame is reported once, dropped whole, and the next frame reads. */
@Timeout(30)
class MaxFrameTest {
    private static Object small(String framing, int i) {
        return framing.equals("json-lines") ? List.of((long) i) : "ok" + i;
    }

    private static Object big(String framing, int bytes) {
        return framing.equals("json-lines") ? "x".repeat(bytes - 2) : "y".repeat(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lines", "netstring", "u16be", "u32be", "u32le", "json-lines"})
    void oversizedFrameRaisesOnceAndTheNextFrameIsRead(String framing) {
        for (int size : new int[] {11, 25, 5000}) {
            Channel[] p = PipeDriver.open();
            p[0].configure(Map.of("framing", framing, "max-frame", 10L, "timeout", 2000L));
            p[1].configure(Map.of("framing", framing));
            p[1].puts(small(framing, 1));
            p[1].puts(big(framing, size));
            p[1].puts(small(framing, 2));
            p[1].puts(big(framing, size));
            p[1].puts(big(framing, size));
            p[1].puts(small(framing, 3));
            p[1].close();
            assertEquals(small(framing, 1), p[0].gets(), framing);
            IpcException e = assertThrows(IpcException.class, p[0]::gets, framing + " " + size);
            assertTrue(e.getMessage().startsWith("gets " + p[0].id() + " (read end): "), e.getMessage());
            assertTrue(e.getMessage().contains("of " + size + " bytes is longer than :max-frame (10 bytes); dropped " + size + " bytes"),
                    e.getMessage());
            assertEquals((long) size, e.data().get("dropped"));
            assertEquals(small(framing, 2), p[0].gets(), framing + " " + size);
            assertThrows(IpcException.class, p[0]::gets);
            assertThrows(IpcException.class, p[0]::gets);
            assertEquals(small(framing, 3), p[0].gets(), framing + " " + size);
            assertNull(p[0].gets());
            p[0].close();
        }
    }

    @Test
    void frameExactlyAtTheLimitPasses() {
        Channel[] p = PipeDriver.open();
        p[0].configure(Map.of("max-frame", 10L));
        p[1].puts("0123456789");
        assertEquals("0123456789", p[0].gets());
        p[0].close();
        p[1].close();
    }

    @Test
    void aLongLineStillArrivingIsDiscardedUpToItsNewline() {
        Channel[] p = PipeDriver.open();
        p[0].configure(Map.of("max-frame", 100L, "blocking", false));
        p[1].write("z".repeat(30_000));
        assertNull(p[0].gets());
        p[1].write("z".repeat(30_000));
        assertNull(p[0].gets());
        p[1].write("zz\nnext line\n");
        IpcException e = assertThrows(IpcException.class, p[0]::gets);
        assertTrue(e.getMessage().contains("line of 60002 bytes"), e.getMessage());
        assertEquals("next line", p[0].gets());
        assertNull(p[0].gets());
        p[0].close();
        p[1].close();
    }

    @Test
    void lengthPrefixedFrameFromPythonArrivingSlowlyIsSkippedWhole() {
        String py = "import struct,sys,time\nw=sys.stdout.buffer\n"
                + "w.write(struct.pack('>I',5)+b'first'); w.flush()\n"
                + "w.write(struct.pack('>I',200000)+b'a'*1000); w.flush(); time.sleep(0.2)\n"
                + "w.write(b'a'*199000+struct.pack('>I',4)+b'last'); w.flush()\n";
        Channel ch = ProcessDriver.spawn(List.of("python3", "-c", py), null, null,
                ProcessDriver.Stdio.NULL, ProcessDriver.Stdio.PIPE, ProcessDriver.Stdio.INHERIT);
        ch.configure(Map.of("framing", "u32be", "max-frame", 1000L, "timeout", 5000L));
        assertEquals("first", ch.gets());
        IpcException e = assertThrows(IpcException.class, ch::gets);
        assertTrue(e.getMessage().contains("u32be frame of 200000 bytes"), e.getMessage());
        assertEquals("last", ch.gets());
        assertNull(ch.gets());
        ch.close();
    }
}
