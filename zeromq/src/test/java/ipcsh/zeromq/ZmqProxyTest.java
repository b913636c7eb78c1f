package ipcsh.zeromq;

import ipcsh.chan.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ipcsh.zeromq.Z.call;
import static ipcsh.zeromq.Z.fn;
import static ipcsh.zeromq.Z.opts;
import static ipcsh.zeromq.Z.zmq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** zmq-proxy as a ROUTER/DEALER broker between a python3 client and an ipcsh worker, captured. */
@Timeout(60)
class ZmqProxyTest {
    private final List<Channel> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Channel::close);
    }

    @Test
    void brokerCapturesEveryMessageBothWays() throws Exception {
        int n = 500;
        Channel front = zmq(open, "router", "bind", "tcp://127.0.0.1:*");
        Channel back = zmq(open, "dealer", "bind", "inproc://workers");
        Channel worker = zmq(open, "rep", "connect", "inproc://workers");
        call("on-readable", worker, fn(a -> call("send", a[0], call("recv", a[0]) + "!")));
        Path log = Files.createTempFile("ipcsh-zmq-proxy", ".log");
        int[] fromFront = {0}, fromBack = {0};
        List<Object> firstFrames = new ArrayList<>();
        call("zmq-proxy", front, back, opts("log", log.toString(), "on-message", fn(a -> {
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) a[0];
            if (m.get("from").equals(ipcsh.Keyword.of("front"))) fromFront[0]++;
            else fromBack[0]++;
            if (firstFrames.isEmpty()) firstFrames.add(m.get("frames"));
        })));
        try (Z.Py client = Z.python("peer.py", "req", front.configure("last-endpoint"), n)) {
            assertEquals(0, client.waitServing(30_000), client.output());
            assertEquals("ok " + n + "\n", client.output());
        }
        assertEquals(n, fromFront[0]);
        assertEquals(n, fromBack[0]);
        List<?> first = (List<?>) firstFrames.get(0);
        assertEquals(3, first.size(), "identity, empty delimiter, request: " + first);
        assertEquals("r0", first.get(2));
        List<String> lines = Files.readAllLines(log);
        assertEquals(n, lines.stream().filter(l -> l.contains(" front -> back #")).count());
        assertEquals(n, lines.stream().filter(l -> l.contains(" back -> front #")).count());
        assertTrue(lines.contains("  [2] 2 bytes: r0"), "frames logged as text");
        call("on-readable", worker, null);
        front.close(); // ends the proxy: the back side is no longer served
        Files.delete(log);
    }
}
