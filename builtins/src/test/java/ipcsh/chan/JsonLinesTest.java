package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.drivers.PipeDriver;
import ipcsh.chan.drivers.ProcessDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** :json-lines through Jackson: limits that name the channel, exact numbers, only JSON data written. */
@Timeout(30)
class JsonLinesTest {
    private static Channel[] jsonPipe() {
        Channel[] p = PipeDriver.open();
        p[0].configure(Map.of("framing", "json-lines", "timeout", 5000L));
        p[1].configure(Map.of("framing", "json-lines"));
        return p;
    }

    private static void close(Channel[] p) {
        p[0].close();
        p[1].close();
    }

    @Test
    void nestingDeeperThanMaxDepthFromPythonIsAClearErrorAndTheNextLineReads() {
        Channel ch = ProcessDriver.spawn(List.of("python3", "-c",
                        "import sys\nsys.stdout.write('['*100000+']'*100000+'\\n'+'[['*30+']]'*30+'\\n{\"ok\": true}\\n')"),
                null, null, ProcessDriver.Stdio.NULL, ProcessDriver.Stdio.PIPE, ProcessDriver.Stdio.INHERIT);
        ch.configure(Map.of("framing", "json-lines", "timeout", 5000L));
        IpcException e = assertThrows(IpcException.class, ch::gets);
        assertEquals("gets " + ch.describe() + ": JSON nested deeper than :max-depth (1000 levels)", e.getMessage());
        ch.configure(Map.of("max-depth", 50L));
        e = assertThrows(IpcException.class, ch::gets);
        assertTrue(e.getMessage().endsWith("JSON nested deeper than :max-depth (50 levels)"), e.getMessage());
        assertEquals(Map.of("ok", true), ch.gets());
        ch.close();
    }

    @Test
    void maxDepthIsAChannelOptionAndBoundsWritesToo() {
        Channel[] p = jsonPipe();
        assertEquals(1000L, p[1].configure("max-depth"));
        p[1].configure(Map.of("max-depth", 3L));
        p[1].puts(List.of(List.of(List.of(1L))));
        IpcException e = assertThrows(IpcException.class, () -> p[1].puts(List.of(List.of(List.of(List.of(1L))))));
        assertTrue(e.getMessage().startsWith("puts " + p[1].describe() + ": JSON nested deeper than :max-depth (3"), e.getMessage());
        assertEquals(List.of(List.of(List.of(1L))), p[0].gets());
        close(p);
    }

    @Test
    void bigNumbersKeepTheirDigitsBothWays() {
        Channel[] p = jsonPipe();
        p[1].write("[123456789012345678901234567890, 3.14159265358979323846264338327950288, 0.1, 42, -7, 1e400]\n");
        List<?> v = (List<?>) p[0].gets();
        assertEquals(new BigInteger("123456789012345678901234567890"), v.get(0));
        assertEquals(new BigDecimal("3.14159265358979323846264338327950288"), v.get(1));
        assertEquals(0.1, v.get(2));
        assertEquals(42L, v.get(3));
        assertEquals(-7L, v.get(4));
        assertEquals(0, new BigDecimal("1e400").compareTo((BigDecimal) v.get(5)));
        p[1].puts(v.subList(0, 5));
        assertEquals(v.subList(0, 5), p[0].gets());
        close(p);
    }

    @Test
    void invalidUtf8IsAnErrorNamingTheChannelAndLoneSurrogatesAreKept() {
        Channel[] p = jsonPipe();
        p[1].write(new byte[] {'"', (byte) 0xff, (byte) 0xfe, '"', '\n'});
        p[1].write("\"\\ud800\"\n");
        IpcException e = assertThrows(IpcException.class, p[0]::gets);
        assertTrue(e.getMessage().startsWith("gets " + p[0].describe() + ": malformed JSON at column"), e.getMessage());
        assertTrue(e.getMessage().contains("Invalid UTF-8"), e.getMessage());
        assertEquals("\ud800", p[0].gets());
        p[1].puts("\ud800");
        p[0].configure(Map.of("framing", "lines"));
        assertEquals("\"\\uD800\"", p[0].gets(), "written as the escape, not as broken UTF-8");
        close(p);
    }

    @Test
    void onlyJsonDataIsWrittenAnythingElseIsAnError() {
        Channel[] p = jsonPipe();
        for (Object bad : List.of(new Object(), new Date(), Map.of("when", new Date()), List.of(1L, Thread.currentThread()),
                new byte[] {1, 2}, Map.of(5L, "numeric key"))) {
            IpcException e = assertThrows(IpcException.class, () -> p[1].puts(bad), String.valueOf(bad));
            assertTrue(e.getMessage().startsWith("puts " + p[1].describe() + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("has no JSON form"), e.getMessage());
        }
        for (double d : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            IpcException e = assertThrows(IpcException.class, () -> p[1].puts(d));
            assertEquals("puts " + p[1].describe() + ": JSON has no " + d + " (only finite numbers)", e.getMessage());
        }
        p[1].puts(Map.of("k", Keyword.of("v"), "s", Set.of(1L), "n", List.of(true, "x")));
        assertEquals(Map.of("k", "v", "s", List.of(1L), "n", List.of(true, "x")), p[0].gets());
        p[1].puts(null);
        p[1].close();
        assertEquals(null, p[0].gets());
        p[0].close();
    }

    @Test
    void malformedJsonSaysWhereAndTheNextLineReads() {
        Channel[] p = jsonPipe();
        p[1].write("{\"a\": }\n1 2\n\"fine\"\n".getBytes(StandardCharsets.UTF_8));
        IpcException e = assertThrows(IpcException.class, p[0]::gets);
        assertTrue(e.getMessage().startsWith("gets " + p[0].describe() + ": malformed JSON at column 7"), e.getMessage());
        e = assertThrows(IpcException.class, p[0]::gets);
        assertTrue(e.getMessage().contains("trailing characters"), e.getMessage());
        assertEquals("fine", p[0].gets());
        close(p);
    }
}
