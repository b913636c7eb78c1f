package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.drivers.PipeDriver;
import ipcsh.chan.drivers.ProcessDriver;
import ipcsh.chan.drivers.ProcessDriver.Stdio;
import ipcsh.os.OsException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessTest {
    private static Channel spawn(String... argv) {
        return ProcessDriver.spawn(List.of(argv), null, null, Stdio.PIPE, Stdio.PIPE, Stdio.INHERIT);
    }

    @Test
    void catEchoesWhatIsWritten() {
        Channel cat = spawn("cat");
        cat.puts("ping");
        assertEquals("ping", cat.gets());
        cat.close("write");
        assertNull(cat.gets());
        cat.close();
    }

    @Test
    void trTransformsItsInput() {
        Channel tr = spawn("tr", "a-z", "A-Z");
        tr.puts("shout");
        tr.close("write");
        assertEquals("SHOUT", tr.gets());
        tr.close();
    }

    @Test
    void failingExitStatusSurfacesOnClose() {
        Channel sh = spawn("sh", "-c", "exit 3");
        IpcException e = assertThrows(IpcException.class, sh::close);
        assertTrue(e.getMessage().endsWith("(sh -c exit 3) exited with status 3"), e.getMessage());
        assertEquals(3L, e.data().get("exit"));
    }

    @Test
    void waitReturnsTheStatusWithoutClosing() {
        Channel sh = spawn("sh", "-c", "echo done; exit 7");
        assertEquals(7, ((ProcessDriver) sh.driver()).waitFor(10_000));
        assertEquals("done", sh.gets());
        assertThrows(IpcException.class, sh::close);
    }

    @Test
    void killedProcessReportsTheSignal() {
        Channel sh = spawn("sh", "-c", "kill -9 $$");
        IpcException e = assertThrows(IpcException.class, sh::close);
        assertTrue(e.getMessage().contains("killed by signal 9 (SIGKILL)"), e.getMessage());
    }

    @Test
    void tenMegabytesThroughCatWithoutLossOrDeadlock() {
        Channel cat = spawn("cat");
        cat.configure(Map.of("encoding", Keyword.of("binary"), "blocking", false));
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.length; i++) chunk[i] = (byte) (i * 31 + 7);
        int total = 10 * 1024 * 1024;
        int sent = 0;
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        // interleave writes and reads so neither pipe fills up: what a user's copy loop does
        while (sent < total) {
            cat.write(chunk);
            sent += chunk.length;
            Object b;
            while ((b = cat.read(1 << 20)) != null && ((byte[]) b).length > 0) got.writeBytes((byte[]) b);
        }
        cat.close("write");
        cat.configure(Map.of("blocking", true));
        got.writeBytes((byte[]) cat.read(-1));
        cat.close();
        assertEquals(total, got.size());
        byte[] all = got.toByteArray();
        for (int off = 0; off < total; off += chunk.length) {
            assertArrayEquals(chunk, java.util.Arrays.copyOfRange(all, off, off + chunk.length));
        }
    }

    @Test
    void processWritingTenMegabytesIsReadCompletely() {
        Channel p = spawn("sh", "-c", "head -c 10485760 /dev/zero");
        p.configure(Map.of("encoding", Keyword.of("binary")));
        assertEquals(10 * 1024 * 1024, ((byte[]) p.read(-1)).length);
        p.close();
    }

    @Test
    void stderrCanBeMergedIntoStdout() {
        Channel p = ProcessDriver.spawn(List.of("sh", "-c", "echo out; echo err >&2"), null, null,
                Stdio.NULL, Stdio.PIPE, Stdio.MERGE);
        assertEquals("out\nerr\n", p.read(-1));
        p.close();
    }

    @Test
    void stderrCanGoToAnotherChannel() {
        Channel[] pipe = PipeDriver.open();
        Channel p = ProcessDriver.spawn(List.of("sh", "-c", "echo oops >&2"), null, null,
                Stdio.NULL, Stdio.PIPE, Stdio.of(pipe[1], "stderr"));
        p.close();
        pipe[1].close();
        assertEquals("oops", pipe[0].gets());
        pipe[0].close();
    }

    @Test
    void environmentAndDirectoryAreApplied() {
        Channel p = ProcessDriver.spawn(List.of("sh", "-c", "echo $GREETING; pwd"), Map.of("GREETING", "hi"), "/tmp",
                Stdio.NULL, Stdio.PIPE, Stdio.INHERIT);
        assertEquals("hi", p.gets());
        assertEquals("/tmp", p.gets());
        p.close();
    }

    @Test
    void childrenDoNotInheritOtherChannels() {
        Channel[] pipe = PipeDriver.open();
        Channel p = spawn("sh", "-c", "ls /proc/self/fd | wc -l");
        // 0,1,2 and the fd ls itself opens to read the directory: nothing of ours leaked
        assertEquals("4", ((String) p.gets()).trim());
        p.close();
        pipe[0].close();
        pipe[1].close();
    }

    @Test
    void blockingBinaryReadWaitsForAllRequestedBytesAcrossBursts() {
        Channel p = spawn("sh", "-c", "head -c 70000 /dev/zero; sleep 0.2; head -c 30000 /dev/zero; sleep 0.2; printf tail");
        p.configure(Map.of("encoding", Keyword.of("binary")));
        assertEquals(100_000, ((byte[]) p.read(100_000)).length);
        assertArrayEquals("tail".getBytes(), (byte[]) p.read(100_000));
        assertArrayEquals(new byte[0], (byte[]) p.read(100_000));
        assertTrue(p.eof());
        p.close();
    }

    @Test
    void missingWorkingDirectoryIsNamedWithErrnoNotTheProgram() {
        OsException e = assertThrows(OsException.class, () -> ProcessDriver.spawn(List.of("sh"), null,
                "/nonexistent-dir-" + ProcessHandle.current().pid(), Stdio.PIPE, Stdio.PIPE, Stdio.INHERIT));
        assertEquals("spawn :dir \"/nonexistent-dir-" + ProcessHandle.current().pid()
                + "\": No such file or directory (ENOENT)", e.getMessage());
        OsException notDir = assertThrows(OsException.class, () -> ProcessDriver.spawn(List.of("sh"), null,
                "/etc/passwd", Stdio.PIPE, Stdio.PIPE, Stdio.INHERIT));
        assertEquals("spawn :dir \"/etc/passwd\": Not a directory (ENOTDIR)", notDir.getMessage());
    }

    @Test
    void missingProgramIsNamedAsSuch() {
        IpcException e = assertThrows(IpcException.class, () -> spawn("no-such-program-here", "x"));
        assertEquals("spawn: no such program \"no-such-program-here\" in PATH", e.getMessage());
        assertEquals("ENOENT", e.data().get("errno"));
        IpcException rel = assertThrows(IpcException.class, () -> spawn("./no-such-program-here"));
        assertEquals("spawn: no such program \"./no-such-program-here\"", rel.getMessage());
    }
}
