package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signals to and from whole ipcsh processes: default endings, traps, permissions, errors as users see them. */
@Timeout(120)
class SignalScriptTest {
    private final Path dir = tempDir();

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ipcsh-signal");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Starts a script and waits for its "ready" line. */
    private Process startReady(String text) throws Exception {
        Path f = dir.resolve("s.ipcs");
        Files.writeString(f, text + "\n(println \"ready\")\n(flush)\n");
        Process p = IpcshProcess.start(f.toString());
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        assertEquals("ready", line, () -> "stderr: " + new String(readAll(p), StandardCharsets.UTF_8));
        return p;
    }

    /** SIGTERM as kill(1) sends it (Process.destroy would also close our ends of its streams). */
    private static void term(Process p) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).start().waitFor());
    }

    private static byte[] readAll(Process p) {
        try {
            return p.getErrorStream().readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    @Test
    void sigtermEndsAScriptWith143AndRemovesItsTempFifoAndSocketFile() throws Exception {
        String fifo = dir.resolve("own.fifo").toString(), sock = dir.resolve("own.sock").toString();
        Path theirs = dir.resolve("theirs.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", theirs.toString()).start().waitFor());
        Process p = startReady("(def f (fifo \"" + fifo + "\" :rw {:temp true}))\n"
                + "(def t (fifo \"" + theirs + "\" :rw))\n"
                + "(def s (listen :unix \"" + sock + "\" (fn [c _] (close c))))");
        assertTrue(Files.exists(Path.of(fifo)) && Files.exists(Path.of(sock)));
        term(p);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue());
        assertFalse(Files.exists(Path.of(fifo)), "the FIFO ipcsh made with :temp is removed");
        assertFalse(Files.exists(Path.of(sock)), "the socket file is removed");
        assertTrue(Files.exists(theirs), "a FIFO someone else made stays");
    }

    @Test
    void aTrappedTermRunsTheTrapInstead() throws Exception {
        Process p = startReady("(trap :TERM (fn [m] (println \"caught\" (:signal m)) (exit 3)))");
        term(p);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(3, p.exitValue());
        assertEquals("caught :TERM\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aTermTrapThatDoesNotExitKeepsTheScriptRunning() throws Exception {
        Process p = startReady("(trap :TERM (fn [m] (println \"caught\" (:signal m)) (flush)))\n"
                + "(trap :USR1 (fn [_] (trap :TERM :default) (println \"default\") (flush)))");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        term(p);
        assertEquals("caught :TERM", out.readLine());
        term(p);
        assertEquals("caught :TERM", out.readLine());
        assertFalse(p.waitFor(300, TimeUnit.MILLISECONDS), "still running after two TERMs");
        assertEquals(0, new ProcessBuilder("kill", "-USR1", String.valueOf(p.pid())).start().waitFor());
        assertEquals("default", out.readLine());
        term(p); // the JVM's handler is back: clean up and exit 143
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue());
    }

    @Test
    void hupIgnoredThenDefaultEndsTheScriptWith129() throws Exception {
        // "ready" comes only if the ignored HUP did not end it
        Process p = startReady("(trap :HUP :ignore)\n(kill (pid) :HUP)\n(wait-for (constantly false) {:timeout 200})\n"
                + "(trap :HUP :default)\n(trap :USR1 #())");
        assertEquals(0, new ProcessBuilder("kill", "-HUP", String.valueOf(p.pid())).start().waitFor());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(129, p.exitValue());
    }

    @Test
    void aTrapNamesTheBashThatSentTheSignal() {
        Result r = IpcshProcess.run("-e", "(def got (promise))"
                + " (trap :USR1 #(deliver got %))"
                + " (def sender (parse-long (clojure.string/trim (:out (exec \"bash\" \"-c\" \"echo $$; kill -USR1 $PPID\")))))"
                + " (wait-for #(realized? got) {:timeout 10000})"
                + " (println (= sender (:pid @got)) (:uid @got) (:signal @got))"
                + " (trap :USR1 :default)");
        assertEquals(0, r.status(), r.err());
        assertEquals("true " + uid() + " :USR1\n", r.out());
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void signallingAnotherUsersProcessWithoutCapKillIsEperm() throws Exception {
        Process nobody = new ProcessBuilder("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "sleep", "60").start();
        try {
            long pid = nobody.pid();
            Result r = IpcshProcess.runWith(List.of("setpriv", "--bounding-set=-kill", "--inh-caps=-all"), null,
                    "-e", "(println (kill " + pid + " 0)) (kill " + pid + " :TERM)");
            assertEquals(1, r.status(), r.err());
            assertEquals("true\n", r.out());
            assertTrue(r.err().startsWith("error: kill \"pid " + pid + " SIGTERM\": Operation not permitted (EPERM)\n"), r.err());
            assertTrue(nobody.isAlive());
        } finally {
            nobody.destroyForcibly();
            nobody.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void badSignalInputIsOneLineAndTheScriptCanGoOn() {
        Result r = IpcshProcess.run("-e", "(try (trap :SEGV #()) (catch Exception e (println (ex-message e))))"
                + " (try (kill (pid) :NOPE) (catch Exception e (println (ex-message e))))"
                + " (try (spawn \"no-such-program-h9\") (catch Exception e (println (ex-message e))))"
                + " (println :alive)");
        assertEquals(0, r.status(), r.err());
        assertEquals("""
                trap: cannot trap SIGSEGV: the JVM uses SIGSEGV for its own faults (null checks, stack banging)
                kill: unknown signal :NOPE (see (signals))
                spawn: no such program "no-such-program-h9" in PATH
                :alive
                """, r.out());
    }

    @Test
    void anInvalidRegexIsAOneLineError() {
        Result r = IpcshProcess.run("-e", "(expect (spawn \"cat\") (re-pattern \"[a-\"))");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("error: invalid regex \"[a-\": Illegal character range at index 3\n  at <expr>:1:"), r.err());
    }

    @Test
    void killRefusesToSendTheShellItselfASignalTheJvmReserves() {
        // under setsid the shell leads its own process group, so {:group true} reaches it too
        Result r = IpcshProcess.runWith(List.of("setsid", "-w"), null, "-e",
                "(doseq [f [#(kill (pid) :USR2) #(kill (pid) :SEGV) #(kill (pid) :QUIT {:group true})]]"
                        + " (println (try (f) (catch Exception e (ex-message e)))))"
                        + " (println (kill (pid) 0))");
        assertEquals(0, r.status(), r.err());
        assertEquals("""
                kill: will not send SIGUSR2 to the shell itself: the JVM uses SIGUSR2 to suspend and resume threads (JFR's sampling) (trap refuses it too; see (signals))
                kill: will not send SIGSEGV to the shell itself: the JVM uses SIGSEGV for its own faults (null checks, stack banging) (trap refuses it too; see (signals))
                kill: will not send SIGQUIT to the shell's own process group: the shell uses SIGQUIT (Ctrl-\\) to print what keeps it alive, as (pending) lists it (trap refuses it too; see (signals))
                true
                """, r.out());
        assertFalse((r.out() + r.err()).contains("stray"), r.err());
    }
}
