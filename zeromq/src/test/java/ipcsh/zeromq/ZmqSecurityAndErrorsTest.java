package ipcsh.zeromq;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.TimeoutError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ipcsh.zeromq.Z.call;
import static ipcsh.zeromq.Z.fn;
import static ipcsh.zeromq.Z.opts;
import static ipcsh.zeromq.Z.zmq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CURVE and PLAIN against libzmq peers, and bad input told in one line. */
@Timeout(60)
class ZmqSecurityAndErrorsTest {
    private final List<Channel> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Channel::close);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> keypair() {
        Map<String, Object> k = (Map<String, Object>) call("zmq-keypair");
        assertEquals(40, ((String) k.get("public-key")).length());
        assertEquals(40, ((String) k.get("secret-key")).length());
        return k;
    }

    @Test
    void curveRightKeysPassDataAndAWrongServerKeyGetsNothingThrough() throws Exception {
        Map<String, Object> server = keypair(), client = keypair(), other = keypair();
        // ipcsh as the CURVE server, python (libzmq) as clients
        Channel rep = zmq(open, "rep", "bind", "tcp://127.0.0.1:*",
                "curve", opts("server", true, "secret-key", server.get("secret-key")));
        String ep = (String) rep.configure("last-endpoint");
        int[] served = {0};
        call("on-readable", rep, fn(a -> {
            call("send", a[0], "got " + call("recv", a[0]));
            served[0]++;
        }));
        try (Z.Py good = Z.python("peer.py", "curve-req", ep, server.get("public-key"));
             Z.Py bad = Z.python("peer.py", "curve-req", ep, other.get("public-key"))) {
            assertEquals(0, good.waitServing(15_000));
            assertEquals(0, bad.waitServing(15_000));
            assertEquals("reply got secret\n", good.output());
            assertEquals("no reply\n", bad.output());
        }
        assertEquals(1, served[0], "only the client with the right server key got a request through");
        call("on-readable", rep, null);
        // python as the server, ipcsh as the client
        int port = ZmqPatternsTest.freePort();
        try (Z.Py srv = Z.python("peer.py", "curve-rep", "tcp://127.0.0.1:" + port, server.get("secret-key"), 1, 2500)) {
            Channel wrong = zmq(open, "req", "connect", "tcp://127.0.0.1:" + port, "curve",
                    opts("server-key", other.get("public-key"), "public-key", client.get("public-key"), "secret-key", client.get("secret-key")));
            call("send", wrong, "with the wrong key");
            assertThrows(TimeoutError.class, () -> call("recv", wrong, opts("timeout", 800L)));
            Channel right = zmq(open, "req", "connect", "tcp://127.0.0.1:" + port, "curve",
                    opts("server-key", server.get("public-key"), "public-key", client.get("public-key"), "secret-key", client.get("secret-key")));
            call("send", right, "hello");
            assertEquals("hello", call("recv", right, opts("timeout", 10_000L)));
            assertEquals(0, srv.waitFor(10));
            assertEquals("served 1\n", srv.output());
        }
    }

    @Test
    void plainAdmitsTheRightPasswordAndRefusesAWrongOne() throws Exception {
        Channel rep = zmq(open, "rep", "bind", "tcp://127.0.0.1:*",
                "plain", opts("server", true, "username", "admin", "password", "s3cret"));
        String ep = (String) rep.configure("last-endpoint");
        int[] served = {0};
        call("on-readable", rep, fn(a -> {
            call("send", a[0], "welcome, " + call("recv", a[0]));
            served[0]++;
        }));
        try (Z.Py bad = Z.python("peer.py", "plain-req", ep, "admin", "guess");
             Z.Py good = Z.python("peer.py", "plain-req", ep, "admin", "s3cret")) {
            assertEquals(0, bad.waitServing(15_000));
            assertEquals(0, good.waitServing(15_000));
            assertEquals("no reply\n", bad.output());
            assertEquals("reply welcome, let me in\n", good.output());
        }
        assertEquals(1, served[0]);
        call("on-readable", rep, null);
    }

    private static String error(Runnable r) {
        IpcException e = assertThrows(IpcException.class, r::run);
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void badInputIsOneLineAndLeavesNothingOpen() {
        assertEquals("zmq: unknown socket type :reqq; one of :req :rep :dealer :router :pub :sub :xpub :xsub :push :pull :pair",
                error(() -> call("zmq", Keyword.of("reqq"), opts("connect", "tcp://127.0.0.1:1"))));
        assertEquals("zmq :req: endpoint \"localhost:5555\" has no transport: write tcp://host:port, ipc://path or inproc://name",
                error(() -> call("zmq", Keyword.of("req"), opts("connect", "localhost:5555"))));
        Channel sub = zmq(open, "sub", "connect", "tcp://127.0.0.1:1");
        assertEquals("send " + sub.id() + " (sub tcp://127.0.0.1:1): a :sub socket cannot send, it only receives (ENOTSUP)",
                error(() -> call("send", sub, "x")));
        Channel pub = zmq(open, "pub", "bind", "tcp://127.0.0.1:*");
        String ep = (String) pub.configure("last-endpoint");
        assertTrue(error(() -> call("recv", pub)).endsWith("a :pub socket cannot receive, it only sends (ENOTSUP)"));
        Channel req = zmq(open, "req", "connect", ep.replace("127.0.0.1", "127.0.0.1"), "linger", 0L);
        Channel rep = zmq(open, "rep", "bind", "tcp://127.0.0.1:*");
        Channel req2 = zmq(open, "req", "connect", rep.configure("last-endpoint"));
        call("send", req2, "one");
        assertEquals("send " + req2.id() + " (req " + rep.configure("last-endpoint") + "): a :req socket must recv the reply "
                + "before it sends again (ZeroMQ's state error, EFSM)", error(() -> call("send", req2, "two")));
        assertTrue(error(() -> call("send", rep, "unasked")).endsWith("a :rep socket must recv a request before it sends a reply (ZeroMQ's state error, EFSM)"));
        String inUse = error(() -> call("zmq", Keyword.of("pull"), opts("bind", ep)));
        assertEquals("zmq: bind \"" + ep + "\": Address already in use (EADDRINUSE): another socket has it; bind tcp://host:* for a free port (see :last-endpoint)", inUse);
        assertTrue(error(() -> call("zmq", Keyword.of("req"), opts("curve", opts("server-key", "short")))).contains("Z85 key of 40 characters"));
        assertTrue(error(() -> call("zmq", Keyword.of("req"), opts("sndhwm", -1L))).contains(":sndhwm"));
        assertTrue(error(() -> call("zmq", Keyword.of("pub"), opts("subscribe", "x"))).contains(":subscribe is for :sub sockets"));
        assertTrue(error(() -> call("zmq", Keyword.of("req"), opts("bogus", 1L))).contains("bogus"));
        // the shell's sockets still work after all that
        Channel r2 = zmq(open, "rep", "bind", "tcp://127.0.0.1:*");
        Channel q2 = zmq(open, "req", "connect", r2.configure("last-endpoint"));
        call("send", q2, "still here");
        assertEquals("still here", call("recv", r2, opts("timeout", 5000L)));
        assertTrue(req.configure("type").equals(Keyword.of("req")));
    }
}
