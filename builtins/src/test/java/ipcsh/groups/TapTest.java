package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.debug.FifoTap;
import ipcsh.debug.Tap;
import ipcsh.loop.EventLoop;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kill;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.loopUntil;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tap and fifo-tap between real programs whose traffic the test does not control. */
@Timeout(120)
class TapTest {
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final TempDir dir = new TempDir();

    @BeforeEach
    void collectErrors() {
        EventLoop.main().onError(errors::add);
    }

    @AfterEach
    void cleanUp() {
        dir.close();
        assertEquals(List.of(), errors);
    }

    /** Runs a client process while the loop serves the tap; returns its output. */
    private static String runClient(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        assertTrue(loopUntil(() -> !p.isAlive(), 60_000), "client " + String.join(" ", cmd) + " did not finish");
        reader.join(5000);
        return out.toString();
    }

    @Test
    void tapsRedisOnItsUnixSocketBothWaysAndHandsRespFramesToOnChunk() throws Exception {
        String target = dir.file("redis.sock"), listen = dir.file("tap.sock"), log = dir.file("tap.log");
        Process redis = T.start("redis-server", "--port", "0", "--unixsocket", target, "--save", "", "--appendonly", "no");
        List<Map<String, Object>> chunks = new CopyOnWriteArrayList<>();
        try {
            T.awaitUnix(target);
            Tap t = (Tap) call("tap", opts("listen", listen, "to", target, "log", log,
                    "on-chunk", T.fn(x -> chunks.add((Map<String, Object>) x[0]))));
            assertEquals("OK\n", runClient("redis-cli", "-s", listen, "SET", "greeting", "hello"));
            assertEquals("hello\n", runClient("redis-cli", "-s", listen, "GET", "greeting"));
            assertTrue(loopUntil(() -> chunks.size() >= 4, 5000));
            call("close", t);
            assertFalse(Files.exists(Path.of(listen)), "the tap's socket file is removed");
            String text = Files.readString(Path.of(log));
            assertTrue(text.contains("#1 c->s"), text);
            assertTrue(text.contains("#1 s->c 5 bytes\n  +OK\\r\\n"), text);
            assertTrue(text.contains("#2 s->c"), text);
            assertTrue(text.contains("  GET\\r\\n"), text);
            Map<String, Object> first = chunks.get(0);
            assertEquals(1L, first.get("conn"));
            assertEquals(kw("c->s"), first.get("dir"));
            assertTrue(((String) first.get("data")).startsWith("*3\r\n$3\r\nSET\r\n"), String.valueOf(first.get("data")));
            assertTrue(chunks.stream().anyMatch(c -> c.get("dir").equals(kw("s->c")) && "$5\r\nhello\r\n".equals(c.get("data"))));
        } finally {
            kill(redis);
        }
    }

    @Test
    void framedLogCutsRespIntoLines() throws Exception {
        String target = dir.file("redis.sock"), listen = dir.file("tap.sock");
        Process redis = T.start("redis-server", "--port", "0", "--unixsocket", target, "--save", "", "--appendonly", "no");
        List<Object> lines = new CopyOnWriteArrayList<>();
        try {
            T.awaitUnix(target);
            Tap t = (Tap) call("tap", opts("listen", listen, "to", target, "log", false, "format", kw("lines"),
                    "on-chunk", T.fn(x -> lines.add(((Map<?, ?>) x[0]).get("data")))));
            assertEquals("PONG\n", runClient("redis-cli", "-s", listen, "PING"));
            assertTrue(loopUntil(() -> lines.size() >= 3, 5000));
            call("close", t);
            assertEquals(List.of("*1", "$4", "PING", "+PONG"), lines); // :auto ends a line at its CR LF, as gets does
        } finally {
            kill(redis);
        }
    }

