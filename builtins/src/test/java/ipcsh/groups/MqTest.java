package ipcsh.groups;

import ipcsh.chan.Channel;
import ipcsh.chan.TimeoutError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.fn;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A POSIX message queue as a channel: on the reactor like any descriptor, whole messages, priorities. */
@Timeout(30)
class MqTest {
    private final String name = "/ipcsh-t-" + ProcessHandle.current().pid() + "-mqtest";
    private final List<Channel> open = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        open.forEach(Channel::close);
        try {
            call("mq-unlink", name);
        } catch (RuntimeException ignored) {
            // the test removed it
        }
        assertFalse(Files.exists(Path.of("/dev/mqueue" + name)));
    }

    private Channel mq(Object... args) {
        Channel ch = (Channel) call("mq", args);
        open.add(ch);
        return ch;
    }

    @Test
    void onReadableFiresForEachMessageAndRecvTellsThePriority() {
        Channel reader = mq(name, kw("read"), opts("create", true, "max-msgs", 4L, "msg-size", 128L));
        Channel writer = mq(name, kw("write"));
        List<Object> got = new ArrayList<>();
        call("on-readable", reader, fn(a -> got.add(call("recv", a[0]))));
        call("send", writer, "urgent", opts("priority", 31L));
        call("puts", writer, "plain");
        assertTrue(T.loopUntil(() -> got.size() == 2, 5000));
        assertEquals(List.of(Map.of("data", "urgent", "priority", 31L), Map.of("data", "plain", "priority", 0L)), got);
        call("on-readable", reader, null);
        assertEquals(0L, reader.configure("cur-msgs"));
        assertEquals(4L, reader.configure("max-msgs"));
    }

    @Test
    void copyMovesWholeMessagesIntoAPipeAndTimeoutBoundsAnEmptyRead() {
        Channel q = mq(name, opts("create", true, "encoding", kw("binary"), "timeout", 100L));
        byte[] bin = {0, 1, 2, (byte) 255};
        call("write", q, bin);
        call("puts", q, "text");
        @SuppressWarnings("unchecked")
        List<Channel> pipe = (List<Channel>) call("pipe");
        open.addAll(pipe);
        assertEquals(8L, call("copy", q, pipe.get(1), opts("size", 8L)));
        pipe.get(0).configure(opts("encoding", kw("binary")));
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 255, 't', 'e', 'x', 't'}, (byte[]) call("read", pipe.get(0), 8L));
        TimeoutError e = assertThrows(TimeoutError.class, () -> call("gets", q));
        assertTrue(e.getMessage().startsWith("gets mq"), e.getMessage());
    }

    @Test
    void aFullNonBlockingQueueSaysSoAndWritesWaitForRoom() {
        Channel q = mq(name, opts("create", true, "max-msgs", 1L, "msg-size", 16L, "timeout", 50L));
        call("puts", q, "a");
        TimeoutError e = assertThrows(TimeoutError.class, () -> call("puts", q, "b"));
        assertTrue(e.getMessage().contains("timed out after 50 ms"), e.getMessage());
        assertEquals("a", call("gets", q));
    }

    @Test
    void expectMatchesAcrossMessagesAndWhatFollowsTheMatchComesNext() {
        Channel q = mq(name, opts("create", true, "max-msgs", 4L, "msg-size", 128L));
        call("send", q, "login: ", opts("priority", 1L));
        Map<?, ?> m = (Map<?, ?>) call("expect", q, java.util.regex.Pattern.compile("(\\w+): "), opts("timeout", 2000L));
        assertEquals("login: ", m.get("match"));
        assertEquals(List.of("login"), m.get("groups"));
        call("send", q, "status=ok rest");
        Map<?, ?> s = (Map<?, ?>) call("expect", q, "status=ok", opts("timeout", 2000L));
        assertEquals("status=ok", s.get("match"));
        assertEquals(" rest", call("gets", q));
        assertEquals(Map.of("timeout", true, "before", ""), call("expect", q, "never", kw("timeout"), opts("timeout", 100L)));
    }

    @Test
    void recvTakesTheSameTimeoutAndNonblockOptionsAsOnASystemVQueue() {
        Channel q = mq(name, opts("create", true));
        assertEquals(null, call("recv", q, opts("nonblock", true)));
        long t0 = System.nanoTime();
        TimeoutError e = assertThrows(TimeoutError.class, () -> call("recv", q, opts("timeout", 80L)));
        assertTrue(System.nanoTime() - t0 >= 70_000_000L, "waited its timeout");
        assertEquals("recv " + q.describe() + ": timed out after 80 ms", e.getMessage());
        assertEquals(null, q.configure("timeout"), "the channel's own :timeout is untouched");
        call("send", q, "hello", opts("priority", 3L));
        assertEquals(Map.of("data", "hello", "priority", 3L), call("recv", q, opts("timeout", 1000L, "nonblock", false)));
        ipcsh.IpcException type = assertThrows(ipcsh.IpcException.class, () -> call("recv", q, opts("type", 1L)));
        assertEquals("recv " + q.describe() + ": :type is for System V queues (sysv-mq); a POSIX queue gives the oldest "
                + "message of the highest priority", type.getMessage());
        ipcsh.IpcException bad = assertThrows(ipcsh.IpcException.class, () -> call("recv", q, opts("timeout", -1L)));
        assertEquals("recv: option :timeout must be 0 or more, not -1", bad.getMessage());
        // a datagram socket takes them too
        Channel u = (Channel) call("udp", opts("bind", 0L));
        open.add(u);
        assertEquals(null, call("recv", u, opts("nonblock", true)));
        assertThrows(TimeoutError.class, () -> call("recv", u, opts("timeout", 30L)));
    }

    @Test
    void mqUnlinkNamesItselfInItsErrors() {
        ipcsh.IpcException missing = assertThrows(ipcsh.IpcException.class, () -> call("mq-unlink", name + "-none"));
        assertEquals("mq-unlink \"" + name + "-none\": No such file or directory (ENOENT): no such queue", missing.getMessage());
    }
}
