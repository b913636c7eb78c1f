package ipcsh.shell.repl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ctrl-C, typed in a real terminal (tmux), breaks a wait for a file lock and for a robust mutex. */
class LockTerminalTest {
    private static final long START = 20_000, EVAL = 10_000;
    private static final String PROMPT = "ipcsh>";

    @TempDir
    Path home;
    private TmuxPane pane;

    @AfterEach
    void stop() {
        if (pane != null) pane.close();
    }

    private List<String> enter(String line, String... then) {
        pane.awaitLast(EVAL, PROMPT);
        pane.line(line);
        String[] seq = new String[then.length + 1];
        seq[0] = "ipcsh> " + line;
        System.arraycopy(then, 0, seq, 1, then.length);
        return pane.awaitLines(EVAL, seq);
    }

    private void interrupted(String prefix, String suffix) {
        pane.key("C-c");
        List<String> sc = pane.await("the interrupted error and a prompt", EVAL,
                l -> l.getLast().equals(PROMPT) && l.stream().anyMatch(x -> x.contains("interrupted")));
        assertTrue(sc.stream().anyMatch(l -> l.startsWith(prefix) && l.endsWith(suffix)), prefix + "…" + suffix + " in\n" + String.join("\n", sc));
        pane.key("C-l");
    }

    @Test
    void ctrlCBreaksALockWaitAndAMutexWait() throws Exception {
        String lk = home.resolve("job.lock").toString(), name = "/ipcsh-t-" + ProcessHandle.current().pid() + "-lockrepl";
        String peer = home.resolve("mutex_peer").toString();
        Process cc = new ProcessBuilder("gcc", "-O2", "-o", peer,
                ipcshRepo().resolve("shell/src/test/c/mutex_peer.c").toString(), "-lrt", "-pthread").inheritIO().start();
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, cc.exitValue());
        pane = new TmuxPane(home);
        pane.awaitLast(START, PROMPT);
        enter("(def a (lock \"" + lk + "\"))", "#'user/a", PROMPT);
        pane.line("(do (println \"waiting\") (lock \"" + lk + "\"))");
        pane.awaitLast(EVAL, "waiting");
        interrupted("error: lock \"" + lk + "\" (held by pid ", " (this shell)): interrupted");
        enter("(unlock a)", "true", PROMPT);

        enter("(def s (shm \"" + name + "\" {:create true :size 4096 :temp true}))", "#'user/s", PROMPT);
        enter("(def m (mutex s 0))", "#'user/m", PROMPT);
        // detached: a session of its own, so the terminal's Ctrl-C does not kill the holder (that would free the mutex)
        enter("(def p (spawn [\"" + peer + "\" \"" + name + "\" \"hold\"] {:detach true}))", "#'user/p", PROMPT);
        enter("(gets p)", "\"held\"", PROMPT);
        pane.line("(do (println \"waiting\") (lock-mutex m))");
        pane.awaitLast(EVAL, "waiting");
        interrupted("error: lock-mutex #<mutex " + name + " @0>: interrupted", "");
        enter("(do (signal p :kill) (wait p) :gone)", ":gone", PROMPT);
        enter("(lock-mutex m)", "{:owner-died true}", PROMPT);
    }

    private static Path ipcshRepo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !java.nio.file.Files.isDirectory(p.resolve("examples"))) p = p.getParent();
        return p;
    }
}
