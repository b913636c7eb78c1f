package ipcsh.groups;

import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.fn;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durations, sizes, counts and flags: out of range or of the wrong type is a clear error naming
 * the builtin and the argument or option, before anything waits or is made.
 */
@Timeout(30)
class ArgumentCheckTest {
    private final TempDir tmp = new TempDir();
    private static final BigInteger HUGE = new BigInteger("99999999999999999999");

    @AfterEach
    void cleanUp() {
        tmp.close();
    }

    private static void fails(String message, Executable call) {
        IpcException e = assertThrows(IpcException.class, call);
        assertEquals(message, e.getMessage());
    }

    private static Channel[] pipe() {
        List<?> p = (List<?>) call("pipe");
        return new Channel[] {(Channel) p.get(0), (Channel) p.get(1)};
    }

    @Test
    void negativeHugeAndFractionalDurationsAreErrorsNotHangs() {
        fails("sleep: ms must be 0 or more, not -5", () -> call("sleep", -5L));
        fails("sleep: ms must be at most 2147483647 ms (about 24.9 days), not 99999999999999999999", () -> call("sleep", HUGE));
        fails("sleep: ms must be at most 2147483647 ms (about 24.9 days), not 100000000000000000000", () -> call("sleep", 1e20));
        fails("sleep: ms must be a whole number of milliseconds (0 to 2147483647), not the number 2.5", () -> call("sleep", 2.5));
        assertNull(call("sleep", 0L));
        fails("sleep: ms cannot be a function", () -> call("sleep", fn(x -> {})));
        fails("wait-for: option :timeout cannot be a function", () -> call("wait-for", fn(x -> {}), opts("timeout", fn(x -> {}))));
        fails("wait-for: option :timeout must be 0 or more, not -1",
                () -> call("wait-for", fn(x -> {}), opts("timeout", -1L)));
        fails("after: ms must be 0 or more, not -1", () -> call("after", -1L, fn(x -> {})));
        fails("every: ms must be at most 2147483647 ms (about 24.9 days), not 4294967296",
                () -> call("every", 4294967296L, fn(x -> {})));
        fails("every: ms must be 1 or more, not 0", () -> call("every", 0L, fn(x -> {})));
    }

    @Test
    void configureRejectsOutOfRangeValuesAndKeepsTheOldOnes() {
        Channel r = pipe()[0];
        call("configure", r, opts("timeout", 250L));
        fails("configure " + r.describe() + ": option :timeout must be 0 or more, not -5", () -> call("configure", r, opts("timeout", -5L)));
        fails("configure " + r.describe() + ": option :timeout must be at most 2147483647 ms (about 24.9 days), not 99999999999999999999",
                () -> call("configure", r, opts("timeout", HUGE)));
        fails("configure " + r.describe() + ": option :max-frame must be 1 or more, not -1", () -> call("configure", r, opts("max-frame", -1L)));
        fails("configure " + r.describe() + ": option :max-frame must be 1 or more, not 0", () -> call("configure", r, opts("max-frame", 0L)));
        fails("configure " + r.describe() + ": option :buffer-size must be at most 1073741824 bytes (1 GiB), not 1073741825",
                () -> call("configure", r, opts("buffer-size", 1073741825L)));
        fails("configure " + r.describe() + ": option :blocking must be true or false, not the string \"yes\"",
                () -> call("configure", r, opts("blocking", "yes")));
        // all checked before any is set: the good :blocking false is not applied either
        fails("configure " + r.describe() + ": option :timeout must be 0 or more, not -1",
                () -> call("configure", r, opts("blocking", false, "timeout", -1L)));
        assertEquals(true, r.configure("blocking"));
        assertEquals(250L, r.configure("timeout"));
        call("configure", r, opts("timeout", null));
        assertNull(r.configure("timeout"));
        r.close();
    }

    @Test
    void sizesAndCountsAreCheckedBeforeAnyRead() {
        Channel[] p = pipe();
        fails("read: n must be 0 or more, not -3", () -> call("read", p[0], -3L));
        fails("read: n must be a whole number (0 to 1073741824), not the string \"abc\"", () -> call("read", p[0], "abc"));
        fails("copy: option :size must be 0 or more, not -1", () -> call("copy", p[0], p[1], opts("size", -1L)));
        fails("copy: option :progress must be true or false, not the string \"yes\"",
                () -> call("copy", p[0], p[1], opts("progress", "yes")));
        p[0].close();
        p[1].close();
    }

