package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.loop.EventLoop;
import ipcsh.testing.Peer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** rpc, rpc-call, rpc-batch, rpc-notify, rpc-on and rpc-serve against python3 JSON-RPC peers over unix sockets. */
@Timeout(60)
class RpcTest {
    static final String PYTHON = "/usr/bin/python3";
    private Path dir;
    private final List<Object> reported = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("ipcsh-rpc"); // 0700: the sockets need no guessable names
        EventLoop.main().onError(reported::add);
    }

    @AfterEach
    void tearDown() throws IOException {
        EventLoop.main().onError(Throwable::printStackTrace);
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static String script(String name) {
        return Path.of(RpcTest.class.getResource("/rpc/" + name).getPath()).toString();
    }

    private Peer pythonServer(String sock) throws Exception {
        Peer p = Peer.start(PYTHON, script("server.py"), sock);
        T.awaitTrue(() -> p.output().contains("ready"), "python3 server listening");
        return p;
    }

    private Object client(String sock) {
        return T.call("rpc", T.call("connect", T.kw("unix"), sock));
    }

    @Test
    void tenThousandCallsWithAHundredOutstandingRepliedOutOfOrderAreMatchedById() throws Exception {
        String sock = dir.resolve("s").toString();
        try (Peer server = pythonServer(sock)) {
            Object peer = client(sock);
            int total = 10_000;
            long[] results = new long[total];
            List<Integer> order = new ArrayList<>();
            int[] sent = {0}, done = {0};
            Runnable[] more = new Runnable[1];
            more[0] = () -> {
                while (sent[0] < total && sent[0] - done[0] < 100) {
                    int i = sent[0]++;
                    T.call("rpc-call", peer, "add", List.of((long) i, (long) i), T.opts("on-reply", T.fn(x -> {
                        results[i] = (Long) ((Map<?, ?>) x[0]).get("result");
                        order.add(i);
                        done[0]++;
                        more[0].run();
                    })));
                }
            };
            more[0].run();
            assertTrue(T.loopUntil(() -> done[0] == total, 30_000), done[0] + " of " + total + " replies");
            for (int i = 0; i < total; i++) assertEquals(2L * i, results[i], "call " + i);
            boolean outOfOrder = false;
            for (int k = 1; k < order.size(); k++) outOfOrder |= order.get(k) < order.get(k - 1);
            assertTrue(outOfOrder, "the server answered in order; the test proves nothing");
            T.call("close", peer);
        }
    }

    @Test
    void callsErrorsBatchesAndNotifications() throws Exception {
        String sock = dir.resolve("s").toString();
        try (Peer server = pythonServer(sock)) {
            Object peer = client(sock);
            assertEquals(5L, T.call("rpc-call", peer, "add", List.of(2L, 3L)));
            assertEquals(Map.of("x", List.of(1L, "two")), T.call("rpc-call", peer, "echo", Map.of("x", List.of(1L, "two"))));
            IpcException e = assertThrows(IpcException.class, () -> T.call("rpc-call", peer, "fail", List.of("why")));
            assertEquals(-32001L, e.data().get("code"));
            assertEquals("failed on purpose", e.data().get("message"));
            assertEquals(List.of("why"), e.data().get("data"));
            assertTrue(e.getMessage().startsWith("rpc-call \"fail\" to unix"), e.getMessage());
            assertEquals(-32601L, assertThrows(IpcException.class, () -> T.call("rpc-call", peer, "nope")).data().get("code"));
            List<?> batch = (List<?>) T.call("rpc-batch", peer, List.of(List.of("add", List.of(1L, 1L)), List.of("nope"),
                    List.of("echo", List.of("e"))));
            assertEquals(2L, batch.get(0));
            assertEquals(-32601L, ((Map<?, ?>) ((Map<?, ?>) batch.get(1)).get("error")).get("code"));
            assertEquals(List.of("e"), batch.get(2));
            T.call("rpc-notify", peer, "add", List.of(1L, 1L)); // no reply comes; the next call still matches
            List<Object> notes = new ArrayList<>();
            T.call("rpc-on", peer, "noted", T.fn(x -> notes.add(x[0])));
            assertEquals(true, T.call("rpc-call", peer, "note", List.of("hi")));
            assertTrue(T.loopUntil(() -> !notes.isEmpty(), 5000));
            assertEquals(List.of(List.of("hi")), notes);
            T.call("close", peer);
        }
    }

    @Test
    void theServerCallsTheClientWhileTheClientWaitsInABlockingCall() throws Exception {
        String sock = dir.resolve("s").toString();
        try (Peer server = pythonServer(sock)) {
            Object peer = client(sock);
            T.call("rpc-on", peer, "client/double", (ipcsh.Callback) x -> (Long) ((List<?>) x[0]).get(0) * 2);
            assertEquals(43L, T.call("rpc-call", peer, "ask", List.of(21L)));
            // a handler that throws: the server sees an error reply and passes it on
            T.call("rpc-on", peer, "client/double", (ipcsh.Callback) x -> {
                throw new IpcException("cannot double", Map.of("code", -32050L));
            });
            IpcException e = assertThrows(IpcException.class, () -> T.call("rpc-call", peer, "ask", List.of(1L)));
            assertEquals(-32050L, e.data().get("code"));
            assertEquals("cannot double", e.data().get("message"));
            T.call("close", peer);
        }
    }

    @Test
    void aNotificationThatCameInOneReadWithTheReplyIsServedAfterTheCall() throws Exception {
        String sock = dir.resolve("s").toString();
        try (Peer server = pythonServer(sock)) {
            Object peer = client(sock);
            List<Object> later = new ArrayList<>();
            T.call("rpc-on", peer, "later", T.fn(x -> later.add(x[0])));
            for (long i = 0; i < 200; i++) {
                assertEquals(true, T.call("rpc-call", peer, "after", List.of(i)));
                long n = i;
                assertTrue(T.loopUntil(() -> later.size() > n, 5000), "notification " + i + " not served: " + later.size());
            }
            assertEquals(List.of(0L), later.get(0));
            T.call("close", peer);
        }
    }

    @Test
    void aReplyWithAnUnknownIdIsReportedAndTheCallStillGetsItsOwn() throws Exception {
        String sock = dir.resolve("s").toString();
        try (Peer server = pythonServer(sock)) {
            Object peer = client(sock);
            assertEquals("ok", T.call("rpc-call", peer, "stray"));
            assertTrue(T.loopUntil(() -> !reported.isEmpty(), 5000));
            assertTrue(reported.get(0).toString().contains("a reply with id 999999 that no call waits for; ignored"), reported.toString());
            assertEquals(4L, T.call("rpc-call", peer, "add", List.of(2L, 2L)));
            T.call("close", peer);
        }
    }

    @Test
    void aPeerClosingWithCallsOutstandingFailsEachNamingThePeer() throws Exception {
        String sock = dir.resolve("s").toString();
        try (Peer server = pythonServer(sock)) {
            Object peer = client(sock);
            List<Object> replies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                T.call("rpc-call", peer, "never", List.of(), T.opts("on-reply", T.fn(x -> replies.add(x[0]))));
            }
            IpcException e = assertThrows(IpcException.class, () -> T.call("rpc-call", peer, "hangup"));
            assertTrue(e.getMessage().contains("the peer unix") && e.getMessage().contains(sock)
                    && e.getMessage().contains("closed the connection with the call outstanding"), e.getMessage());
            assertTrue(T.loopUntil(() -> replies.size() == 3, 5000), replies.toString());
            // "never" is not a method: some may have been answered before the hang-up, the rest fail naming the peer
            for (Object r : replies) {
                Map<?, ?> err = (Map<?, ?>) ((Map<?, ?>) r).get("error");
                assertTrue(err.get("message").toString().contains("Method not found") || err.get("message").toString().contains(sock), r.toString());
            }
            IpcException after = assertThrows(IpcException.class, () -> T.call("rpc-call", peer, "add", List.of(1L, 1L)));
            assertTrue(after.getMessage().contains("closed the connection"), after.getMessage());
        }
    }

    @Test
    void aTimeoutEndsAWaitingCall() throws Exception {
        String sock = dir.resolve("s").toString();
        // a server that reads and never answers
        Object server = T.call("rpc-serve", T.opts("listen", sock), Map.of("slow", (ipcsh.Callback) x -> new java.util.concurrent.CompletableFuture<>()));
        Object peer = client(sock);
        try {
            long t0 = System.nanoTime();
            IpcException e = assertThrows(IpcException.class, () -> T.call("rpc-call", peer, "slow", null, T.opts("timeout", 200L)));
            assertTrue(e.getMessage().contains("no reply in 200 ms (ETIMEDOUT)"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        } finally {
            T.call("close", peer);
            T.call("close", server); // a server left listening would keep the process-wide loop alive for the next test class
        }
        T.loopUntil(() -> false, 50);
        assertFalse(EventLoop.main().alive(), "the closed server and peer release the loop");
    }

    /** Runs client.py against sock with these frames, serving the loop meanwhile; its output lines. */
    private List<String> pythonClient(String sock, String framing, String... frames) throws Exception {
        Path in = dir.resolve("frames");
        Files.writeString(in, String.join("\n", frames) + "\n");
        Process p = new ProcessBuilder(PYTHON, script("client.py"), sock, in.toString(), framing)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(T.loopUntil(() -> !p.isAlive(), 20_000), "python3 client still running");
        assertEquals(0, p.exitValue());
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }

    private static Map<String, Object> handlers() {
        return Map.of(
                "add", (ipcsh.Callback) x -> (Long) ((List<?>) x[0]).get(0) + (Long) ((List<?>) x[0]).get(1),
                "boom", (ipcsh.Callback) x -> {
                    throw new IllegalStateException("the handler broke\nsecond line");
                },
                "later", (ipcsh.Callback) x -> java.util.concurrent.CompletableFuture.supplyAsync(() -> "delivered"));
    }

    @Test
    void rpcServeAnswersEachMalformedInputWithTheSpecsCode() throws Exception {
        String sock = dir.resolve("calc").toString();
        Object server = T.call("rpc-serve", T.opts("listen", sock, "max-frame", 200L), handlers());
        try {
            List<String> out = pythonClient(sock, "json-lines",
                    "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":1}",
                    "this is not json",
                    "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"id\":\"x\",\"params\":[1,\"a\"" + " ".repeat(300) + "]}",
                    "{\"jsonrpc\":\"2.0\",\"method\":5,\"id\":3}",
                    "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":4}",
                    "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":7,\"id\":5}",
                    "{\"jsonrpc\":\"2.0\",\"method\":\"boom\",\"id\":6}",
                    "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,1]}",
                    "[{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":7},{\"jsonrpc\":\"2.0\",\"method\":\"later\",\"id\":8},3]",
                    "[]");
            String all = String.join("\n", out);
            assertTrue(out.get(0).contains("\"result\": 5, \"id\": 1"), all);
            assertTrue(out.get(1).contains("-32700") && out.get(1).contains("Parse error: malformed JSON"), all);
            assertTrue(out.get(2).contains("-32600") && out.get(2).contains("longer than :max-frame (200 bytes)"), all);
            assertTrue(out.get(3).contains("-32600") && out.get(3).contains("\\\"method\\\" must be a string"), all);
            assertTrue(out.get(4).contains("-32601") && out.get(4).contains("Method not found: \\\"nope\\\""), all);
            assertTrue(out.get(5).contains("-32602") && out.get(5).contains("must be an array or an object"), all);
            assertTrue(out.get(6).contains("-32603") && out.get(6).contains("\"the handler broke\""), all);
            // the batch waits for its deferred member, so the empty batch's answer may come first
            String batch = out.stream().filter(l -> l.startsWith("[")).findFirst().orElse("");
            assertTrue(batch.contains("\"result\": 3, \"id\": 7") && batch.contains("\"result\": \"delivered\", \"id\": 8")
                    && batch.contains("-32600"), all);
            assertTrue(out.stream().anyMatch(l -> l.contains("-32600") && l.contains("empty batch")), all);
            assertEquals(9, out.size(), all); // the notification got no reply
        } finally {
            T.call("close", server);
        }
        assertFalse(Files.exists(Path.of(sock)), "the socket file stays after close");
    }

    @Test
    void rpcServeSpeaksContentLengthToo() throws Exception {
        String sock = dir.resolve("lsp").toString();
        Object server = T.call("rpc-serve", T.opts("listen", sock, "framing", T.kw("content-length")), handlers());
        try {
            List<String> out = pythonClient(sock, "content-length",
                    "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[20,22],\"id\":1}", "{oops");
            assertEquals(2, out.size(), out.toString());
            assertTrue(out.get(0).contains("\"result\": 42"), out.toString());
            assertTrue(out.get(1).contains("-32700"), out.toString());
        } finally {
            T.call("close", server);
        }
    }

    @Test
    void overTcpToo() throws Exception {
        int port = T.freePort();
        try (Peer server = Peer.start(PYTHON, script("server.py"), String.valueOf(port))) {
            T.awaitTrue(() -> server.output().contains("ready"), "python3 server listening on tcp");
            Object peer = T.call("rpc", T.call("connect", T.kw("tcp"), "127.0.0.1", (long) port));
            assertEquals(42L, T.call("rpc-call", peer, "add", List.of(40L, 2L)));
            T.call("rpc-on", peer, "client/double", (ipcsh.Callback) x -> (Long) ((List<?>) x[0]).get(0) * 2);
            assertEquals(11L, T.call("rpc-call", peer, "ask", List.of(5L)));
            T.call("close", peer);
        }
        Object server = T.call("rpc-serve", T.opts("listen", List.of("127.0.0.1", 0L)), handlers());
        try {
            Object addr = server.getClass().getMethod("address").invoke(server);
            long p = (Long) ((List<?>) addr).get(1);
            Object peer = T.call("rpc", T.call("connect", T.kw("tcp"), "127.0.0.1", p));
            assertEquals(7L, T.call("rpc-call", peer, "add", List.of(3L, 4L)));
            T.call("close", peer);
        } finally {
            T.call("close", server);
        }
    }

    @Test
    void socatFedRawRequestsGetTheirAnswers() throws Exception {
        String sock = dir.resolve("raw").toString();
        Object server = T.call("rpc-serve", T.opts("listen", sock), handlers());
        try {
            Process p = new ProcessBuilder("socat", "-t", "5", "-", "UNIX-CONNECT:" + sock).redirectErrorStream(true).start();
            p.getOutputStream().write(("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1,2],\"id\":\"a\"}\n"
                    + "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":{},\"id\":9}\n{\n").getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            assertTrue(T.loopUntil(() -> !p.isAlive(), 20_000), "socat still running");
            List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertEquals("{\"jsonrpc\":\"2.0\",\"result\":3,\"id\":\"a\"}", out.get(0), out.toString());
            assertTrue(out.get(1).contains("-32603") && out.get(1).contains("\"id\":9"), out.toString()); // the handler got a map
            assertTrue(out.get(2).contains("-32700"), out.toString());
        } finally {
            T.call("close", server);
        }
    }

    @Test
    void badArgumentsAreOneLineErrorsBeforeAnythingHappens() {
        assertTrue(assertThrows(IpcException.class, () -> T.call("rpc-call", "not a peer", "m")).getMessage().contains("an rpc peer"));
        assertTrue(assertThrows(IpcException.class, () -> T.call("rpc-serve", T.opts("listen", List.of("h")), Map.of()))
                .getMessage().contains("option :listen must be"));
        assertTrue(assertThrows(IpcException.class, () -> T.call("rpc-serve", T.opts("listen", dir.resolve("x").toString()),
                Map.of("m", 5L))).getMessage().contains("the handler of \"m\" must be a function"));
        assertFalse(Files.exists(dir.resolve("x")));
    }
}
