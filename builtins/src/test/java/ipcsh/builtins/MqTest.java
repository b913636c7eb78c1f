package ipcsh.builtins;

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

import static ipcsh.builtins.T.call;
import static ipcsh.builtins.T.fn;
import static ipcsh.builtins.T.kw;
import static ipcsh.builtins.T.opts;
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
}
