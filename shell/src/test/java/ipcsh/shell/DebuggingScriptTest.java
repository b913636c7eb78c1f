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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The debugging builtins as scripts use them: in another process, from JavaScript, after bad input. */
@Timeout(90)
class DebuggingScriptTest {
    private final Path dir;

    DebuggingScriptTest() throws IOException {
        dir = Files.createTempDirectory("ipcsh-debugging");
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private Path script(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void fifoTapPutsTheOriginalBackWhenTheShellGetsSigterm() throws Exception {
        Path fifo = dir.resolve("app.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Object inode = Files.getAttribute(fifo, "unix:ino");
        Process cat = new ProcessBuilder("cat", fifo.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Process shell = null;
        try {
            Thread.sleep(200);
            Path f = script("tap.ipcs", "(def t (fifo-tap \"" + fifo + "\" {:log false}))\n(println \"tapping\")\n(flush)\n");
            shell = IpcshProcess.start(f.toString());
            Process sh = shell;
            String line = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertEquals("tapping", line, () -> "stderr: " + err(sh));
            assertTrue(!inode.equals(Files.getAttribute(fifo, "unix:ino")), "the tap's FIFO is in place");
            shell.destroy(); // SIGTERM
            assertTrue(shell.waitFor(20, TimeUnit.SECONDS));
            assertEquals(inode, Files.getAttribute(fifo, "unix:ino"), "the original FIFO is back");
            try (var s = Files.list(dir)) {
                assertEquals(0, s.filter(p -> p.getFileName().toString().contains("ipcsh-tap")).count());
            }
        } finally {
            if (shell != null) shell.destroyForcibly();
            cat.destroyForcibly();
        }
    }

    private static String err(Process p) {
        try {
            return new String(p.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** A python3 server on a unix socket that answers each line with "echo: " and the line. */
    private Process pythonEcho(Path sock) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", """
                import socket, sys, threading
                s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
                print("ready", flush=True)
                def serve(c):
                    f = c.makefile("rwb")
                    for line in f:
                        f.write(b"echo: " + line); f.flush()
                    c.close()
                while True:
                    c, _ = s.accept()
                    threading.Thread(target=serve, args=(c,), daemon=True).start()
                """, sock.toString()).redirectErrorStream(true).start();
        assertEquals("ready", new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine());
        return p;
    }

    @Test
    void aScriptTalksThroughItsOwnTapWithBlockingGets() throws Exception {
        Path target = dir.resolve("echo.sock"), listen = dir.resolve("tap.sock"), log = dir.resolve("tap.log");
        Process echo = pythonEcho(target);
        try {
            // the relay must not need the interpreter thread, which waits in gets
            Path f = script("self-tap.ipcs", """
                    (def seen (atom []))
                    (def t (tap {:listen "%s" :to "%s" :log "%s" :on-chunk (fn [m] (swap! seen conj (:dir m)))}))
                    (def c (connect :unix "%s"))
                    (dotimes [i 200]
                      (puts c (str "line " i))
                      (let [r (gets c)]
                        (when-not (= r (str "echo: line " i)) (println "wrong:" r) (exit 3))))
                    (println "200 round trips")
                    (close c)
                    (after 300 (fn [] (println "chunks" (count (filter #{:c->s} @seen)) (count (filter #{:s->c} @seen)) (>= (count @seen) 2))
                                      (close t)))
                    """.formatted(listen, target, log, listen));
            Result r = IpcshProcess.run(f.toString());
            assertEquals(0, r.status(), r.err());
            String[] lines = r.out().split("\n");
            assertEquals("200 round trips", lines[0], r.out() + r.err());
            assertTrue(lines[1].startsWith("chunks ") && lines[1].endsWith(" true"), r.out());
            String text = Files.readString(log);
            assertTrue(text.contains("c->s") && text.contains("line 199") && text.contains("echo: line 199"), text);
        } finally {
            echo.destroyForcibly();
        }
    }

    @Test
    void aScriptTapsSocatOverTcpAndReadsThroughItFromJavaScript() throws Exception {
        // socat echoes every byte back; the JS form blocks in gets while the reactor relays
        try (var probe = new java.net.ServerSocket(0)) {
            int port = probe.getLocalPort();
            probe.close();
            Process socat = new ProcessBuilder("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork", "EXEC:cat").start();
            try {
                for (int i = 0; i < 100; i++) {
                    try (var s = new java.net.Socket("127.0.0.1", port)) {
                        break;
                    } catch (IOException e) {
                        Thread.sleep(50);
                    }
                }
                Path f = script("self-tap.js", """
                        const t = ipc.tap({listen: "%s", to: ["127.0.0.1", %d], log: false});
                        const c = ipc.connect("unix", "%s");
                        ipc.puts(c, "through the tap");
                        console.log(ipc.gets(c));
                        ipc.close(c);
                        ipc.close(t);
                        """.formatted(dir.resolve("js-tap.sock"), port, dir.resolve("js-tap.sock")));
                Result r = IpcshProcess.run(f.toString());
                assertEquals(0, r.status(), r.err());
                assertEquals("through the tap\n", r.out(), r.err());
            } finally {
                socat.destroyForcibly();
            }
        }
    }

    @Test
    void badInputGivesOneLineErrorsAndTheScriptGoesOn() throws IOException {
        String nobody = dir.resolve("nobody.sock").toString();
        Path f = script("bad.ipcs", """
                (defn try-it [f] (try (f) (catch Exception e (println (ex-message e)))))
                (try-it #(tap {:listen "%s" :to "%s"}))
                (try-it #(tap {:listen "%s" :to "%s"}))
                (try-it #(hexdump nil))
                (println "still here")
                """.formatted(dir.resolve("t.sock"), nobody, dir, dir));
        Result r = IpcshProcess.run(f.toString());
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(4, lines.length, r.out());
        assertEquals("tap: target \"" + nobody + "\": No such file or directory (ENOENT): nothing listens there", lines[0]);
        assertEquals("tap: target \"" + dir + "\": is a directory, not a socket", lines[1]);
        assertTrue(lines[2].startsWith("hexdump: argument 1 must be a string or bytes, not nil"), lines[2]);
        assertEquals("still here", lines[3]);
    }

    @Test
    void javascriptFindsWhoHoldsAFifoAndHexdumps() throws Exception {
        Path fifo = dir.resolve("js.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Process holder = new ProcessBuilder("sh", "-c", "exec 3<>" + fifo + "; exec sleep 30").start();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            Path f = script("who.js", """
                    const [path, pid] = ipc.args;
                    let rows = [];
                    for (let i = 0; i < 100 && rows.length === 0; i++) { rows = ipc.whoHas(path); ipc.sleep(50); }
                    console.log(rows.length, rows[0].pid === Number(pid), rows[0].mode);
                    ipc.hexdump("hi\\n");
                    try { ipc.whoHas(path + ".missing"); } catch (e) { console.log(e.message); }
                    """);
            Result r = IpcshProcess.run(f.toString(), fifo.toString(), String.valueOf(holder.pid()));
            assertTrue(System.nanoTime() < deadline + 60_000_000_000L);
            assertEquals(0, r.status(), r.err());
            assertEquals("1 true rw\n00000000: 6869 0a                                  hi.\n"
                    + "who-has \"" + fifo + ".missing\": No such file or directory (ENOENT)\n", r.out());
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void holdersShowAnIpcshAsIpcshScriptArgsAndSocketsFiltersByCommand() throws Exception {
        Path redisSock = dir.resolve("redis.sock"), ipcshSock = dir.resolve("held.sock"), fifo = dir.resolve("held.fifo");
        String q = "/ipcsh-holders-" + ProcessHandle.current().pid();
        Process redis = new ProcessBuilder("redis-server", "--port", "0", "--unixsocket", redisSock.toString(), "--save", "",
                "--appendonly", "no").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path held = script("holder.ipcs", "(def s (listen :unix \"" + ipcshSock + "\" (fn [c _] (close c))))\n"
                + "(def f (fifo \"" + fifo + "\" :rw))\n(def q (mq \"" + q + "\" {:create true :temp true}))\n"
                + "(println \"ready\")\n(flush)\n");
        Process holder = IpcshProcess.start(held.toString(), "first-arg");
        try {
            assertEquals("ready", new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine(),
                    () -> "stderr: " + err(holder));
            for (int i = 0; i < 500 && !Files.exists(redisSock); i++) Thread.sleep(10);
            String expected = "ipcsh " + held + " first-arg";
            Result r = IpcshProcess.run("-e", """
                    (defn cmds [rows k] (set (map :command (mapcat k rows))))
                    (prn (cmds (sockets {:path "%1$s"}) :owners))
                    (prn (set (map :command (who-has "%1$s"))))
                    (prn (set (map :command (who-has "%2$s"))))
                    (prn (cmds (fifos "%3$s") :holders))
                    (prn (cmds (ipcs {:name "%4$s"}) :holders))
                    (prn (map :path (sockets {:command "redis-server" :kind :unix})))
                    (prn (map :path (sockets {:command "%5$s" :kind :unix :listening true})))
                    (prn (sockets {:command "no such program anywhere"}))
                    """.formatted(ipcshSock, redisSock, dir, q, held));
            assertEquals(0, r.status(), r.err());
            List<String> lines = r.out().lines().toList();
            assertEquals("#{\"" + expected + "\"}", lines.get(0));
            assertEquals("#{\"" + expected + "\"}", lines.get(1));
            assertTrue(lines.get(2).matches("#\\{\"[^\"]*redis-server[^\"]*\"}"), lines.get(2));
            assertEquals("#{\"" + expected + "\"}", lines.get(3));
            assertEquals("#{\"" + expected + "\"}", lines.get(4));
            assertEquals("(\"" + redisSock + "\")", lines.get(5));
            assertEquals("(\"" + ipcshSock + "\")", lines.get(6));
            assertEquals("[]", lines.get(7));
        } finally {
            holder.destroy();
            holder.waitFor(20, TimeUnit.SECONDS);
            redis.destroy();
            redis.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
