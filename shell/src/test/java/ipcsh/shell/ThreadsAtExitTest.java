package ipcsh.shell;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shell's threads that wait in native calls end when it exits. HotSpot's exit waits up to
 * 300 ms for a thread still inside native code: with the SIGQUIT reader in poll(2), every run
 * longer than its 200 ms start ended 300 ms late. The JVM's own thread log (-Xlog:os+thread)
 * says which threads ended.
 */
@Timeout(120)
class ThreadsAtExitTest {
    @TempDir
    Path dir;

    @Test
    void theSigquitReaderTheReactorAndAReplServersAcceptorEndWhenAScriptExits() throws Exception {
        Path log = dir.resolve("threads.log");
        Path sock = dir.resolve("r.sock");
        Path f = Files.writeString(dir.resolve("waits.ipcs"), """
                (def server (repl-server "%s"))
                (def p (pipe))
                (on-readable (first p) (fn [] nil))
                (println "ready")
                (flush)
                (read-line)
                (exit 0)
                """.formatted(sock));
        Process shell = new ProcessBuilder(IpcshProcess.command(
                List.of("env", "JAVA_TOOL_OPTIONS=-Xlog:os+thread=info:file=" + log), f.toString()))
                .directory(IpcshProcess.repo().toFile()).start();
        try {
            // once SIGQUIT gets the shell's report, its reader waits in poll(2)
            List<String> err = PendingTest.quitReport(shell, "interpreter:");
            assertTrue(err.stream().anyMatch(l -> l.contains("kept alive by")), String.join("\n", err));
            shell.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            shell.getOutputStream().flush();
            assertTrue(shell.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, shell.exitValue());
        } finally {
            shell.destroyForcibly();
        }
        String threads = Files.readString(log);
        for (String name : List.of("ipcsh-sigquit", "ipcsh-reactor", "repl-server")) {
            assertTrue(threads.lines().anyMatch(l -> l.contains("JavaThread exiting (name: \"" + name)),
                    name + " did not end at exit:\n" + threads);
        }
        assertTrue(Files.notExists(sock), "the repl-server's socket is removed at exit");
    }
}
