package ipcsh.dbus;

import ipcsh.Callback;
import ipcsh.IpcException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static ipcsh.dbus.PrivateBus.call;
import static ipcsh.dbus.PrivateBus.loopUntil;
import static ipcsh.dbus.PrivateBus.opts;
import static ipcsh.dbus.PrivateBus.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The D-Bus builtins against a private dbus-daemon, a python3-dbus echo service, busctl and dbus-send. */
@Timeout(120)
class DbusTest {
    static PrivateBus pb;
    static Bus bus;
    static final String DEST = "org.example.Echo", PATH = "/org/example/Echo", IFACE = "org.example.Echo";

    @BeforeAll
    static void start() throws Exception {
        pb = new PrivateBus();
        pb.startEcho();
        bus = (Bus) call("dbus", pb.address);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bus != null) call("close", bus);
        pb.close();
    }

    static Object echo(String sig, Object... args) {
        Object[] all = new Object[6 + args.length];
        all[0] = bus;
        all[1] = DEST;
        all[2] = PATH;
        all[3] = IFACE;
        all[4] = "Echo";
        System.arraycopy(args, 0, all, 5, args.length);
        all[all.length - 1] = opts("signature", sig);
        return call("dbus-call", all);
    }

    static Object daemon(String member, Object... args) {
        Object[] all = new Object[5 + args.length];
        all[0] = bus;
        all[1] = "org.freedesktop.DBus";
        all[2] = "/org/freedesktop/DBus";
        all[3] = "org.freedesktop.DBus";
        all[4] = member;
        System.arraycopy(args, 0, all, 5, args.length);
        return call("dbus-call", all);
    }

    static void oneLineError(String containing, Executable e) {
        IpcException x = assertThrows(IpcException.class, e);
        assertTrue(x.getMessage().contains(containing), x.getMessage());
        assertFalse(x.getMessage().contains("\n"), x.getMessage());
    }

    @Test
    void callsTheBusDaemon() {
        List<?> names = (List<?>) daemon("ListNames");
        assertTrue(names.contains(bus.uniqueName) && names.contains(DEST), names.toString());
        assertTrue(((String) daemon("GetId")).matches("[0-9a-f]{32}"));
        assertEquals(pb.echo.pid(), daemon("GetConnectionUnixProcessID", DEST));
        assertEquals(pb.daemon.pid(), daemon("GetConnectionUnixProcessID", "org.freedesktop.DBus"));
    }

    @Test
    void namesAndOwnersCarryTheirProcesses() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) call("dbus-names", bus);
        Map<String, Object> echo = rows.stream().filter(r -> r.get("name").equals(DEST)).findFirst().orElseThrow();
        assertEquals(pb.echo.pid(), echo.get("pid"));
        assertTrue(((String) echo.get("command")).contains("echo_service.py"), echo.toString());
        Map<String, Object> me = rows.stream().filter(r -> r.get("name").equals(bus.uniqueName)).findFirst().orElseThrow();
        assertEquals(ProcessHandle.current().pid(), me.get("pid"));
        assertEquals(pb.echo.pid(), ((Map<?, ?>) call("dbus-owner", bus, DEST)).get("pid"));
        assertNull(call("dbus-owner", bus, "org.example.Nobody"));
    }

    @Test
    void everyBasicTypeRoundTrips() {
        BigInteger maxU64 = new BigInteger("18446744073709551615");
        List<Object> all = List.of(255L, true, -32768L, 65535L, -2147483648L, 4294967295L, Long.MIN_VALUE, maxU64, 2.5, "hé\u00e9", "/a/b_1", "a{sv}");
        assertEquals(all, echo("ybnqiuxtdsog", all.toArray()));
        assertEquals(0L, echo("y", 0L));
        assertEquals(Long.MAX_VALUE, echo("t", Long.MAX_VALUE));
        assertArrayEquals("hi\0there".getBytes(StandardCharsets.UTF_8), (byte[]) echo("ay", "hi\0there".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void containersAndVariantsRoundTrip() {
        assertEquals(Map.of("a", 1L, "b", "x", "c", List.of(1L, 2L)), echo("a{sv}", Map.of("a", 1L, "b", "x", "c", List.of(1L, 2L))));
        assertEquals(List.of(List.of(1L, "x"), List.of(Map.of("k", "v"))), echo("(is)aa{ss}", List.of(1L, "x"), List.of(Map.of("k", "v"))));
        assertEquals(Map.of(7L, List.of(List.of(true, 1.5))), echo("a{ua(bd)}", Map.of("7", List.of(List.of(true, 1.5)))));
        assertEquals(5L, echo("v", call("dbus-variant", "u", 5L)));
        assertEquals(List.of(), echo("as", List.of()));
        assertEquals(List.of(List.of()), echo("aas", List.of(List.of())));
    }

    @Test
    void anIntrospectedSignatureNeedsNoOption() {
        assertEquals("hello", call("dbus-call", bus, DEST, PATH, IFACE, "Str", "hello"));
        Map<?, ?> data = (Map<?, ?>) call("dbus-introspect", bus, DEST, PATH);
        assertTrue(data.toString().contains("name=Str"), data.toString());
        assertEquals(List.of("/", "/org", "/org/example", "/org/example/Echo"), call("dbus-tree", bus, DEST));
    }

    @Test
    void propertiesGetSetAndAll() {
        assertEquals(5L, call("dbus-get", bus, DEST, PATH, IFACE, "Volume"));
        call("dbus-set", bus, DEST, PATH, IFACE, "Volume", 9L, opts("signature", "u"));
        assertEquals(9L, call("dbus-get", bus, DEST, PATH, IFACE, "Volume"));
        call("dbus-set", bus, DEST, PATH, IFACE, "Volume", call("dbus-variant", "u", 11L));
        assertEquals(Map.of("Volume", 11L, "Label", "speaker"), call("dbus-props", bus, DEST, PATH, IFACE));
        // the service's introspection data does not declare the property: a plain 12 goes as an i, which it refuses
        oneLineError("org.freedesktop.DBus.Error.InvalidArgs: Volume takes a u", () -> call("dbus-set", bus, DEST, PATH, IFACE, "Volume", 12L));
    }

    @Test
    void ctrlCEndsAWaitingCall() {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            ipcsh.chan.Interrupts.interrupt();
        });
        long t0 = System.nanoTime();
        t.start();
        try {
            oneLineError("interrupted", () -> call("dbus-call", bus, DEST, PATH, IFACE, "Sleep", 5000L));
        } finally {
            ipcsh.chan.Interrupts.clear();
        }
        assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "Ctrl-C ended the wait well before the 5 s reply");
    }

    @Test
    void onReplyDoesNotWaitAndCanCallThisShellsOwnExport() {
        AtomicReference<Object> got = new AtomicReference<>();
        Object e = call("dbus-export", bus, "/self", "org.example.Self",
                Map.of("Twice", Map.of("in", "s", "out", "s", "fn", (Callback) xs -> xs[0] + "" + xs[0])));
        try {
            oneLineError("is this shell's own connection", () -> call("dbus-call", bus, bus.uniqueName, "/self", "org.example.Self", "Twice", "ab"));
            assertNull(call("dbus-call", bus, bus.uniqueName, "/self", "org.example.Self", "Twice", "ab",
                    opts("on-reply", (Callback) xs -> {
                        got.set(xs[0]);
                        return null;
                    })));
            assertTrue(loopUntil(() -> got.get() != null, 10_000));
            assertEquals(Map.of("value", "abab"), got.get());
            got.set(null);
            call("dbus-call", bus, DEST, PATH, IFACE, "Fail", "later", opts("on-reply", (Callback) xs -> {
                got.set(xs[0]);
                return null;
            }));
            assertTrue(loopUntil(() -> got.get() != null, 10_000));
            assertEquals("org.example.Error.Busy", ((Map<?, ?>) got.get()).get("dbus-error"));
        } finally {
            call("cancel", e);
        }
    }

    @Test
    void activatableNamesAreMarked() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) call("dbus-names", bus, opts("activatable", true));
        Map<String, Object> daemon = rows.stream().filter(r -> r.get("name").equals("org.freedesktop.DBus")).findFirst().orElseThrow();
        assertEquals(true, daemon.get("activatable"));
        assertEquals(false, rows.stream().filter(r -> r.get("name").equals(DEST)).findFirst().orElseThrow().get("activatable"));
    }

    @Test
    void aDbusErrorReplyIsDataToCatch() {
        IpcException e = assertThrows(IpcException.class, () -> call("dbus-call", bus, DEST, PATH, IFACE, "Fail", "busy now"));
        assertEquals("org.example.Error.Busy", e.data().get("dbus-error"));
        assertEquals("busy now", e.data().get("dbus-message"));
        assertTrue(e.getMessage().endsWith("org.example.Error.Busy: busy now"), e.getMessage());
    }

    @Test
    void anFdRoundTripsThroughTheEchoServiceAsAChannel() {
        List<?> ends = (List<?>) call("pipe");
        Object back = echo("h", ends.get(0));
        assertTrue(back instanceof ipcsh.chan.Channel && back != ends.get(0), String.valueOf(back));
        call("write", ends.get(1), "one pipe, two descriptors");
        call("close", ends.get(1));
        call("close", ends.get(0));
        assertEquals("one pipe, two descriptors", call("read", back));
        call("close", back);
    }

    @Test
    void badInputIsOneLine() {
        oneLineError("300 is out of range for y (0 to 255)", () -> echo("y", 300L));
        oneLineError("-1 is out of range for u", () -> echo("u", -1L));
        oneLineError("bad D-Bus signature \"a{vs}\"", () -> echo("a{vs}", Map.of()));
        oneLineError("takes 2 arguments, not 1", () -> echo("ss", "x"));
        oneLineError("org.freedesktop.DBus.Error.ServiceUnknown", () -> call("dbus-call", bus, "org.nobody.Here", "/x", "a.b", "C"));
        oneLineError("no such file or directory", () -> call("dbus", "unix:path=" + pb.dir.resolve("none")));
        oneLineError("no reply within 200 ms", () -> call("dbus-call", bus, DEST, PATH, IFACE, "Sleep", 1500L, opts("timeout", 200L)));
        oneLineError("is not an object path", () -> call("dbus-call", bus, DEST, "no/slash", IFACE, "Str", "x"));
        oneLineError("must be a channel or a memfd segment, not the number 1", () -> echo("h", 1L));
        oneLineError("already exports", () -> {
            Object first = call("dbus-export", bus, "/twice", "org.example.Twice", Map.of());
            try {
                call("dbus-export", bus, "/twice", "org.example.Twice", Map.of());
            } finally {
                call("cancel", first);
            }
        });
        assertEquals("hello", call("dbus-call", bus, DEST, PATH, IFACE, "Str", "hello")); // the bus lives on
    }

    @Test
    void anExportedObjectAnswersBusctlAndDbusSend() throws Exception {
        AtomicInteger count = new AtomicInteger();
        Callback inc = xs -> (long) count.addAndGet(((Number) xs[0]).intValue());
        Callback boom = xs -> {
            throw new IllegalStateException("the counter is busy");
        };
        Object e = call("dbus-export", bus, "/org/example/Counter", "org.example.Counter",
                Map.of("Inc", Map.of("in", "i", "out", "i", "fn", inc),
                       "Boom", Map.of("fn", boom, "error", "org.example.Error.Busy")),
                opts("properties", Map.of("Count", Map.of("type", "i", "get", (Callback) xs -> (long) count.get()))));
        try {
            String a = "--address=" + pb.address;
            String[] r = run("busctl", a, "call", bus.uniqueName, "/org/example/Counter", "org.example.Counter", "Inc", "i", "5");
            assertEquals("i 5\n", r[0], r[1]);
            r = run("dbus-send", "--bus=" + pb.address, "--print-reply", "--dest=" + bus.uniqueName, "/org/example/Counter", "org.example.Counter.Inc", "int32:2");
            assertTrue(r[0].contains("int32 7"), r[0] + r[1]);
            r = run("busctl", a, "introspect", bus.uniqueName, "/org/example/Counter");
            assertTrue(r[0].contains(".Inc") && r[0].contains("method") && r[0].contains(".Count"), r[0] + r[1]);
            r = run("busctl", a, "get-property", bus.uniqueName, "/org/example/Counter", "org.example.Counter", "Count");
            assertEquals("i 7\n", r[0], r[1]);
            r = run("busctl", a, "call", bus.uniqueName, "/org/example/Counter", "org.example.Counter", "Boom");
            assertEquals("1", r[2]);
            assertTrue(r[1].contains("the counter is busy"), r[1]);
            r = run("dbus-send", "--bus=" + pb.address, "--print-reply", "--dest=" + bus.uniqueName, "/org/example/Counter", "org.example.Counter.Boom");
            assertTrue(r[1].contains("org.example.Error.Busy"), r[1]);
        } finally {
            call("cancel", e);
        }
        String[] r = run("busctl", "--address=" + pb.address, "call", bus.uniqueName, "/org/example/Counter", "org.example.Counter", "Inc", "i", "5");
        assertTrue(r[1].contains("UnknownObject") || r[1].contains("not an object"), r[1]);
    }

    @Test
    void aHundredThousandSignalsAreCountedAndCancelStopsThem() throws Exception {
        AtomicInteger n = new AtomicInteger();
        AtomicReference<Object> last = new AtomicReference<>();
        int rulesBefore = matchRules();
        Object w = call("dbus-on", bus, opts("interface", "org.example.Blast", "member", "Tick"), (Callback) xs -> {
            n.incrementAndGet();
            last.set(xs[0]);
            return null;
        });
        assertEquals(rulesBefore + 1, matchRules());
        int total = 100_000;
        Process peer = blast(total);
        assertTrue(loopUntil(() -> n.get() == total, 90_000), "signals counted: " + n.get());
        assertEquals(0, peer.waitFor());
        Map<?, ?> m = (Map<?, ?>) last.get();
        assertEquals(List.of((long) total - 1), m.get("args"));
        assertEquals("/blast", m.get("path"));
        assertEquals("org.example.Blast", m.get("interface"));
        assertTrue(((String) m.get("sender")).startsWith(":"), m.toString());
        call("cancel", w);
        assertEquals(rulesBefore, matchRules());
        assertEquals(0, blast(10).waitFor());
        loopUntil(() -> false, 300);
        assertEquals(total, n.get());
    }

    /** blast.py: a peer writing n signals straight onto its socket. */
    private static Process blast(int n) throws Exception {
        java.nio.file.Path script = pb.dir.resolve("blast.py");
        if (!java.nio.file.Files.exists(script)) {
            try (var in = DbusTest.class.getResourceAsStream("/blast.py")) {
                java.nio.file.Files.write(script, in.readAllBytes());
            }
        }
        return new ProcessBuilder("/usr/bin/python3", script.toString(), pb.address, String.valueOf(n), "org.example.Blast", "Tick")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    @Test
    void aMonitorSeesACallAndItsReplyBetweenTwoOtherConnections() throws Exception {
        java.nio.file.Path log = pb.dir.resolve("monitor.log");
        ipcsh.chan.Channel m = (ipcsh.chan.Channel) call("dbus-monitor", bus,
                opts("match", List.of("interface='org.example.Echo'", "sender='org.example.Echo'"), "print", false, "log", log.toString()));
        try {
            String[] r = run("busctl", "--address=" + pb.address, "call", DEST, PATH, IFACE, "Str", "s", "watched");
            assertEquals("s \"watched\"\n", r[0], r[1]);
            Map<?, ?> c = (Map<?, ?>) call("recv", m, opts("timeout", 5000L));
            assertEquals(ipcsh.Keyword.of("method-call"), c.get("type"));
            assertEquals("Str", c.get("member"));
            assertEquals(List.of("watched"), c.get("args"));
            Object reply = call("expect", m, java.util.regex.Pattern.compile("method_return \\d+ reply-to " + c.get("serial") + " \\S+ -> "
                    + c.get("sender") + " \\[\"watched\"\\]"), opts("timeout", 5000L));
            assertTrue(reply != null, "the reply's line");
            String logged = java.nio.file.Files.readString(log);
            assertTrue(logged.contains("method_call " + c.get("serial") + " " + c.get("sender") + " -> org.example.Echo /org/example/Echo org.example.Echo.Str [\"watched\"]"), logged);
        } finally {
            call("close", m);
        }
    }

    @Test
    void aMonitorsPcapHasOneRecordPerMessage() throws Exception {
        java.nio.file.Path pcap = pb.dir.resolve("bus.pcap");
        ipcsh.chan.Channel m = (ipcsh.chan.Channel) call("dbus-monitor", bus,
                opts("match", "interface='org.example.Blast'", "print", false, "pcap", pcap.toString()));
        try {
            assertEquals(0, blast(25).waitFor());
            for (int i = 0; i < 25; i++) call("recv", m, opts("timeout", 5000L));
        } finally {
            call("close", m);
        }
        // python3 reads it as Wireshark would: the pcap header, link type 231, then each record a D-Bus signal
        String[] r = run("/usr/bin/python3", "-c", """
                import struct, sys
                b = open(sys.argv[1], 'rb').read()
                magic, major, minor, _, _, snap, link = struct.unpack('<IHHiIII', b[:24])
                at, n, ok = 24, 0, 0
                while at < len(b):
                    _, _, incl, orig = struct.unpack('<IIII', b[at:at + 16])
                    rec = b[at + 16:at + 16 + incl]
                    ok += rec[:1] in (b'l', b'B') and rec[1] == 4 and b'org.example.Blast' in rec
                    at += 16 + incl
                    n += 1
                print(hex(magic), major, minor, link, n, ok)
                """, pcap.toString());
        assertEquals("0xa1b2c3d4 2 4 231 25 25\n", r[0], r[1]);
    }

    @Test
    void aMonitorThatFallsBehindSaysHowManyItDropped() throws Exception {
        ipcsh.chan.Channel m = (ipcsh.chan.Channel) call("dbus-monitor", bus,
                opts("match", "interface='org.example.Blast'", "print", false, "max-queue", 10L));
        try {
            assertEquals(0, blast(100).waitFor());
            // all 100 read off the socket: 10 queued, 90 counted (the reader thread may still be at it)
            Map<String, Object> state = m.driver().options();
            for (long t0 = System.nanoTime(); System.nanoTime() - t0 < 10_000_000_000L; state = m.driver().options()) {
                if ((Long) state.get("queued") + (Long) state.get("dropped") == 100) break;
                Thread.sleep(10);
            }
            assertEquals(10L, state.get("queued"));
            long seen = 0, dropped = 0;
            for (int i = 0; i < 11; i++) {
                Map<?, ?> e = (Map<?, ?>) call("recv", m, opts("timeout", 5000L));
                if (e.get("type").equals(ipcsh.Keyword.of("dropped"))) dropped += (Long) e.get("count");
                else seen++;
            }
            assertEquals(10, seen);
            assertEquals(90, dropped);
        } finally {
            call("close", m);
        }
    }

    private static int matchRules() {
        Map<?, ?> stats = (Map<?, ?>) call("dbus-call", bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus.Debug.Stats", "GetConnectionStats", bus.uniqueName, opts("signature", "s"));
        return ((Number) stats.get("MatchRules")).intValue();
    }
}
