package ipcsh.zeromq;

import ipcsh.chan.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static ipcsh.zeromq.Z.call;
import static ipcsh.zeromq.Z.fn;
import static ipcsh.zeromq.Z.zmq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ZeroMQ's descriptor is edge-triggered in meaning: the loop must drain after every wake-up and
 * every send. An on-readable callback that reads exactly one message per call sees every one.
 */
@Timeout(120)
class ZmqEventLoopTest {
    private final List<Channel> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Channel::close);
    }

    /** Counts messages read one per callback, checking each is the next number the peer sent. */
    private int consume(Channel pull, int n, Z.Py peer, long ms) {
        int[] got = {0};
        int[] wrong = {0};
        call("on-readable", pull, fn(a -> {
            Object m = call("recv", a[0], Z.opts("nonblock", true));
            if (m == null) {
                wrong[0]++; // called with nothing to read: the guard failed
                return;
            }
            if (!m.equals(Integer.toString(got[0]))) wrong[0]++;
            got[0]++;
        }));
        boolean done = Z.loopUntil(() -> got[0] == n, ms);
        assertTrue(done, "stalled at " + got[0] + " of " + n + " messages; peer: " + peer.output());
        // nothing more arrives, and the callback is not called again with nothing to read
        Z.loopUntil(() -> false, 200);
        call("on-readable", pull, null);
        assertEquals(0, wrong[0], "out of order, or called with nothing to read");
        return got[0];
    }

    @Test
    void aMillionMessagesOneReadPerCallback() throws Exception {
        int n = 1_000_000;
        Channel pull = zmq(open, "pull", "bind", "tcp://127.0.0.1:*", "rcvhwm", 10_000L);
        try (Z.Py peer = Z.python("push.py", pull.configure("last-endpoint"), n)) {
            assertEquals(n, consume(pull, n, peer, 100_000));
            assertEquals(0, peer.waitFor(10));
        }
    }

    @Test
    void burstsWithPausesLoseNothingAndNeverStall() throws Exception {
        int n = 100_000;
        Channel pull = zmq(open, "pull", "bind", "tcp://127.0.0.1:*");
        // bursts of 997 (not a multiple of the high-water mark), 20 ms apart: the queue runs dry often
        try (Z.Py peer = Z.python("push.py", pull.configure("last-endpoint"), n, 997, 20)) {
            assertEquals(n, consume(pull, n, peer, 60_000));
            assertEquals(0, peer.waitFor(10));
        }
    }

    @Test
    void aSendThatRunsTheSocketsCommandsDoesNotHideAReply() throws Exception {
        // a DEALER sends from its own readable callback: each send may run the command that
        // announced the next reply; the loop must still see every reply
        int n = 20_000;
        Channel router = zmq(open, "router", "bind", "tcp://127.0.0.1:*");
        Channel dealer = zmq(open, "dealer", "connect", router.configure("last-endpoint"));
        int[] echoed = {0};
        int[] replies = {0};
        call("on-readable", router, fn(a -> {
            Object m = call("recv", a[0]);
            call("send", a[0], m); // [identity payload] back to the dealer
            echoed[0]++;
        }));
        call("on-readable", dealer, fn(a -> {
            call("recv", a[0]);
            replies[0]++;
            if (replies[0] < n) call("send", a[0], "ping " + replies[0]);
        }));
        for (int i = 0; i < 8; i++) call("send", dealer, "start " + i); // 8 in flight
        assertTrue(Z.loopUntil(() -> replies[0] >= n, 60_000), "stalled at " + replies[0]);
        assertTrue(Z.loopUntil(() -> replies[0] == n + 7, 5_000), "replies " + replies[0]);
        assertEquals(n + 7, echoed[0]);
        call("on-readable", router, null);
        call("on-readable", dealer, null);
    }

    @Test
    void onWritableWaitsForAPeerAndSendsWhenThereIsRoom() {
        // a PUSH with no peer has no room (ZMQ_EVENTS without POLLOUT): on-writable waits for one
        Channel push = zmq(open, "push", "bind", "tcp://127.0.0.1:*", "sndhwm", 10L);
        int[] calls = {0};
        call("on-writable", push, fn(a -> {
            calls[0]++;
            call("send", a[0], "hello " + calls[0]);
            if (calls[0] == 5) call("on-writable", a[0], null);
        }));
        Z.loopUntil(() -> false, 300);
        assertEquals(0, calls[0], "no peer, no room");
        Channel pull = zmq(open, "pull", "connect", push.configure("last-endpoint"));
        assertTrue(Z.loopUntil(() -> calls[0] == 5, 10_000), "called " + calls[0]);
        for (int i = 1; i <= 5; i++) assertEquals("hello " + i, call("recv", pull, Z.opts("timeout", 5000L)));
    }
}
