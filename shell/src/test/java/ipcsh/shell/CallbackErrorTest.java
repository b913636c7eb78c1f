package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Errors in callbacks and in JavaScript's Promises, as a script's user sees them: where it was
 * thrown, where the callback was registered, and an exit status that says something failed.
 */
@Timeout(120)
class CallbackErrorTest {
    private final Path dir;

    CallbackErrorTest() throws IOException {
        dir = Files.createTempDirectory("ipcsh-cb");
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private Path script(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static final String CLJ_TIMER = """
            (after 30
              (fn [] (throw (ex-info "timer boom" {}))))
            (after 300 #(println "still serving"))
            """;

    @Test
    void clojureTimerErrorShowsThrowAndRegistrationAndTheScriptEndsWithStatus1() throws IOException {
        Path f = script("timer.ipcs", CLJ_TIMER);
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status(), "a script whose callback failed must not exit 0");
        assertEquals("still serving\n", r.out(), "by default the script goes on serving");
        assertEquals("""
                error: after 30 ms callback failed: timer boom
                  at %1$s:2:3
                  2 |   (fn [] (throw (ex-info "timer boom" {}))))
                    |   ^
                  registered at %1$s:1:1
                  1 | (after 30
                    | ^
                """.formatted(f), r.err());
    }

    @Test
    void strictEndsTheScriptAtTheFirstCallbackError() throws IOException {
        Path f = script("timer.ipcs", CLJ_TIMER);
        Result r = IpcshProcess.run("--strict", f.toString());
        assertEquals(1, r.status());
        assertEquals("", r.out(), "--strict ends the script before the next timer");
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("error:")).count(), r.err());
    }

    @Test
    void clojureReadableHandlerErrorNamesTheChannelAndWhereItWasSet() throws IOException {
        Path f = script("readable.ipcs", """
                (let [[r w] (pipe)]
                  (puts w "a")
                  (on-readable r
                    (fn [ch] (gets ch) (/ 1 0))))
                """);
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("""
                error: on-readable callback of pipe1 (read end) failed: ArithmeticException: Divide by zero
                  at %1$s:4:5
                  4 |     (fn [ch] (gets ch) (/ 1 0))))
                    |     ^
                  registered at %1$s:3:3
                  3 |   (on-readable r
                    |   ^
                """.formatted(f), r.err());
    }

    @Test
    void jsTimerErrorShowsThrowAndRegistrationAndStatus1() throws IOException {
        Path f = script("timer.js", """
                setTimeout(() => {
                  throw new Error("timer boom");
                }, 30);
                setTimeout(() => console.log("still serving"), 300);
                """);
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("still serving\n", r.out());
        assertEquals("""
                error: after 30 ms callback failed: Error: timer boom
                  at %1$s:2:9
                  2 |   throw new Error("timer boom");
                    |         ^
                  registered at %1$s:1:1
                  1 | setTimeout(() => {
                    | ^
                """.formatted(f), r.err());
        Result strict = IpcshProcess.run("--strict", f.toString());
        assertEquals(1, strict.status());
        assertEquals("", strict.out());
    }

    @Test
    void jsReadableHandlerErrorShowsWhereOnReadableWasCalled() throws IOException {
        Path f = script("readable.js", """
                const [r, w] = ipc.pipe();
                w.puts("a");
                r.onReadable(() => { throw new Error("readable boom"); });
                """);
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("""
                error: on-readable callback of pipe1 (read end) failed: Error: readable boom
                  at %1$s:3:28
                  3 | r.onReadable(() => { throw new Error("readable boom"); });
                    |                            ^
                  registered at %1$s:3:1
                  3 | r.onReadable(() => { throw new Error("readable boom"); });
                    | ^
                """.formatted(f), r.err());
    }

    @Test
    void jsModuleThrowAfterAwaitingATimerIsTheScriptsErrorWithStatus1() throws IOException {
        for (String wait : new String[] {"await ipc.sleep(10);", "await null;", "await new Promise(r => setTimeout(r, 5));"}) {
            Path f = script("module.mjs", wait + " throw new Error(\"x\");\n");
            Result r = IpcshProcess.run(f.toString());
            assertEquals(1, r.status(), wait);
            int col = wait.length() + 8;
            assertEquals("""
                    error: Error: x
                      at %s:1:%d
                      1 | %s throw new Error("x");
                        | %s^
                    """.formatted(f, col, wait, " ".repeat(col - 1)), r.err(), wait);
        }
    }

    @Test
    void jsUnhandledRejectionAnywhereEndsTheScriptAtOnceWithStatus1() throws IOException {
        Path f = script("reject.js", """
                (async () => { await ipc.sleep(10); throw new Error("y"); })();
                new Promise(r => setTimeout(r, 20)).then(() => { throw new Error("z"); });
                setTimeout(() => console.log("not reached"), 500);
                """);
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("", r.out(), "an unhandled rejection ends the script as a top-level error does");
        assertEquals("""
                error: Error: y
                  at %1$s:1:43
                  1 | (async () => { await ipc.sleep(10); throw new Error("y"); })();
                    |                                           ^
                """.formatted(f), r.err());
        assertFalse(r.err().contains("callback failed"));
    }

    @Test
    void jsThrowInsideForAwaitOverAChannelIsTheScriptsError() throws IOException {
        Path f = script("lines.js", """
                const [r, w] = ipc.pipe();
                w.puts("a");
                (async () => { for await (const l of r.lines()) throw new Error("got " + l); })();
                """);
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("""
                error: Error: got a
                  at %1$s:3:55
                  3 | (async () => { for await (const l of r.lines()) throw new Error("got " + l); })();
                    |                                                       ^
                """.formatted(f), r.err());
    }

    @Test
    void caughtCallbackErrorsDoNotChangeTheStatus() throws IOException {
        Path f = script("fine.js", "setTimeout(() => { try { throw new Error('x'); } catch (e) { console.log('caught'); } }, 5);\n");
        Result r = IpcshProcess.run(f.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("caught\n", r.out());
    }

    @Test
    void callbackRegisteredInsideADefIsPlacedAtItsCall() throws Exception {
        Path sock = dir.resolve("s.sock");
        Path f = script("server.ipcs", """
                ;; a server that fails on its first client
                (def srv
                  (listen :unix "%s"
                    (fn [ch _]
                      (close srv)
                      (throw (ex-info "accept boom" {})))))
                """.formatted(sock));
        Process p = new ProcessBuilder(IpcshProcess.command(java.util.List.of(), f.toString())).start();
        try {
            // the shell may take seconds to start on a loaded machine: connect once it listens
            int connected = -1;
            for (int i = 0; i < 600 && connected != 0; i++) {
                Thread.sleep(50);
                if (Files.exists(sock)) connected = new ProcessBuilder("socat", "-u", "/dev/null", "UNIX-CONNECT:" + sock).start().waitFor();
            }
            assertEquals(0, connected, "socat could not connect");
            org.junit.jupiter.api.Assertions.assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(1, p.exitValue());
            String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals("""
                    error: accept callback of unix-server1 (%1$s) failed: accept boom
                      at %2$s:6:7
                      6 |       (throw (ex-info "accept boom" {})))))
                        |       ^
                      registered at %2$s:3:3
                      3 |   (listen :unix "%1$s"
                        |   ^
                    """.formatted(sock, f), err);
        } finally {
            p.destroyForcibly();
        }
    }
}
