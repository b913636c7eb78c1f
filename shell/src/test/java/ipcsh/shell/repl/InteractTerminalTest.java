package ipcsh.shell.repl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** interact in the REPL: the user's terminal talks to a pty child until Ctrl-] or its end. */
@Timeout(120)
class InteractTerminalTest {
    private static final long START = 20_000, EVAL = 10_000;
    private static final String PROMPT = "ipcsh>";

    @TempDir
    Path home;
    private TmuxPane pane;

    @BeforeEach
    void start() throws Exception {
        pane = new TmuxPane(home);
        pane.awaitLast(START, PROMPT);
    }

    @AfterEach
    void stop() {
        if (pane != null) pane.close();
    }

    @Test
    void keysGoToTheChildUntilCtrlBracketThenUntilItExits() {
        pane.line("(def sh (spawn [\"sh\"] {:pty true :env {\"PS1\" \"child$ \"}}))");
        pane.awaitLines(EVAL, "#'user/sh", PROMPT);
        pane.line("(interact sh)");
        pane.awaitLast(EVAL, "child$");
        pane.line("echo hi-$((40+2))");
        pane.awaitLines(EVAL, "hi-42", "child$");
        pane.key("C-]");
        pane.awaitLines(EVAL, ":escape", PROMPT);
        pane.line("(+ 1 2)");
        pane.awaitLines(EVAL, "3", PROMPT);
        pane.line("(interact sh)");
        pane.line("exit");
        pane.awaitLines(EVAL, ":eof", PROMPT);
    }
}