    @Test
    void fiftyMegabytesOverHttpArriveIntactWithHexLogToFile() throws Exception {
        Path www = dir.path.resolve("www");
        Files.createDirectories(www);
        byte[] body = new byte[50 * 1024 * 1024];
        new java.util.Random(7).nextBytes(body);
        Files.write(www.resolve("big.bin"), body);
        int port = T.freePort();
        Process http = T.start("python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", www.toString(),
                String.valueOf(port));
        String log = dir.file("hex.log");
        try {
            T.awaitTcpListener(port);
            Tap t = (Tap) call("tap", opts("listen", 0L, "to", List.of("127.0.0.1", (long) port), "format", kw("hex"), "log", log));
            long tapPort = (Long) ((List<?>) t.address()).get(1);
            String out = dir.file("got.bin");
            runClient("curl", "-sS", "-o", out, "http://127.0.0.1:" + tapPort + "/big.bin");
            call("close", t);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            assertEquals(HexFormat.of().formatHex(sha.digest(body)),
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(Path.of(out)))));
            // every byte of the response is in the log: the last line's offset is past 50 MiB
            String head;
            try (var lines = Files.lines(Path.of(log))) {
                head = lines.limit(3).reduce("", (a, b) -> a + b + "\n");
            }
            assertTrue(head.contains("c->s") && head.contains("00000000: 4745 5420 2f62 6967 2e62 696e"), head);
            assertTrue(Files.size(Path.of(log)) > 4L * body.length, "hex log holds every byte");
        } finally {
            kill(http);
        }
    }

    @Test
    void tappingAPathNobodyListensOnIsAClearError() {
        String target = dir.file("nobody.sock");
        IpcException e = assertThrows(IpcException.class, () -> call("tap", opts("listen", dir.file("t.sock"), "to", target)));
        assertTrue(e.getMessage().startsWith("tap: target \"" + target + "\": No such file"), e.getMessage());
        e = assertThrows(IpcException.class, () -> call("tap", opts("listen", dir.file("t.sock"), "to", dir.path.toString())));
        assertTrue(e.getMessage().contains("is a directory, not a socket"), e.getMessage());
        assertFalse(Files.exists(Path.of(dir.file("t.sock"))));
    }

    @Test
    void listenPathInUseOrADirectoryIsAClearError() throws Exception {
        String target = dir.file("srv.sock"), busy = dir.file("busy.sock");
        Process a = T.start("socat", "UNIX-LISTEN:" + target + ",fork", "EXEC:cat");
        Process b = T.start("socat", "UNIX-LISTEN:" + busy + ",fork", "EXEC:cat");
        try {
            T.awaitUnix(target);
            T.awaitUnix(busy);
            IpcException e = assertThrows(IpcException.class, () -> call("tap", opts("listen", busy, "to", target)));
            assertTrue(e.getMessage().startsWith("tap: listen \"" + busy + "\""), e.getMessage());
            assertTrue(e.getMessage().contains("EADDRINUSE"), e.getMessage());
            e = assertThrows(IpcException.class, () -> call("tap", opts("listen", dir.path.toString(), "to", target)));
            assertTrue(e.getMessage().contains("is not a socket (it is a directory)"), e.getMessage());
        } finally {
            kill(a);
            kill(b);
        }
    }

    @Test
    void fifoTapRelaysFromShWriterToCatReaderAndPutsTheOriginalBack() throws Exception {
        Path fifo = dir.path.resolve("app.fifo");
        call("mkfifo", fifo.toString());
        Object inode = Files.getAttribute(fifo, "unix:ino");
        Path got = dir.path.resolve("got.txt");
        Process cat = new ProcessBuilder("cat", fifo.toString()).redirectOutput(got.toFile()).start();
        List<Object> seen = new CopyOnWriteArrayList<>();
        String log = dir.file("fifo.log");
        try {
            Thread.sleep(200); // cat waits in open(2)
            FifoTap t = (FifoTap) call("fifo-tap", fifo.toString(), opts("log", log,
                    "on-chunk", T.fn(x -> seen.add(((Map<?, ?>) x[0]).get("data")))));
            assertFalse(inode.equals(Files.getAttribute(fifo, "unix:ino")), "a new FIFO is in the original's place");
            runClient("sh", "-c", "printf 'one\\ntwo\\n' > " + fifo);
            assertTrue(loopUntil(() -> !seen.isEmpty(), 5000));
            call("close", t);
            assertTrue(cat.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "cat sees end of stream when the tap closes");
            assertEquals("one\ntwo\n", Files.readString(got));
            assertEquals(List.of("one\ntwo\n"), seen);
            assertEquals(inode, Files.getAttribute(fifo, "unix:ino", LinkOption.NOFOLLOW_LINKS), "the original is back");
            try (var s = Files.list(dir.path)) {
                assertEquals(0, s.filter(p -> p.getFileName().toString().contains("ipcsh-tap")).count());
            }
            assertTrue(Files.readString(Path.of(log)).contains("c->s 8 bytes\n  one\\n\n  two\\n"), Files.readString(Path.of(log)));
        } finally {
            kill(cat);
        }
    }

    @Test
    void aConnectionResetMidStreamIsLoggedAndTheTapServesTheNext() throws Exception {
        int port = T.freePort();
        // a server that answers the first connection with part of a reply and a reset (SO_LINGER 0), the next one properly
        String py = """
                import socket, struct, sys
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
                c, _ = s.accept(); c.recv(100); c.sendall(b"partial")
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
                c, _ = s.accept(); c.recv(100); c.sendall(b"fine\\n"); c.close()
                """;
        Process server = T.start("python3", "-c", py, String.valueOf(port));
        String log = dir.file("reset.log");
        try {
            T.awaitTcpListener(port);
            Tap t = (Tap) call("tap", opts("listen", 0L, "to", (long) port, "log", log));
            long tapPort = (Long) ((List<?>) t.address()).get(1);
            String client = "import socket,sys,time\n"
                    + "c = socket.create_connection(('127.0.0.1', int(sys.argv[1]))); c.sendall(b'hello\\n')\n"
                    + "time.sleep(0.3)\n"
                    + "try:\n  print(c.recv(100))\nexcept OSError as e:\n  print('error', e.errno)\n";
            runClient("python3", "-c", client, String.valueOf(tapPort));
            assertEquals("b'fine\\n'\n", runClient("python3", "-c", client, String.valueOf(tapPort)));
            call("close", t);
            String text = Files.readString(Path.of(log));
            assertTrue(text.contains("#1 s->c read: ") && text.contains("(ECONNRESET); connection closed"), text);
            assertTrue(text.contains("#2 s->c 5 bytes\n  fine\\n"), text);
        } finally {
            kill(server);
        }
    }

    /** Clients that each send size random bytes on conns connections at once and check the echo; prints "ok". */
    private static final String ECHO_CLIENTS = """
            import os, socket, sys, threading
            path, conns, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            bad = []
            def one(i):
                data = os.urandom(size)
                c = socket.socket(socket.AF_UNIX); c.connect(path)
                def send():
                    c.sendall(data); c.shutdown(socket.SHUT_WR)
                t = threading.Thread(target=send); t.start()
                got = bytearray()
                while True:
                    b = c.recv(65536)
                    if not b: break
                    got += b
                t.join(); c.close()
                if bytes(got) != data: bad.append((i, len(got)))
            ts = [threading.Thread(target=one, args=(i,)) for i in range(conns)]
            for t in ts: t.start()
            for t in ts: t.join()
            print("ok" if not bad else "bad %r" % bad[:5])
            """;

    /** An echo server on a unix socket that passes end of stream on (socat's EXEC:cat gives up 0.5 s after it). */
    private static final String ECHO_SERVER = """
            import socket, sys, threading
            s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(128)
            def serve(c):
                try:
                    while True:
                        b = c.recv(65536)
                        if not b: break
                        c.sendall(b)
                    c.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                c.close()
            while True:
                c, _ = s.accept()
                threading.Thread(target=serve, args=(c,), daemon=True).start()
            """;

    /** Clients that stream into conns connections and read the echo until the connection ends. */
    private static final String STREAMING_CLIENTS = """
            import socket, sys, threading
            path, conns = sys.argv[1], int(sys.argv[2])
            def one():
                c = socket.socket(socket.AF_UNIX); c.connect(path)
                def send():
                    try:
                        while True: c.sendall(b"x" * 65536)
                    except OSError:
                        pass
                threading.Thread(target=send, daemon=True).start()
                try:
                    while c.recv(65536): pass
                except OSError:
                    pass
            ts = [threading.Thread(target=one) for i in range(conns)]
            for t in ts: t.start()
            for t in ts: t.join()
            """;

    @Test
    void manyConnectionsAtOnceEchoIntactThroughTheReactorRelayAndOnChunkSeesEveryByte() throws Exception {
        String target = dir.file("echo.sock"), listen = dir.file("tap.sock");
        Process echo = T.start("python3", "-c", ECHO_SERVER, target);
        java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
        try {
            T.awaitUnix(target);
            Tap t = (Tap) call("tap", opts("listen", listen, "to", target, "log", false,
                    "on-chunk", T.fn(x -> seen.addAndGet((Long) ((Map<?, ?>) x[0]).get("len")))));
            int conns = 40, size = 200_000;
            for (int round = 0; round < 3; round++) {
                assertEquals("ok\n", runClient("python3", "-c", ECHO_CLIENTS, listen, String.valueOf(conns), String.valueOf(size)));
            }
            long want = 3L * conns * size * 2; // both directions
            assertTrue(loopUntil(() -> seen.get() == want, 20_000), seen.get() + " of " + want + " bytes seen by :on-chunk");
            call("close", t);
        } finally {
            kill(echo);
        }
    }

    @Test
    void closingTheTapWhileItRelaysEndsEveryConnectionQuietly() throws Exception {
        String target = dir.file("echo.sock"), listen = dir.file("tap.sock");
        Process echo = T.start("python3", "-c", ECHO_SERVER, target);
        try {
            T.awaitUnix(target);
            for (int round = 0; round < 5; round++) {
                Tap t = (Tap) call("tap", opts("listen", listen, "to", target, "log", false));
                // 20 clients streaming without end: still going when the tap closes under them
                Process clients = T.start("python3", "-c", STREAMING_CLIENTS, listen, "20");
                assertTrue(loopUntil(() -> String.valueOf(t).contains(", 20 open"), 20_000), String.valueOf(t));
                loopUntil(() -> false, 100);
                call("close", t);
                assertTrue(t.isClosed());
                assertTrue(clients.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "the clients saw their connections end");
                assertFalse(Files.exists(Path.of(listen), LinkOption.NOFOLLOW_LINKS));
            }
        } finally {
            kill(echo);
        }
    }
}
