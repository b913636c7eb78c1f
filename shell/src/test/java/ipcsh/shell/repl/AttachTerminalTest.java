package ipcsh.shell.repl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** ipcsh --attach through a real terminal (tmux), against a running script. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AttachTerminalTest {
    private static final long START = 20_000, EVAL = 10_000;

    @TempDir
    Path home;
    private TmuxPane pane;
    private Process script;

    @AfterEach
    void stop() {
        if (pane != null) pane.close();
        if (script != null) script.destroyForcibly();
    }

    @Test
    void attachedEditorEvaluatesCompletesInterruptsAndDetachesWhileTheScriptGoesOn() throws Exception {
        Path repl = home.resolve("app.repl");
        Path src = home.resolve("app.ipcs");
        Files.writeString(src, """
                (def ticks (atom 0))
                (def pipe-ends (pipe))
                (defn remote-only-helper [] :here)
                (every 100 #(swap! ticks inc))
                (repl-server "%s")
                """.formatted(repl));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        script = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "ipcsh.shell.Main", src.toString()).redirectErrorStream(true)
                .redirectOutput(home.resolve("script.out").toFile()).start();
        for (int i = 0; i < 1500 && !Files.exists(repl); i++) Thread.sleep(20);
        assertTrue(Files.exists(repl), "the script did not serve " + repl);

        pane = new TmuxPane(home, "--attach", repl.toString());
        pane.awaitLast(START, "user=>");
        pane.line("(pos? @ticks)");
        pane.awaitLines(EVAL, "user=> (pos? @ticks)", "true", "user=>");

        pane.type("(remote-only").key("Tab");
        pane.await("completion of a name only the script has", EVAL, s -> s.getLast().startsWith("user=> (remote-only-helper"));
        pane.type(")").key("Enter");
        pane.awaitLines(EVAL, ":here", "user=>");

        pane.line("(gets (first pipe-ends))");
        Thread.sleep(500);
        pane.key("C-c");
        List<String> s = pane.await("the remote gets interrupted", EVAL,
                l -> l.stream().anyMatch(x -> x.startsWith("error:") && x.contains("interrupted")));
        pane.awaitLast(EVAL, "user=>");
        pane.line("(pos? @ticks)");
        pane.awaitLines(EVAL, "user=> (pos? @ticks)", "true", "user=>");

        pane.key("C-d");
        pane.awaitLines(EVAL, ";; detached; the shell goes on");
        Thread.sleep(300);
        assertTrue(script.isAlive(), "the script ended with the session: " + s);
        assertTrue(Files.exists(repl));
    }
}
