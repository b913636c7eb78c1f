package ipcsh.lang.js;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same stories from JS and from Clojure against real peers: a second shell process on the
 * other end of a FIFO or unix socket, python3 clients of a JS server. The examples in
 * examples/js run as their own shell processes, as `ipcsh examples/js/producer.js ...` does
 * (a shell has one JS context, so two non-module scripts in one JVM would share globals); the
 * Clojure side and the socket client run in this JVM's shell.
 */
class JsPeerTest {
    private static final int MESSAGES = 100_000;

    @TempDir
    Path dir;

    private Path clj(String name, String code) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, code);
        return f;
    }

    @Test
    void jsProducerFeedsClojureConsumerThroughFifoNoneLostInOrder() throws Exception {
        Path fifo = dir.resolve("demo.fifo");
        Process producer = Shell.peer(Shell.examples().resolve("producer.js"), fifo.toString(), String.valueOf(MESSAGES));
        Shell.Run consumer = Shell.script(clj("consumer.ipcs", """
                (let [[path] *command-line-args*
                      r (fifo path :read)]
                  (loop [n 0 bad 0]
                    (if-let [line (gets r)]
                      (recur (inc n) (if (= line (str "message " n)) bad (inc bad)))
                      (do (close r) (println "clojure received" n "out of order" bad)))))
                """), fifo.toString());
        assertEquals("sent " + MESSAGES + " messages to " + fifo + "\n", Shell.finish(producer, 60));
        assertEquals("clojure received " + MESSAGES + " out of order 0\n", consumer.out(), consumer.err());
        assertEquals(0, consumer.status());
    }

    @Test
    void clojureProducerFeedsJsForAwaitConsumerThroughFifoNoneLostInOrder() throws Exception {
        Path fifo = dir.resolve("demo.fifo");
        Process consumer = Shell.peer(Shell.examples().resolve("consumer.js"), fifo.toString());
        Shell.Run producer = Shell.script(clj("producer.ipcs", """
                (let [[path n] *command-line-args*
                      w (fifo path :write {:buffering :full})]
                  (dotimes [i (parse-long n)] (puts w (str "message " i)))
                  (close w))
                """), fifo.toString(), String.valueOf(MESSAGES));
        assertEquals(0, producer.status(), producer.err());
        assertEquals("received " + MESSAGES + " messages, 0 out of order\n", Shell.finish(consumer, 60));
    }

    @Test
    void jsProducerFeedsClojureServerThroughUnixSocketNoneLostInOrder() throws Exception {
        Path sock = dir.resolve("s.sock");
        Process server = Shell.peer(clj("server.ipcs", """
                (let [[path] *command-line-args*]
                  (listen :unix path
                    (fn [ch _]
                      (loop [n 0 bad 0]
                        (if-let [line (gets ch)]
                          (recur (inc n) (if (= line (str "message " n)) bad (inc bad)))
                          (do (println "server received" n "out of order" bad) (exit 0)))))))
                """), sock.toString());
        Shell.Run client = Shell.js(dir, "client.js", """
                const [path, count] = ipc.args;
                let ch;
                for (let i = 0; !ch; i++) {
                  try { ch = ipc.connect('unix', path); } catch (e) { if (i > 400) throw e; await ipc.sleep(25); }
                }
                ch.configure({buffering: 'full'});
                for (let i = 0; i < Number(count); i++) ch.puts(`message ${i}`);
                ch.close();
                """, sock.toString(), String.valueOf(MESSAGES));
        assertEquals(0, client.status(), client.err());
        assertEquals("server received " + MESSAGES + " out of order 0\n", Shell.finish(server, 60));
    }

    @Test
    void jsEchoServerServesConcurrentPythonClientsWithForAwait() throws Exception {
        assumeTrue(Shell.hasPython(), "python3 is needed for the clients");
        Path sock = dir.resolve("echo.sock");
        Path client = dir.resolve("client.py");
        Files.writeString(client, """
                import socket, sys, time
                path, n, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
                deadline = time.time() + 30
                while True:
                    try:
                        s = socket.socket(socket.AF_UNIX); s.connect(path); break
                    except OSError:
                        if time.time() > deadline: raise
                        time.sleep(0.02)
                f = s.makefile("rwb")
                for i in range(n):
                    f.write(f"{tag} {i}\\n".encode()); f.flush()
                    got = f.readline().decode().rstrip("\\n")
                    assert got == f"{tag} {i}", (got, i)
                s.shutdown(socket.SHUT_WR)
                assert f.readline() == b""
                print(f"{tag} ok {n}")
                """);
        List<Process> clients = new ArrayList<>();
        for (String tag : List.of("a", "b", "c")) {
            clients.add(new ProcessBuilder("python3", client.toString(), sock.toString(), "300", tag)
                    .redirectErrorStream(true).start());
        }
        Process server = Shell.peer(Shell.examples().resolve("echo-server.js"), sock.toString(), "3");
        String[] lines = Shell.finish(server, 60).split("\n");
        assertEquals(4, lines.length, String.join("\n", lines));
        assertEquals("echoing on " + sock, lines[0]);
        for (int i = 1; i <= 3; i++) assertEquals("client " + i + " done: echoed 300 lines", lines[i]);
        List<String> tags = List.of("a", "b", "c");
        for (int i = 0; i < 3; i++) assertEquals(tags.get(i) + " ok 300\n", Shell.finish(clients.get(i), 30));
        assertFalse(Files.exists(sock), "the server removes its socket file when it closes");
    }

    @Test
    void exitEndsTheScriptWithItsStatusThroughCatchAndFromATimer() throws Exception {
        // in a peer: the engine's exit ends its context, as it ends the shell
        Path script = dir.resolve("exit.js");
        Files.writeString(script, """
                try { ipc.clj('(+ 1 (exit 5))'); } catch (e) { console.log('caught', e); }
                """);
        assertEquals("\n[exit 5]", Shell.finish(Shell.peer(script), 60));
        Files.writeString(script, """
                console.log('before');
                setTimeout(() => {
                  try { ipc.exit(3); } catch (e) { console.log('caught', e); }
                  console.log('never');
                }, 10);
                """);
        assertEquals("before\n\n[exit 3]", Shell.finish(Shell.peer(script), 60));
    }

    @Test
    void clojureOnlyRunLoadsNoPolyglotClass() throws Exception {
        Process p = Shell.peerWith(List.of("-Xlog:class+load=info"), java.util.Map.of(), clj("plain.ipcs", """
                (let [[r w] (pipe)]
                  (puts w "hello")
                  (println (gets r)))
                (gets 42)
                """));
        String out = Shell.finish(p, 60);
        assertTrue(out.contains("ipcsh.lang.clj.ClojureRuntime"), "the class log is there");
        assertTrue(out.contains("\nhello\n") && out.contains("error: gets: argument 1 must be a channel"), out);
        assertFalse(out.contains("org.graalvm") || out.contains("com.oracle.truffle"),
                "a polyglot class was loaded: " + out.lines().filter(l -> l.contains("graalvm") || l.contains("truffle")).findFirst().orElse(""));
    }

    @Test
    void jsScriptPrintsNothingButItsOwnOutputAndCachesUnderIpcshCacheDir() throws Exception {
        Path cache = dir.resolve("cache");
        Path script = dir.resolve("hello.js");
        Files.writeString(script, "console.log('hello', ipc.args[0]);\nconsole.error('to stderr');\n");
        Process p = Shell.peerWith(List.of(), java.util.Map.of("XDG_CACHE_HOME", cache.toString()), script, "x");
        assertEquals("hello x\nto stderr\n", Shell.finish(p, 60));
        assertTrue(Files.isDirectory(cache.resolve("ipcsh").resolve("truffle")), "Truffle's resource cache is ipcsh's");
    }
}