    @Test
    void theLargestReadCountReadsWhatThereIsWithoutAllocatingItAll() {
        for (int i = 0; i < 20; i++) {
            Channel[] p = pipe();
            call("configure", p[0], opts("encoding", kw("binary")));
            call("write", p[1], "0123456789".repeat(1000));
            call("close", p[1]);
            assertEquals(10_000, ((byte[]) call("read", p[0], 1L << 30)).length);
            p[0].close();
        }
    }

    @Test
    void exitStatusOutsideAByteIsAnError() {
        fails("exit: status must be at most 255, not 256", () -> call("exit", 256L));
        fails("exit: status must be 0 or more, not -1", () -> call("exit", -1L));
        assertEquals(255, assertThrows(ExitRequest.class, () -> call("exit", 255L)).status());
    }

    @Test
    void processWaitTimeoutIsADuration() {
        Channel p = (Channel) call("spawn", "true");
        fails("wait: timeout-ms must be 0 or more, not -1", () -> call("wait", p, -1L));
        assertEquals(0L, call("wait", p, 5000L));
        p.close();
    }

    @Test
    void socketPortsAndBacklogAreCheckedBeforeBinding() {
        fails("listen: option :backlog must be 0 or more, not -1",
                () -> call("listen", kw("tcp"), 0L, fn(x -> {}), opts("backlog", -1L)));
        fails("listen: port must be at most 65535, not 70000", () -> call("listen", kw("tcp"), 70000L, fn(x -> {})));
        fails("udp: port must be at most 65535, not 65536", () -> call("udp", opts("bind", 65536L)));
        fails("udp: port must be 0 or more, not -1", () -> call("udp", opts("connect", List.of("127.0.0.1", -1L))));
    }

