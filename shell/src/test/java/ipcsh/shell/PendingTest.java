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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Why a script does not end: (pending) as data, and the same report on SIGQUIT while the script goes on. */
@Timeout(90)
class PendingTest {
    private final Path dir;

    PendingTest() throws IOException {
        dir = Files.createTempDirectory("ipcsh-pending");
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Starts the script, waits for its "ready" line, sends SIGQUIT until the report is on stderr; returns it. */
    static List<String> quitReport(Process shell, String last) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
        List<String> err = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(shell.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) err.add(l);
            } catch (IOException ignored) {
                // the shell ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        assertEquals("ready", out.readLine(), () -> String.join("\n", err));
        // the shell takes SIGQUIT over on a thread of its own just after start-up: knock until it answers
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (err.stream().noneMatch(l -> l.contains(last)) && System.nanoTime() < deadline) {
            new ProcessBuilder("kill", "-QUIT", String.valueOf(shell.pid())).start().waitFor();
            Thread.sleep(500);
        }
        return new ArrayList<>(err);
    }

    @Test
    void sigquitListsTimerHandlerAndChildWithWhereTheyWereMadeAndTheScriptGoesOn() throws Exception {
        Path f = Files.writeString(dir.resolve("alive.ipcs"), """
                (def ch (spawn ["sleep" "30"]))
                (on-readable ch (fn [c] (gets c)))
                (every 200 (fn [] nil))
                (println "ready")
                (flush)
                """);
        Process shell = IpcshProcess.start(f.toString());
        try {
            List<String> err = quitReport(shell, "interpreter:");
            String text = String.join("\n", err);
            assertTrue(err.stream().anyMatch(l -> l.matches("ipcsh " + shell.pid() + ": kept alive by")), text);
            assertTrue(err.stream().anyMatch(l -> l.matches("  on-readable +process\\d+ \\(sleep 30\\) +" + f + ":2:1")), text);
            assertTrue(err.stream().anyMatch(l -> l.matches("  timer +every 200 ms +" + f + ":3:1")), text);
            assertTrue(err.stream().anyMatch(l -> l.matches("  child +sleep 30 \\(pid \\d+\\) +" + f + ":1:9")), text);
            assertTrue(err.stream().anyMatch(l -> l.equals("  interpreter: serving events")), text);
            assertTrue(err.stream().noneMatch(l -> l.contains("Full thread dump")), text);
            Thread.sleep(300);
            assertTrue(shell.isAlive(), "the script goes on after SIGQUIT");
        } finally {
            shell.destroyForcibly();
            shell.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigquitNamesTheBlockedWaitThatKeepsAServerOfTheSameScriptFromAnswering() throws Exception {
        // one interpreter thread: the accept callback cannot run while the top level waits in gets
        Path sock = dir.resolve("s.sock");
        Path f = Files.writeString(dir.resolve("stuck.ipcs"), """
                (listen :unix "%s" (fn [c peer] (puts c "hi")))
                (def c (connect :unix "%s"))
                (println "ready")
                (flush)
                (gets c)
                """.formatted(sock, sock));
        Process shell = IpcshProcess.start(f.toString());
        try {
            // "ready" comes just before (gets c) waits: knock until the report shows the wait
            List<String> err = quitReport(shell, "interpreter: blocked");
            String text = String.join("\n", err);
            assertTrue(err.stream().anyMatch(l -> l.matches("  server +.*" + sock + ".* +" + f + ":1:1")), text);
            assertTrue(err.stream().anyMatch(l -> l.equals("  interpreter: blocked in a wait at " + f + ":5:1 (callbacks cannot run until it returns)")), text);
        } finally {
            shell.destroyForcibly();
            shell.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void pendingIsDataInClojure() throws IOException {
        Path f = Files.writeString(dir.resolve("data.ipcs"), """
                (def t (after 10000 (fn [] nil)))
                (def ch (spawn ["sleep" "30"]))
                (prn (mapv (juxt :kind :what :at) (pending)))
                (cancel t)
                (close ch)
                (wait ch)
                (prn (pending))
                """);
        Result r = IpcshProcess.run(f.toString());
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].matches("\\[\\[:timer \"after 10000 ms\" \"" + f + ":1:8\"] \\[:child \"sleep 30 \\(pid \\d+\\)\" \"" + f + ":2:9\"]]"), lines[0]);
        assertEquals("[]", lines[1]);
    }

    @Test
    void pendingIsDataInJavaScript() throws IOException {
        Path f = Files.writeString(dir.resolve("data.js"), """
                const t = setInterval(() => {}, 1000);
                console.log(JSON.stringify(ipc.pending()));
                clearInterval(t);
                console.log(JSON.stringify(ipc.pending()));
                """);
        Result r = IpcshProcess.run(f.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("[{\"kind\":\"timer\",\"what\":\"every 1000 ms\",\"at\":\"" + f + ":1:11\"}]\n[]\n", r.out());
    }
}
