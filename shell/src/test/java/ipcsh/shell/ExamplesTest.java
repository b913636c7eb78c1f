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

    /** Starts an example in the background and waits for the line that says it is ready. */
    private BufferedReader startAndAwait(String ready, String... args) throws IOException {
        Process p = IpcshProcess.start(args);
        started.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        readyLine = line;
        assertTrue(line != null && line.contains(ready), "expected '" + ready + "', got " + line + "; stderr: "
                + new String(p.getErrorStream().readNBytes(2000), StandardCharsets.UTF_8));
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
    void spawnTrUppercasesTheArguments() {
        Result r = IpcshProcess.run(example("spawn-tr.ipcs"), "pipes", "and", "fifos");
        assertEquals(new Result(0, "PIPES\nAND\nFIFOS\ntr exited with 0\n", ""), r);
    }

    @Test
    void echoServerEchoesForPythonClientsAndEndsAfterThem() throws Exception {
        BufferedReader out = startAndAwait("echoing on port", example("echo-server.ipcs"), "0", "3");
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
        assertEquals(null, out.readLine());
    }

    @Test
    void datagramLoggerPrintsWhatSocatSendsAndRemovesItsSocket() throws Exception {
        String sock = dir.resolve("log.sock").toString();
        BufferedReader out = startAndAwait("logging datagrams sent to " + sock, example("dgram-logger.ipcs"), sock);
        run("sh", "-c", "printf 'hello logger' | socat - UNIX-SENDTO:" + sock);
        String line = out.readLine();
        assertTrue(line.endsWith(" - hello logger"), line);
        run("sh", "-c", "printf stop | socat - UNIX-SENDTO:" + sock);
        assertEquals("stopping", out.readLine());
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
}
