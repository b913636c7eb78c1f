package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.shm.Segment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.fn;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** socketpair, eventfd and memfd handed to python3 children as descriptor 3 (spawn's :fds). */
@Timeout(60)
class DescriptorsTest {
    private final List<Channel> open = new ArrayList<>();
    private final List<Segment> segments = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        open.forEach(Channel::close);
        segments.forEach(Segment::close);
    }

    @SuppressWarnings("unchecked")
    private List<Channel> socketpair(Object... args) {
        List<Channel> ends = (List<Channel>) call("socketpair", args);
        open.addAll(ends);
        return ends;
    }

    private Channel python(String code, Map<String, Object> fds) {
        Channel p = (Channel) call("spawn", List.of("python3", "-c", code), opts("fds", fds, "timeout", 30_000L));
        open.add(p);
        return p;
    }

    @Test
    void aPythonChildGetsASocketpairEndAsFd3AndTalksBothWays() {
        List<Channel> ends = socketpair();
        Channel mine = ends.get(0), its = ends.get(1);
        Channel child = python("""
                import os, socket
                s = socket.socket(fileno=3)
                f = s.makefile("rw")
                print(sorted(int(n) for n in os.listdir("/proc/self/fd")), flush=True)
                for line in f:
                    f.write(line.upper()); f.flush()
                """, Map.of("3", its));
        assertTrue(its.isClosed(), "handed over: the child's copy is the only one, so its exit is our end of stream");
        assertEquals("[0, 1, 2, 3, 4]", call("gets", child), "0-2, 3 and os.listdir's own: nothing else of ours");
        mine.configure(opts("timeout", 30_000L));
        for (String word : List.of("one", "two", "three")) {
            call("puts", mine, word);
            assertEquals(word.toUpperCase(), call("gets", mine));
        }
        call("close", mine, kw("write"));
        assertNull(call("gets", mine), "end of stream once the child ends");
        call("close", child);
    }

    @Test
    void aDatagramSocketpairKeepsMessagesWhole() {
        List<Channel> ends = socketpair(opts("type", kw("dgram")));
        call("send", ends.get(0), "one whole message");
        call("send", ends.get(0), "two");
        assertEquals("one whole message", call("gets", ends.get(1)));
        assertEquals("two", call("gets", ends.get(1)));
        assertEquals("unix-dgram", ends.get(1).kind());
    }

    @Test
    void anEventfdWakesOnReadableWhenAnotherProcessAdds() {
        Channel e = (Channel) call("eventfd");
        open.add(e);
        List<Object> got = new ArrayList<>();
        call("on-readable", e, fn(a -> got.add(call("read", a[0]))));
        Channel child = python("import os, time; time.sleep(0.2); os.eventfd_write(3, 7); os.eventfd_write(3, 5)", Map.of("3", e));
        assertTrue(T.loopUntil(() -> got.stream().mapToLong(x -> (Long) x).sum() == 12, 30_000), got.toString());
        call("on-readable", e, null);
        call("close", child);
    }

    @Test
    void anEventfdCountsAndAsASemaphoreGivesOneAtATime() {
        Channel e = (Channel) call("eventfd", opts("initial", 2L));
        open.add(e);
        call("write", e, 40L);
        call("write", e, "100");
        assertEquals(142L, call("read", e));
        e.configure(opts("blocking", false));
        assertNull(call("read", e), "the counter is 0");
        IpcException bad = assertThrows(IpcException.class, () -> call("write", e, -1L));
        assertTrue(bad.getMessage().contains("the counter takes a whole number from 0 to 18446744073709551614, not \"-1\""),
                bad.getMessage());
        Channel s = (Channel) call("eventfd", opts("semaphore", true, "initial", 2L, "blocking", false));
        open.add(s);
        assertEquals(1L, call("read", s));
        assertEquals(1L, call("read", s));
        assertNull(call("read", s));
    }

    @Test
    void aWriteSealedMemfdCannotBeWrittenOrGrownByPython() {
        Segment m = (Segment) call("memfd", "sealed", opts("size", 4096L, "data", "hello from ipcsh",
                "seal", List.of(kw("write"), kw("grow"), kw("shrink"))));
        segments.add(m);
        assertEquals("hello from ipcsh", new String((byte[]) call("shm-read", m, 0L, 16L), StandardCharsets.UTF_8));
        IpcException ro = assertThrows(IpcException.class, () -> call("shm-write", m, 0L, "x"));
        assertTrue(ro.getMessage().contains("read-only"), ro.getMessage());
        Channel child = python("""
                import fcntl, mmap, os
                print(os.pread(3, 16, 0).decode(), flush=True)
                def attempt(what, f):
                    try:
                        f(); print(what, "worked", flush=True)
                    except OSError as e:
                        print(what, os.strerror(e.errno), flush=True)
                attempt("write", lambda: os.pwrite(3, b"x", 0))
                attempt("grow", lambda: os.ftruncate(3, 8192))
                attempt("shrink", lambda: os.ftruncate(3, 10))
                attempt("map", lambda: mmap.mmap(3, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE))
                print("seals", fcntl.fcntl(3, 1034), flush=True)
                """, Map.of("3", m));
        assertEquals("hello from ipcsh", call("gets", child));
        assertEquals("write Operation not permitted", call("gets", child));
        assertEquals("grow Operation not permitted", call("gets", child));
        assertEquals("shrink Operation not permitted", call("gets", child));
        assertEquals("map Operation not permitted", call("gets", child));
        assertEquals("seals 14", call("gets", child), "F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE");
        call("close", child);
    }

    @Test
    void aFutureWriteSealLetsThisShellWriteWhatPythonOnlyReads() {
        Segment m = (Segment) call("memfd", "board", opts("size", 64L, "seal", List.of(kw("future-write"))));
        segments.add(m);
        call("shm-write", m, 0L, "v1");
        Channel child = python("""
                import os, sys
                print(os.pread(3, 2, 0).decode(), flush=True)
                sys.stdin.readline()
                print(os.pread(3, 2, 0).decode(), flush=True)
                try:
                    os.pwrite(3, b"zz", 0)
                except OSError as e:
                    print(os.strerror(e.errno), flush=True)
                """, Map.of("3", m));
        assertEquals("v1", call("gets", child));
        call("shm-write", m, 0L, "v2");
        call("puts", child, "go");
        assertEquals("v2", call("gets", child), "the child sees this shell's writes");
        assertEquals("Operation not permitted", call("gets", child));
        call("close", child);
    }

    @Test
    void aChildGetsTheDescriptorsNamedAndNoneBetweenThem() {
        Channel e = (Channel) call("eventfd");
        open.add(e);
        Segment m = (Segment) call("memfd", "gap", opts("size", 8L));
        segments.add(m);
        Channel child = python("import os; print(sorted(int(n) for n in os.listdir('/proc/self/fd')), flush=True)",
                Map.of("7", e, "5", m));
        assertEquals("[0, 1, 2, 3, 5, 7]", call("gets", child), "3 is os.listdir's own; 4 and 6 stay closed");
        call("close", child);
    }

    @Test
    void fdsIsCheckedBeforeAnythingStarts() {
        Channel e = (Channel) call("eventfd");
        open.add(e);
        IpcException x = assertThrows(IpcException.class,
                () -> call("spawn", List.of("sh", "-c", "touch /nonexistent-should-not-run"), opts("fds", Map.of("1", e))));
        assertEquals("spawn: :fds key 1 is not 3 to 1023 (0, 1 and 2 are :stdin, :stdout and :stderr)", x.getMessage());
        x = assertThrows(IpcException.class, () -> call("spawn", List.of("true"), opts("fds", Map.of("3", "e"))));
        assertEquals("spawn: :fds 3 must be a channel or a memfd segment, not the string \"e\"", x.getMessage());
        x = assertThrows(IpcException.class, () -> call("spawn", List.of("true"), opts("fds", Map.of("3", e), "pty", true)));
        assertEquals("spawn: :fds cannot be given with :pty", x.getMessage());
        x = assertThrows(IpcException.class, () -> call("memfd", "m", opts("size", 8L, "seal", List.of(kw("writ")))));
        assertEquals("memfd: unknown seal :writ; seals are :shrink :grow :write :future-write :seal", x.getMessage());
    }
}
