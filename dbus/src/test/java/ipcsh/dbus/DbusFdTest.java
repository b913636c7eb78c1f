package ipcsh.dbus;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static ipcsh.dbus.PrivateBus.call;
import static ipcsh.dbus.PrivateBus.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unix fds (D-Bus type h) both ways between ipcsh and a python3-dbus service that reads and makes pipes. */
@Timeout(120)
class DbusFdTest {
    static PrivateBus pb;
    static Process service;
    static Bus bus;

    @BeforeAll
    static void start() throws Exception {
        pb = new PrivateBus();
        Path script = pb.dir.resolve("fd_service.py");
        try (var in = DbusFdTest.class.getResourceAsStream("/fd_service.py")) {
            Files.write(script, in.readAllBytes());
        }
        service = new ProcessBuilder("/usr/bin/python3", script.toString(), pb.address).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertEquals("ready", new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8)).readLine());
        bus = (Bus) call("dbus", pb.address);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bus != null) call("close", bus);
        if (service != null) {
            service.destroy();
            service.waitFor(5, TimeUnit.SECONDS);
        }
        pb.close();
    }

    static Object fds(String method, Object... args) {
        Object[] all = new Object[5 + args.length];
        all[0] = bus;
        all[1] = "org.example.Fds";
        all[2] = "/org/example/Fds";
        all[3] = "org.example.Fds";
        all[4] = method;
        System.arraycopy(args, 0, all, 5, args.length);
        return call("dbus-call", all);
    }

    /** A pipe holding text, its write end closed: the read end, to be given away. */
    static Channel pipeWith(String text) {
        List<?> ends = (List<?>) call("pipe");
        call("write", ends.get(1), text);
        call("close", ends.get(1));
        return (Channel) ends.get(0);
    }

    @Test
    void aPipeSentIsReadByThePeerAndStaysOpenHere() {
        Channel r = pipeWith("hello through h\n");
        assertEquals("hello through h\n", fds("Read", r));
        assertFalse(r.isClosed(), "the peer got a copy; ours is still ours to close");
        call("close", r);
    }

    @Test
    void aDescriptorReceivedIsAChannelToReadFrom() {
        Object ch = fds("Make", "from python");
        assertTrue(ch instanceof Channel, String.valueOf(ch));
        assertEquals("from python", call("read", ch));
        call("close", ch);
    }

    /** Reads glue messages together: a reply's descriptor may arrive in the middle of a read, behind signals. */
    @Test
    void aDescriptorBehindOtherMessagesGoesToItsOwnMessage() {
        int[] noise = {0};
        Object w = call("dbus-on", bus, opts("member", "Noise"), (ipcsh.Callback) a -> noise[0]++);
        try {
            for (int i = 0; i < 50; i++) {
                Object ch = fds("MakeAfterNoise", 200L, "behind " + i);
                assertTrue(ch instanceof Channel, String.valueOf(ch));
                assertEquals("behind " + i, call("read", ch));
                call("close", ch);
            }
            assertTrue(PrivateBus.loopUntil(() -> noise[0] == 50 * 200, 20_000), noise[0] + " signals");
        } finally {
            call("cancel", w);
        }
    }

    @Test
    void thousandsOfDescriptorsBothWaysLeakNone() {
        int before = openHere();
        Object peerBefore = fds("OpenFds");
        for (int i = 0; i < 1000; i++) {
            Channel r = pipeWith("round " + i);
            assertEquals("round " + i, fds("Read", r));
            call("close", r);
            Object ch = fds("Make", "back " + i);
            assertEquals("back " + i, call("read", ch));
            call("close", ch);
        }
        assertEquals(peerBefore, fds("OpenFds"), "the peer's descriptors");
        assertTrue(openHere() <= before + 2, "descriptors here: " + before + " before, " + openHere() + " after");
    }

    @Test
    void anFdCallsArgumentIsAChannelAndOneNobodyTakesIsClosed() {
        List<Object> got = new java.util.ArrayList<>();
        ipcsh.Callback take = a -> {
            got.add(a[0]);
            call("close", a[0]);
            return null;
        };
        Object export = call("dbus-export", bus, "/org/example/Here", "org.example.Here", java.util.Map.of("Take", opts("in", "h", "fn", take)));
        try {
            int before = openHere();
            fds("CallWithFds", bus.uniqueName, "Take", 100L, opts("on-reply", (ipcsh.Callback) a -> null));
            assertTrue(PrivateBus.loopUntil(() -> got.size() == 100, 20_000), got.size() + " calls served");
            assertTrue(got.stream().allMatch(c -> c instanceof Channel), got.toString());
            Object[] failed = new Object[1];
            fds("CallWithFds", bus.uniqueName, "Nope", 100L, opts("on-reply", (ipcsh.Callback) a -> failed[0] = a[0]));
            assertTrue(PrivateBus.loopUntil(() -> failed[0] != null, 20_000));
            assertEquals(100L, ((java.util.Map<?, ?>) failed[0]).get("value"), "every call to a method not exported failed");
            assertTrue(openHere() <= before + 2, "descriptors here: " + before + " before, " + openHere() + " after");
        } finally {
            call("cancel", export);
        }
    }

    @Test
    void anExportedMethodReturnsAChannelAsAnFd() {
        ipcsh.Callback give = a -> pipeWith("given by an export");
        Object export = call("dbus-export", bus, "/org/example/Here", "org.example.Here", java.util.Map.of("Give", opts("out", "h", "fn", give)));
        try {
            Object[] got = new Object[1];
            fds("ReadFrom", bus.uniqueName, opts("on-reply", (ipcsh.Callback) a -> got[0] = a[0]));
            assertTrue(PrivateBus.loopUntil(() -> got[0] != null, 10_000));
            assertEquals("given by an export", ((java.util.Map<?, ?>) got[0]).get("value"), String.valueOf(got[0]));
        } finally {
            call("cancel", export);
        }
    }

    @Test
    void aSignalsFdIsOneChannelForEveryWatchThatSeesIt() {
        int before = openHere();
        List<Object> got = new java.util.ArrayList<>();
        ipcsh.Callback f = a -> got.add(((java.util.Map<?, ?>) a[0]).get("args"));
        Object w1 = call("dbus-on", bus, opts("member", "Piped"), f);
        Object w2 = call("dbus-on", bus, opts("member", "Piped"), f);
        fds("Signal", "signalled");
        assertTrue(PrivateBus.loopUntil(() -> got.size() == 2, 10_000), got.toString());
        Object ch = ((List<?>) got.get(0)).get(0);
        assertTrue(ch instanceof Channel && ch == ((List<?>) got.get(1)).get(0), got.toString());
        assertEquals("signalled", call("read", ch));
        call("close", ch);
        call("cancel", w1);
        call("cancel", w2);
        assertTrue(openHere() <= before + 2, "descriptors here: " + before + " before, " + openHere() + " after");
    }

    @Test
    void aMonitorShowsAnFdAsAClosedChannelAndKeepsNoCopy() {
        Channel m = (Channel) call("dbus-monitor", bus, opts("match", "member='Write'", "print", false));
        try {
            List<?> ends = (List<?>) call("pipe");
            fds("Write", ends.get(1), "past the monitor");
            call("close", ends.get(1));
            Channel r = (Channel) ends.get(0);
            assertEquals("past the monitor", call("read", r, 16L));
            // the reader sees the end (POLLHUP) only if no copy of the write end is left open anywhere, the monitor included
            short[] revents = new short[1];
            ipcsh.os.LibC.get().poll(new int[] {r.readFd()}, new short[] {ipcsh.os.LibC.POLLIN}, revents, 5000);
            assertTrue((revents[0] & ipcsh.os.LibC.POLLHUP) != 0, "the pipe's end within 5 s: revents " + revents[0]);
            call("close", r);
            java.util.Map<?, ?> c = (java.util.Map<?, ?>) call("recv", m, opts("timeout", 5000L));
            assertEquals("Write", c.get("member"));
            Object fd = ((List<?>) c.get("args")).get(0);
            assertTrue(fd instanceof Channel ch && ch.isClosed() && ch.describe().contains("pipe"), String.valueOf(fd));
        } finally {
            call("close", m);
        }
    }

    @Test
    void whatCannotGoAsAnFdIsAOneLineError() {
        IpcException s = assertThrows(IpcException.class, () -> fds("Read", "not a channel"));
        assertTrue(s.getMessage().contains("must be a channel or a memfd segment, not the string \"not a channel\""), s.getMessage());
        Channel r = pipeWith("x");
        call("close", r);
        IpcException closed = assertThrows(IpcException.class, () -> fds("Read", r));
        assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
        Channel open = pipeWith("y");
        IpcException nested = assertThrows(IpcException.class, () -> fds("Read", List.of(open), opts("signature", "ah")));
        assertTrue(nested.getMessage().contains("inside arrays, dicts, structs or variants are not supported"), nested.getMessage());
        for (IpcException e : List.of(s, closed, nested)) assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals("y", fds("Read", open), "the bus connection is still fine");
        call("close", open);
    }

    private static int openHere() {
        String[] names = new File("/proc/self/fd").list();
        return names == null ? -1 : names.length;
    }
}
