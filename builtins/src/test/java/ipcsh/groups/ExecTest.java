package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.TimeoutError;
import ipcsh.testing.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** exec and pipeline against coreutils, sh and python3. */
@Timeout(120)
class ExecTest {
    @Test
    void execCollectsStatusStdoutAndStderr() {
        Map<?, ?> r = (Map<?, ?>) call("exec", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(Map.of("exit", 3L, "out", "out\n", "err", "err\n"), r);
    }

    @Test
    void execFeedsStdinFromIn() {
        Map<?, ?> r = (Map<?, ?>) call("exec", List.of("tr", "a-z", "A-Z"), opts("in", "shout"));
        assertEquals("SHOUT", r.get("out"));
        assertEquals(0L, r.get("exit"));
        assertEquals("", ((Map<?, ?>) call("exec", "cat")).get("out")); // stdin is /dev/null without :in
    }

    @Test
    void aSignalEndingTheProgramIsReported() {
        Map<?, ?> r = (Map<?, ?>) call("exec", "sh", "-c", "kill -TERM $$");
        assertEquals(143L, r.get("exit"));
        assertEquals(kw("TERM"), r.get("signal"));
    }

    @Test
    void pipelineReportsEveryStagesStatusWithAFailingMiddleStage() {
        Map<?, ?> r = (Map<?, ?>) call("pipeline", List.of("printf", "a\\nb\\na\\n"), List.of("sh", "-c", "grep a; exit 5"),
                List.of("wc", "-l"));
        assertEquals(List.of(0L, 5L, 0L), r.get("statuses"));
        assertEquals(0L, r.get("exit"));
        assertEquals("2", ((String) r.get("out")).strip());
    }

    @Test
    void tenMegabytesGoThroughThreeStages() {
        byte[] in = new byte[10 * 1024 * 1024];
        for (int i = 0; i < in.length; i++) in[i] = (byte) ('a' + i % 26);
        Map<?, ?> r = (Map<?, ?>) call("pipeline", List.of("cat"), List.of("tr", "a-z", "A-Z"), List.of("cat"),
                opts("in", in, "binary", true));
        assertEquals(List.of(0L, 0L, 0L), r.get("statuses"));
        byte[] out = (byte[]) r.get("out");
        assertEquals(in.length, out.length);
        for (int i = 0; i < in.length; i++) in[i] = (byte) ('A' + i % 26);
        assertArrayEquals(in, out);
    }

    @Test
    void aTimeoutKillsTheStagesAndLeavesNoDescriptors() {
        int before = Peer.openFds();
        TimeoutError e = assertThrows(TimeoutError.class, () -> call("pipeline", List.of("sleep", "30"), List.of("cat"),
                opts("timeout", 300L)));
        assertEquals("pipeline [sleep 30, cat]: timed out after 300 ms", e.getMessage());
        assertEquals(before, Peer.openFds());
    }

    @Test
    void badInputIsAOneLineError() {
        assertEquals("exec: no such program \"no-such-program-h9\" in PATH",
                assertThrows(IpcException.class, () -> call("exec", "no-such-program-h9")).getMessage());
        assertEquals("exec: option :in must be a string or bytes, not the number 3",
                assertThrows(IpcException.class, () -> call("exec", List.of("cat"), opts("in", 3L))).getMessage());
        assertTrue(assertThrows(IpcException.class, () -> call("pipeline", List.of("cat"), "wc")).getMessage()
                .startsWith("pipeline: argument 2 must be a command vector [cmd arg…], not the string \"wc\""));
    }

    @Test
    void aPipelineWithAMissingProgramOrDirectoryRunsNoStageAndSaysWhich() throws Exception {
        try (ipcsh.testing.TempDir d = new ipcsh.testing.TempDir()) {
            String ran = d.file("ran");
            IpcException e = assertThrows(IpcException.class,
                    () -> call("pipeline", List.of("touch", ran), List.of("no-such-program-p7")));
            assertEquals("pipeline: no such program \"no-such-program-p7\" in PATH", e.getMessage());
            IpcException dir = assertThrows(IpcException.class,
                    () -> call("pipeline", List.of("touch", ran), List.of("cat"), opts("dir", d.file("none"))));
            assertEquals("pipeline :dir \"" + d.file("none") + "\": No such file or directory (ENOENT)", dir.getMessage());
            IpcException exec = assertThrows(IpcException.class, () -> call("exec", "./no-such-program-p7"));
            assertEquals("exec: no such program \"./no-such-program-p7\"", exec.getMessage());
            Thread.sleep(200);
            assertTrue(!java.nio.file.Files.exists(java.nio.file.Path.of(ran)), "the first stage ran");
        }
    }
}