    @Test
    void fifoWithABadOptionFailsAtOnceAndTheWritersDataIsKept() throws Exception {
        String path = tmp.file("f.fifo");
        call("mkfifo", path);
        Process writer = T.start("sh", "-c", "echo kept > '" + path + "'");
        try {
            long t0 = System.nanoTime();
            fails("fifo: unknown option :bogus (options: :create :mode :nonblock :temp, and the channel's :blocking :buffering "
                    + ":buffer-size :encoding :encoding-errors :translation :eofchar :timeout :framing :max-frame :max-queue :max-depth)",
                    () -> call("fifo", path, kw("read"), opts("bogus", 1L)));
            fails("fifo: option :timeout must be 0 or more, not -5", () -> call("fifo", path, kw("read"), opts("timeout", -5L)));
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "rejected without waiting for a writer");
            Channel r = (Channel) call("fifo", path, kw("read"), opts("timeout", 5000L));
            assertEquals("kept", call("gets", r));
            r.close();
        } finally {
            T.kill(writer);
        }
    }

    @Test
    void openersMakeNothingWhenAnArgumentOrOptionIsBad() throws Exception {
        String fifo = tmp.file("sideways.fifo");
        fails("fifo: argument 2 must be :read, :write or :rw, not the keyword :sideways; usage: (fifo path mode) or (fifo path mode opts)",
                () -> call("fifo", fifo, kw("sideways")));
        fails("fifo: option :nonblock must be true or false, not the string \"yes\"",
                () -> call("fifo", fifo, kw("write"), opts("nonblock", "yes")));
        fails("mkfifo: option :mode must be at most 4095, not 4096", () -> call("mkfifo", fifo, opts("mode", 4096L)));
        assertFalse(Files.exists(Path.of(fifo)), "no FIFO made");

        String file = tmp.file("f.txt");
        fails("open-file: option :timeout must be 0 or more, not -1", () -> call("open-file", file, kw("write"), opts("timeout", -1L)));
        fails("open-file: argument 2 must be :read, :write, :append or :rw, not the keyword :sideways; usage: "
                + "(open-file path) or (open-file path mode) or (open-file path mode opts)", () -> call("open-file", file, kw("sideways")));
        assertFalse(Files.exists(Path.of(file)), "no file made");

        String sock = tmp.file("d.sock");
        IpcException framing = assertThrows(IpcException.class, () -> call("unix-dgram", sock, opts("framing", kw("xml"))));
        assertTrue(framing.getMessage().startsWith("unix-dgram: unknown :framing xml"), framing.getMessage());
        fails("unix-dgram: option :buffer-size must be 1 or more, not 0", () -> call("unix-dgram", sock, opts("buffer-size", 0L)));
        fails("listen: option :backlog must be at most 65535, not 65536",
                () -> call("listen", kw("unix"), sock, fn(x -> {}), opts("backlog", 65536L)));
        assertFalse(Files.exists(Path.of(sock)), "no socket file made");

        String marker = tmp.file("spawned");
        fails("spawn: option :blocking must be true or false, not the string \"yes\"",
                () -> call("spawn", List.of("touch", marker), opts("blocking", "yes")));
        fails("spawn: option :timeout must be 0 or more, not -1",
                () -> call("spawn", List.of("touch", marker), Map.of("timeout", -1L)));
        Thread.sleep(300);
        assertFalse(Files.exists(Path.of(marker)), "no child started");
    }

    @Test
    void connectChecksOptionsBeforeConnecting() throws Exception {
        List<Object> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        Channel srv = (Channel) call("listen", kw("tcp"), 0L, fn(x -> accepted.add(x[0])), opts("host", "127.0.0.1"));
        long port = (Long) srv.configure("port");
        fails("connect: option :timeout must be 0 or more, not -5",
                () -> call("connect", kw("tcp"), "127.0.0.1", port, opts("timeout", -5L)));
        fails("connect: option :max-frame must be 1 or more, not 0",
                () -> call("connect", kw("tcp"), "127.0.0.1", port, opts("max-frame", 0L)));
        T.loopUntil(() -> !accepted.isEmpty(), 300);
        assertTrue(accepted.isEmpty(), "no connection made");
        srv.close();
    }

    /** The native boundary's own check, for a caller that skipped the argument layer: one C string at a time, the same words. */
    @Test
    void nativeCallsRefuseANulInAnyCStringWithTheSameWords() {
        ipcsh.os.LibC c = ipcsh.os.LibC.get();
        String tail = "has a NUL byte at index ";
        String f = tmp.file("made");
        String words = ", where the OS would cut it short: names, paths, programs and arguments cannot hold NUL";
        fails("open: C string \"" + f + "\\0y\" " + tail + f.length() + words,
                () -> c.open(f + "\0y", ipcsh.os.LibC.O_RDWR | ipcsh.os.LibC.O_CREAT, 0600));
        fails("mkfifo: C string \"" + f + "\\0y\" " + tail + f.length() + words, () -> c.mkfifo(f + "\0y", 0600));
        fails("mq_open: C string \"/q\\0y\" " + tail + 2 + words, () -> c.mqOpen("/q\0y", ipcsh.os.LibC.O_RDWR, 0600, 0, 0));
        fails("shm_open: C string \"/q\\0y\" " + tail + 2 + words, () -> c.shmOpen("/q\0y", ipcsh.os.LibC.O_RDWR, 0600));
        fails("sem_open: C string \"/q\\0y\" " + tail + 2 + words, () -> c.semOpen("/q\0y", 0, 0600, 1));
        fails("getaddrinfo: C string \"localhost\\0x\" " + tail + 9 + words, () -> c.getaddrinfo("localhost\0x", 0, 0));
        fails("posix_spawnp: C string \"touch\\0x\" " + tail + 5 + words,
                () -> c.spawn(new String[] {"touch\0x", f}, new String[0], null, new int[] {-1, -1, -1}));
        fails("posix_spawnp: C string \"" + f + "\\0y\" " + tail + f.length() + words,
                () -> c.spawn(new String[] {"touch", f + "\0y"}, new String[0], null, new int[] {-1, -1, -1}));
        assertFalse(Files.exists(Path.of(f)), "something was made under the cut name");
        assertFalse(Files.exists(Path.of("/dev/mqueue/q")));
    }
}
