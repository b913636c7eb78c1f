package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every script in examples/ runs as the README says, against real peers. */
class ExamplesTest {
    private final Path dir;
    private final List<Process> started = new ArrayList<>();
    private String readyLine;

    ExamplesTest() throws IOException {
        dir = Files.createTempDirectory("ipcsh-examples");
    }

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String example(String name) {
        return IpcshProcess.repo().resolve("examples").resolve(name).toString();
    }

    /** An example's output, line by line, with bounded waits (a stuck example fails the test, it never hangs it). */
    private static final class Lines {
        private final java.util.concurrent.BlockingQueue<String> queue = new java.util.concurrent.LinkedBlockingQueue<>();
        private final Process process;
        private static final String EOF = new String("<eof>");

        Lines(Process process) {
            this.process = process;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) queue.add(l);
                } catch (IOException ignored) {
                    // process killed
                }
                queue.add(EOF);
            });
            t.setDaemon(true);
            t.start();
        }

        /** The next line, or null at end of output; fails after 20 s, showing the example's stderr. */
        String next() throws InterruptedException, IOException {
            String l = queue.poll(20, TimeUnit.SECONDS);
            if (l == null) {
                process.destroyForcibly();
                throw new AssertionError("no output from the example in 20 s; its stderr: "
                        + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            return l == EOF ? null : l;
        }
    }

    /** Starts an example in the background and waits for the line that says it is ready. */
    private Lines startAndAwait(String ready, String... args) throws IOException, InterruptedException {
        Process p = IpcshProcess.start(args);
        started.add(p);
        Lines out = new Lines(p);
        String line = out.next();
        readyLine = line;
        assertTrue(line != null && line.contains(ready), "expected '" + ready + "', got " + line);
        return out;
    }

    private static int finish(Process p) throws InterruptedException {
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "example did not end by itself");
        return p.exitValue();
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    @Test
    void helloFifoReadsWhatShWrites() {
        String fifo = dir.resolve("hello.fifo").toString();
        Result r = IpcshProcess.run(example("hello-fifo.ipcs"), fifo);
        assertEquals(new Result(0, "read: hello from sh\nread: and goodbye\n", ""), r);
        assertFalse(Files.exists(Path.of(fifo)));
    }

    @Test
    void mqJobsTwoWorkersTakeUrgentJobsFirst() throws Exception {
        String q = "/ipcsh-t-" + ProcessHandle.current().pid() + "-jobs";
        Lines producer = startAndAwait("queued 6 jobs for two workers", example("mq-jobs.ipcs"), q);
        Process p = started.get(0);
        Process w1 = IpcshProcess.start(example("mq-worker.ipcs"), q, "1");
        Process w2 = IpcshProcess.start(example("mq-worker.ipcs"), q, "2");
        started.add(w1);
        started.add(w2);
        assertEquals("done: page on-call, resize photo.jpg, restart db, rotate logs, send newsletter, thumbnail video",
                producer.next());
        assertEquals("each worker took the urgent jobs first: true", producer.next());
        assertEquals(null, producer.next());
        assertEquals(0, finish(p));
        for (Process w : List.of(w1, w2)) {
            assertEquals(0, finish(w), new String(w.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            String out = new String(w.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(out.contains(" ready\n"), out);
        }
        assertFalse(Files.exists(Path.of("/dev/mqueue" + q)));
        assertFalse(Files.exists(Path.of("/dev/mqueue" + q + "-done")));
    }

    @Test
    void spawnTrUppercasesTheArguments() {
        Result r = IpcshProcess.run(example("spawn-tr.ipcs"), "pipes", "and", "fifos");
        assertEquals(new Result(0, "PIPES\nAND\nFIFOS\ntr exited with 0\n", ""), r);
    }

    @Test
    void echoServerEchoesForPythonClientsAndEndsAfterThem() throws Exception {
        Lines out = startAndAwait("echoing on port", example("echo-server.ipcs"), "0", "3");
        Process server = started.get(0);
        String port = readyLine.substring(readyLine.lastIndexOf(' ') + 1);
        String py = """
                import socket, sys, threading
                port = int(sys.argv[1]); bad = []
                def client(n):
                    s = socket.create_connection(("127.0.0.1", port))
                    f = s.makefile("rwb")
                    for i in range(500):
                        msg = f"client {n} line {i}".encode()
                        f.write(msg + b"\\n"); f.flush()
                        if f.readline().rstrip(b"\\n") != msg: bad.append((n, i))
                    s.close()
                ts = [threading.Thread(target=client, args=(n,)) for n in range(3)]
                [t.start() for t in ts]; [t.join() for t in ts]
                print("bad", len(bad))
                """;
        assertEquals("bad 0\n", run("python3", "-c", py, port));
        assertEquals(0, finish(server));
        assertEquals(null, out.next());
    }

    @Test
    void echoServerServesTwoHundredConcurrentClientsOfAThousandLinesEach() throws Exception {
        startAndAwait("echoing on port", example("echo-server.ipcs"), "0", "200");
        Process server = started.get(0);
        String port = readyLine.substring(readyLine.lastIndexOf(' ') + 1);
        // Every client connects first, then all send at once: 200 connections live together.
        String py = """
                import socket, sys, threading, random
                port = int(sys.argv[1]); bad = []; barrier = threading.Barrier(200)
                def client(n):
                    rnd = random.Random(n)
                    lines = [bytes(rnd.randrange(32, 127) for _ in range(rnd.randrange(1, 120))) for _ in range(1000)]
                    s = socket.create_connection(("127.0.0.1", port))
                    barrier.wait()
                    payload = b"".join(l + b"\\n" for l in lines)
                    threading.Thread(target=s.sendall, args=(payload,)).start()
                    got = b""
                    while len(got) < len(payload):
                        chunk = s.recv(65536)
                        if not chunk: break
                        got += chunk
                    if got != payload: bad.append(n)
                    s.close()
                ts = [threading.Thread(target=client, args=(n,)) for n in range(200)]
                [t.start() for t in ts]; [t.join() for t in ts]
                print("clients 200 bad", len(bad))
                """;
        assertEquals("clients 200 bad 0\n", run("python3", "-c", py, port));
        assertEquals(0, finish(server), "the script ends by itself once its server is closed");
    }

    @Test
    void datagramLoggerPrintsWhatSocatSendsAndRemovesItsSocket() throws Exception {
        String sock = dir.resolve("log.sock").toString();
        Lines out = startAndAwait("logging datagrams sent to " + sock, example("dgram-logger.ipcs"), sock);
        run("sh", "-c", "printf 'hello logger' | socat - UNIX-SENDTO:" + sock);
        String line = out.next();
        assertTrue(line.endsWith(" - hello logger"), line);
        run("sh", "-c", "printf stop | socat - UNIX-SENDTO:" + sock);
        assertEquals("stopping", out.next());
        assertEquals(0, finish(started.get(0)));
        assertFalse(Files.exists(Path.of(sock)), "socket file left behind");
    }

    @Test
    void jsProducerFeedsJsConsumerThroughAFifo() throws Exception {
        String fifo = dir.resolve("demo.fifo").toString();
        run("mkfifo", fifo);
        Process consumer = IpcshProcess.start(example("js/consumer.js"), fifo);
        started.add(consumer);
        Result producer = IpcshProcess.run(example("js/producer.js"), fifo, "20000");
        assertEquals(0, producer.status(), producer.err());
        assertEquals("sent 20000 messages to " + fifo + "\n", producer.out());
        assertEquals(0, finish(consumer));
        assertEquals("received 20000 messages, 0 out of order\n",
                new String(consumer.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void jsEchoServerServesPythonClients() throws Exception {
        String sock = dir.resolve("echo.sock").toString();
        startAndAwait("echoing on " + sock, example("js/echo-server.js"), sock, "2");
        String py = """
                import socket, sys
                for n in range(2):
                    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rwb")
                    for i in range(100):
                        f.write(b"line %d\\n" % i); f.flush()
                        assert f.readline() == b"line %d\\n" % i
                    s.close()
                print("ok")
                """;
        assertEquals("ok\n", run("python3", "-c", py, sock));
        assertEquals(0, finish(started.get(0)));
    }

    @Test
    void pythonDialogueDrivesPython3OnAPty() {
        Result r = IpcshProcess.run(example("python-dialogue.ipcs"), "6*7", "sum(range(10))");
        assertEquals(new Result(0, "6*7 = 42\nsum(range(10)) = 45\npython3 exited with 0\n", ""), r);
    }

    @Test
    void supervisorRestartsACrashingChildAndForwardsSigterm() throws Exception {
        Path count = dir.resolve("runs");
        String child = "n=$(cat " + count + " 2>/dev/null || echo 0); echo $((n+1)) > " + count + "; "
                + "if [ $n -lt 2 ]; then echo crash $n; exit 3; fi; "
                + "trap 'echo child got TERM; exit 0' TERM; echo child running; while :; do sleep 0.1; done";
        Process supervisor = IpcshProcess.start(example("supervisor.ipcs"), "5", "sh", "-c", child);
        started.add(supervisor);
        Lines out = new Lines(supervisor);
        // The child writes to the same stdout: its lines and the supervisor's may interleave either way.
        List<String> seen = new ArrayList<>();
        for (String l = out.next(); !"child running".equals(l); l = out.next()) {
            assertTrue(l != null, "output ended early: " + seen);
            seen.add(l.replaceAll("\\d{2,}", "N"));
        }
        assertEquals(List.of("crash 0", "crash 1", "supervisor: child N ended with 3", "supervisor: child N ended with 3",
                "supervisor: started N", "supervisor: started N", "supervisor: started N"), seen.stream().sorted().toList());
        String third = new ProcessBuilder("pgrep", "-P", String.valueOf(supervisor.pid())).start().inputReader().readLine();
        run("kill", "-TERM", String.valueOf(supervisor.pid()));
        assertEquals("supervisor: got :TERM - forwarding it to " + third, out.next());
        assertEquals("child got TERM", out.next());
        assertTrue(out.next().matches("supervisor: child \\d+ ended with 0"));
        assertEquals("supervisor: stopped", out.next());
        assertEquals(0, finish(supervisor));

        Result gaveUp = IpcshProcess.run(example("supervisor.ipcs"), "1", "sh", "-c", "exit 4");
        assertEquals(1, gaveUp.status(), gaveUp.err());
        assertTrue(gaveUp.out().endsWith("supervisor: giving up after 1 restarts\n"), gaveUp.out());
    }

    @Test
    void sendStdinTalksToASocatServerAsSocatsDashWould() throws Exception {
        Path sock = dir.resolve("up.sock");
        Process socat = new ProcessBuilder("socat", "UNIX-LISTEN:" + sock, "EXEC:tr a-z A-Z").start();
        started.add(socat);
        IpcshProcess.awaitListening(sock);
        Result r = IpcshProcess.runWith(List.of(), "hello\nworld\n", example("send-stdin.ipcs"), sock.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("HELLO\nWORLD\n", r.out());
    }

    @Test
    void waitForSocketWaitsForSocatThenTalksToIt() throws Exception {
        Path sock = dir.resolve("svc.sock");
        Process p = IpcshProcess.start(example("wait-for-socket.ipcs"), sock.toString(), "30000");
        started.add(p);
        p.getOutputStream().write("hello\nworld\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        Thread.sleep(500); // the example is waiting by now (or will find the socket there: either way it must talk)
        assertFalse(Files.exists(sock));
        Process socat = new ProcessBuilder("socat", "UNIX-LISTEN:" + sock, "EXEC:tr a-z A-Z").start();
        started.add(socat);
        assertEquals(0, finish(p), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals("HELLO\nWORLD\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void waitForSocketFailsAfterItsTimeoutWhenNoServiceComes() {
        Result r = IpcshProcess.runWith(List.of(), "", example("wait-for-socket.ipcs"), dir.resolve("none.sock").toString(), "300");
        assertEquals(1, r.status(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("wait-for-path " + dir.resolve("none.sock") + ": timed out after 300 ms"), r.err());
    }

    @Test
    void tapCountCountsRedisRequestsByType() throws Exception {
        String service = dir.resolve("redis.sock").toString(), listen = dir.resolve("tap.sock").toString();
        Process redis = new ProcessBuilder("redis-server", "--port", "0", "--unixsocket", service, "--save", "",
                "--appendonly", "no").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(redis);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(Path.of(service)) && System.nanoTime() < deadline) Thread.sleep(20);
        Lines out = startAndAwait("tapping " + service + " at " + listen, example("tap-count.ipcs"), service, listen, "3");
        assertEquals("OK\n", run("redis-cli", "-s", listen, "set", "k", "v"));
        assertEquals("v\n", run("redis-cli", "-s", listen, "get", "k"));
        assertEquals("OK\n", run("redis-cli", "-s", listen, "set", "k", "w"));
        assertEquals("GET 1", out.next());
        assertEquals("SET 2", out.next());
        assertEquals(0, finish(started.get(1)));
        assertFalse(Files.exists(Path.of(listen)), "the tap's socket file is removed");
    }

    @Test
    void whoHoldsFifoNamesTheWriterAndDumpsWhatItSays() throws Exception {
        String fifo = dir.resolve("app.fifo").toString();
        Path go = dir.resolve("go");
        run("mkfifo", fifo);
        // the writer holds the FIFO open (read-write, so its open does not wait) and talks once the example reads
        Process writer = new ProcessBuilder("sh", "-c", "exec 3<>" + fifo + "; echo ready; while [ ! -e " + go
                + " ]; do sleep 0.05; done; printf 'hello from sh\\n' >&3; sleep 0.3; printf 'bye\\n' >&3").start();
        started.add(writer);
        assertEquals("ready", new BufferedReader(new InputStreamReader(writer.getInputStream())).readLine());
        Lines out = startAndAwait("held by " + writer.pid() + " :rw sh -c exec 3<>" + fifo, example("who-holds-fifo.ipcs"), fifo);
        Process example = started.get(1);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!holds(example.pid(), fifo)) {
            assertTrue(System.nanoTime() < deadline, "the example never opened the FIFO");
            Thread.sleep(20);
        }
        Files.createFile(go);
        String line;
        while ((line = out.next()) != null && line.startsWith("held by")) {
            // the writer's children (sleep) hold it too
        }
        assertEquals("hello from sh\\n", line);
        assertEquals("bye\\n", out.next());
        assertEquals(null, out.next());
        assertEquals(0, finish(example));
    }

    private static boolean holds(long pid, String path) {
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.anyMatch(f -> {
                try {
                    return Files.readSymbolicLink(f).toString().equals(path);
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }
}
