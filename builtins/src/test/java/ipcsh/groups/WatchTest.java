package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.TimeoutError;
import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.fn;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** inotify watches as message channels, and wait-for-path, against files made by sh, mv and socat. */
@Timeout(120)
class WatchTest {
    private final TempDir tmp = new TempDir();
    private final Path dir = tmp.path;
    private final List<Channel> open = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        open.forEach(Channel::close);
        tmp.close();
    }

    private Channel watch(Object... args) {
        Channel w = (Channel) call("watch", args);
        open.add(w);
        return w;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> recv(Channel w) {
        return (Map<String, Object>) call("recv", w, opts("timeout", 20_000L));
    }

    private static int sh(String script) {
        try (Peer p = Peer.start("sh", "-c", script)) {
            int status = p.waitFor(60);
            assertEquals(0, status, p.output());
            return status;
        }
    }

    @Test
    void everyFileAShellLoopMakesIsSeenOnceWhileItRuns() {
        Channel w = watch(dir.toString(), opts("events", List.of(kw("create"))));
        int n = 10_000;
        try (Peer loop = Peer.start("sh", "-c", "cd " + dir + " && i=0; while [ $i -lt " + n + " ]; do : > f$i; i=$((i+1)); done")) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < n; i++) {
                Map<String, Object> e = recv(w);
                assertEquals(kw("create"), e.get("event"), "event " + i + ": " + e);
                assertTrue(seen.add((String) e.get("name")), "seen twice: " + e);
                assertEquals(dir + "/" + e.get("name"), e.get("path"));
                assertEquals(false, e.get("dir?"));
            }
            assertEquals(0, loop.waitFor(60), loop.output());
            for (int i = 0; i < n; i++) assertTrue(seen.contains("f" + i), "f" + i + " not seen");
            assertNull(call("recv", w, opts("nonblock", true)), "nothing more: each create once");
        }
    }

    @Test
    void aRenameIsAMovedFromAndMovedToWithOneCookie() throws Exception {
        Files.writeString(dir.resolve("old"), "x");
        Channel w = watch(dir.toString(), opts("events", List.of(kw("move"))));
        sh("mv " + dir + "/old " + dir + "/new");
        Map<String, Object> from = recv(w), to = recv(w);
        assertEquals(kw("moved-from"), from.get("event"));
        assertEquals(dir + "/old", from.get("path"));
        assertEquals(kw("moved-to"), to.get("event"));
        assertEquals(dir + "/new", to.get("path"));
        assertNotEquals(0L, from.get("cookie"));
        assertEquals(from.get("cookie"), to.get("cookie"));
    }

    @Test
    void aFullKernelQueueIsReportedAsOverflow() throws Exception {
        long max = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).get(0).trim());
        Channel w = watch(dir.toString(), opts("events", List.of(kw("create"))));
        // nobody reads while the loop makes more files than the kernel queues
        sh("cd " + dir + " && i=0; while [ $i -lt " + (max + 500) + " ]; do : > f$i; i=$((i+1)); done");
        int creates = 0;
        Map<String, Object> e;
        try {
            while ((e = recv(w)).get("event").equals(kw("create"))) creates++;
        } catch (TimeoutError t) {
            throw new AssertionError("no :overflow after " + creates + " creates, queue " + max, t);
        }
        assertEquals(kw("overflow"), e.get("event"), "after " + creates + " creates: " + e);
        assertEquals(dir.toString(), e.get("path"));
        assertTrue(creates < max + 500 && creates >= max - 1, creates + " creates before the overflow, queue " + max);
    }

    @Test
    void aRecursiveWatchSeesDirectoriesMadeLaterAndWhatIsAlreadyInThem() throws Exception {
        Files.createDirectories(dir.resolve("old/deep"));
        Channel w = watch(dir.toString(), opts("recursive", true, "events", List.of(kw("create"))));
        sh("touch " + dir + "/old/deep/x && mkdir -p " + dir + "/a/b/c && touch " + dir + "/a/b/c/f");
        Set<String> paths = new HashSet<>();
        while (!paths.contains(dir + "/a/b/c/f")) {
            Map<String, Object> e = recv(w);
            assertEquals(kw("create"), e.get("event"), e.toString());
            paths.add((String) e.get("path"));
        }
        assertTrue(paths.containsAll(List.of(dir + "/old/deep/x", dir + "/a", dir + "/a/b", dir + "/a/b/c")), paths.toString());
        assertEquals(6L, w.configure("watches"), "the top, old, old/deep, a, a/b and a/b/c");
    }

    @Test
    void onReadableAndExpectWorkOnAWatch() {
        Channel w = watch(dir.toString());
        List<Object> got = new ArrayList<>();
        call("on-readable", w, fn(a -> got.add(call("recv", a[0]))));
        sh("mkdir " + dir + "/sub");
        assertTrue(T.loopUntil(() -> !got.isEmpty(), 10_000));
        call("on-readable", w, null);
        assertEquals(Map.of("event", kw("create"), "path", dir + "/sub", "name", "sub", "dir?", true, "cookie", 0L), got.get(0));
        sh("touch " + dir + "/ready");
        Map<?, ?> m = (Map<?, ?>) call("expect", w, Pattern.compile("\"event\":\"close-write\",\"path\":\"([^\"]*)\""),
                opts("timeout", 10_000L));
        assertEquals(List.of(dir + "/ready"), m.get("groups"));
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsWatched() {
        IpcException e = assertThrows(IpcException.class, () -> call("watch", dir.toString(), opts("events", List.of(kw("creat")))));
        assertTrue(e.getMessage().startsWith("watch: unknown event :creat; events are :create"), e.getMessage());
        e = assertThrows(IpcException.class, () -> call("watch", dir + "/missing"));
        assertEquals("watch \"" + dir + "/missing\": No such file or directory (ENOENT)", e.getMessage());
        e = assertThrows(IpcException.class, () -> call("watch", dir.toString(), opts("recursve", true)));
        assertTrue(e.getMessage().startsWith("watch: unknown option :recursve"), e.getMessage());
    }

    @Test
    void closingAWatchRemovesIt() throws Exception {
        Channel w = watch(dir.toString());
        long before = inotifyWatchesOfThisProcess();
        call("close", w);
        assertEquals(before - 1, inotifyWatchesOfThisProcess());
        assertTrue(w.isClosed());
    }

    /** inotify watches this process holds, from /proc/self/fdinfo ("inotify wd:" lines). */
    private static long inotifyWatchesOfThisProcess() throws Exception {
        long n = 0;
        try (var s = Files.list(Path.of("/proc/self/fdinfo"))) {
            for (Path p : s.toList()) {
                try {
                    n += Files.readAllLines(p).stream().filter(l -> l.startsWith("inotify wd:")).count();
                } catch (java.io.IOException gone) {
                    // closed meanwhile
                }
            }
        }
        return n;
    }

    @Test
    void waitForPathReturnsWhenSocatListensThere() throws Exception {
        String sock = dir + "/svc/echo.sock";
        try (Peer socat = Peer.start("sh", "-c", "sleep 0.5; mkdir " + dir + "/svc; exec socat UNIX-LISTEN:" + sock + " EXEC:cat")) {
            Object got;
            try {
                got = call("wait-for-path", sock, opts("type", kw("socket"), "timeout", 30_000L));
            } catch (TimeoutError e) {
                throw new AssertionError(e.getMessage() + "; socat said: " + socat.output(), e);
            }
            assertEquals(sock, got);
            Channel c = (Channel) call("connect", kw("unix"), sock);
            open.add(c);
            call("puts", c, "hello");
            assertEquals("hello", call("gets", c));
        }
    }

    /** A socket file appears at bind and listens a moment later: no round may miss the listen (each look is one look). */
    @Test
    void waitForPathNeverMissesASocatStartingThatMoment() {
        for (int round = 0; round < 150; round++) {
            String sock = dir + "/r" + round + ".sock";
            try (Peer socat = Peer.start("socat", "UNIX-LISTEN:" + sock, "EXEC:cat")) {
                Object got;
                try {
                    got = call("wait-for-path", sock, opts("type", kw("socket"), "timeout", 20_000L));
                } catch (TimeoutError e) {
                    throw new AssertionError("round " + round + ": " + e.getMessage() + "; socat said: " + socat.output(), e);
                }
                assertEquals(sock, got);
                Channel c = (Channel) call("connect", kw("unix"), sock);
                call("close", c);
            }
        }
    }

    @Test
    void waitForPathWaitsPastTheWrongTypeAndTimesOut() throws Exception {
        Files.writeString(dir.resolve("f"), "");
        assertEquals(dir + "/f", call("wait-for-path", dir + "/f", opts("timeout", 0L)));
        long t0 = System.nanoTime();
        TimeoutError e = assertThrows(TimeoutError.class,
                () -> call("wait-for-path", dir + "/f", opts("type", kw("fifo"), "timeout", 300L)));
        assertTrue(System.nanoTime() - t0 >= 300_000_000L);
        assertEquals("wait-for-path " + dir + "/f: timed out after 300 ms", e.getMessage());
        try (Peer p = Peer.start("sh", "-c", "sleep 0.3; rm " + dir + "/f; mkfifo " + dir + "/f")) {
            assertEquals(dir + "/f", call("wait-for-path", dir + "/f", opts("type", kw("fifo"), "timeout", 30_000L)));
            assertTrue(Files.exists(dir.resolve("f")));
        }
        IpcException bad = assertThrows(IpcException.class, () -> call("wait-for-path", dir + "/f", opts("type", kw("sock"))));
        assertEquals("wait-for-path: :type must be :any, :file, :dir, :fifo or :socket, not :sock", bad.getMessage());
        assertFalse(Files.exists(dir.resolve("sock")));
    }
}
