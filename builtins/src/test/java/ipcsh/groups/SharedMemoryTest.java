package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.shm.Segment;
import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Segments and rings against real peers: python3, a C program, util-linux ipcmk/ipcs. */
@Timeout(120)
class SharedMemoryTest {
    private static final long PID = ProcessHandle.current().pid();
    private final List<String> names = new ArrayList<>();
    private final List<Integer> sysvIds = new ArrayList<>();
    private final List<Segment> open = new ArrayList<>();
    private final TempDir dir = new TempDir();

    /** A unique POSIX name for this test run, removed after the test. */
    private String name(String what) {
        String n = "/ipcsh-test-" + PID + "-" + what;
        names.add(n);
        return n;
    }

    private Segment seg(Object s) {
        open.add((Segment) s);
        return (Segment) s;
    }

    @AfterEach
    void cleanUp() {
        for (Segment s : open) s.close();
        for (String n : names) {
            try {
                call("shm-unlink", n);
            } catch (IpcException ignored) {
                // removed by the test itself
            }
        }
        for (int id : sysvIds) run("ipcrm", "-m", String.valueOf(id));
        dir.close();
    }

    private static String run(String... cmd) {
        try (Peer p = Peer.start(cmd)) {
            int status = p.waitFor(60);
            String out = p.output();
            if (status != 0 && !cmd[0].equals("ipcrm")) throw new AssertionError(String.join(" ", cmd) + " exited " + status + ": " + out);
            return out;
        }
    }

    private String gcc(String source) {
        String bin = dir.file(source.replace(".c", ""));
        run("gcc", "-O2", "-Wall", "-o", bin, Path.of("src/test/c", source).toAbsolutePath().toString());
        return bin;
    }

    @Test
    void bytesWrittenByPythonSharedMemoryAreReadByIpcshAndBack() {
        String n = name("py");
        Segment s = seg(call("shm", n, opts("size", 4096L, "create", true)));
        // python3.11 has no track=False: unregister, or its resource tracker unlinks what it only opened
        String py = """
                import sys
                from multiprocessing import shared_memory, resource_tracker
                m = shared_memory.SharedMemory(name=sys.argv[1][1:])
                resource_tracker.unregister(m._name, "shared_memory")
                print(bytes(m.buf[100:111]).decode())
                m.buf[0:12] = b"from python!"
                m.close()
                """;
        call("shm-write", s, 100L, "from ipcsh!");
        assertEquals("from ipcsh!\n", run("python3", "-c", py, n));
        assertEquals("from python!", new String((byte[]) call("shm-read", s, 0L, 12L), StandardCharsets.UTF_8));
        assertEquals(4096L, call("shm-size", s));
        assertTrue(Files.exists(Path.of("/dev/shm" + n)), "python must not have unlinked it");
    }

    @Test
    void fetchAddFromIpcshAndCPeerOnOneCellCountsEveryAdd() throws Exception {
        String n = name("add");
        Segment s = seg(call("shm", n, opts("size", 4096L, "create", true)));
        String bin = gcc("shm_add.c");
        try (Peer c = Peer.start(bin, n, "64", "100000")) {
            for (int i = 0; i < 100_000; i++) call("shm-add", s, kw("i64"), 64L, 1L);
            assertEquals(0, c.waitFor(60), c.output());
        }
        assertEquals(200_000L, call("shm-get", s, kw("i64"), 64L));
    }

    @Test
    void typedValuesRoundTripInBothByteOrders() {
        Segment s = seg(call("shm", name("typed"), opts("size", 64L, "create", true)));
        call("shm-put", s, kw("u32"), 1L, 0xDEADBEEFL, opts("order", kw("big")));
        assertArrayEquals(new byte[] {(byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF}, (byte[]) call("shm-read", s, 1L, 4L));
        assertEquals(0xDEADBEEFL, call("shm-get", s, kw("u32"), 1L, opts("order", kw("big"))));
        assertEquals(0xEFBEADDEL, call("shm-get", s, kw("u32"), 1L, opts("order", kw("little"))));
        call("shm-put", s, kw("i8"), 10L, -2L);
        assertEquals(254L, call("shm-get", s, kw("u8"), 10L));
        call("shm-put", s, kw("f64"), 16L, 2.5);
        assertEquals(2.5, call("shm-get", s, kw("f64"), 16L));
        assertEquals(true, call("shm-cas", s, kw("i32"), 32L, 0L, 7L));
        assertEquals(false, call("shm-cas", s, kw("i32"), 32L, 0L, 9L));
        assertEquals(7L, call("shm-add", s, kw("i32"), 32L, 3L));
        assertEquals(10L, call("shm-get", s, kw("i32"), 32L));
    }

    @Test
    void readOnlySegmentRefusesWritesAndAClosedOneRefusesEverything() {
        String n = name("ro");
        Segment rw = seg(call("shm", n, opts("size", 4096L, "create", true)));
        call("shm-write", rw, 0L, "x");
        Segment ro = seg(call("shm", n, kw("read"), opts()));
        assertEquals("x", new String((byte[]) call("shm-read", ro, 0L, 1L), StandardCharsets.UTF_8));
        IpcException e = assertThrows(IpcException.class, () -> call("shm-write", ro, 0L, "y"));
        assertEquals("shm-write " + n + ": segment is mapped read-only (opened with :read)", e.getMessage());
        assertThrows(IpcException.class, () -> call("shm-add", ro, kw("i64"), 0L, 1L));
        call("close", ro);
        e = assertThrows(IpcException.class, () -> call("shm-read", ro, 0L, 1L));
        assertEquals("shm-read " + n + ": segment is closed", e.getMessage());
    }

    @Test
    void badInputIsAClearOneLineErrorEach() {
        String n = name("bad");
        Segment s = seg(call("shm", n, opts("size", 4096L, "create", true)));
        assertError("shm: name \"frame\" must start with / and have a name after it, like \"/jobs\"",
                () -> call("shm", "frame", opts("size", 10L, "create", true)));
        assertError("shm: name \"/a/b\" may not contain a second /; POSIX IPC names are \"/name\"",
                () -> call("shm", "/a/b", opts("size", 10L, "create", true)));
        assertError("shm: :size must be at least 1 byte, not 0", () -> call("shm", name("zero"), opts("size", 0L, "create", true)));
        assertError("shm: :size must be at least 1 byte, not -4096", () -> call("shm", name("neg"), opts("size", -4096L, "create", true)));
        assertError("shm \"" + n + "\": File exists (EEXIST): it exists already and :exclusive asks for a new one",
                () -> call("shm", n, opts("size", 10L, "create", true, "exclusive", true)));
        String missing = name("missing");
        assertError("shm \"" + missing + "\": No such file or directory (ENOENT): it does not exist; {:create true :size n} makes it",
                () -> call("shm", missing));
        assertError("shm-read " + n + ": offset 5000 + 8 bytes is past the end (4096)", () -> call("shm-read", s, 5000L, 8L));
        assertError("shm-put " + n + ": offset 4094 + 4 bytes is past the end (4096)", () -> call("shm-put", s, kw("u32"), 4094L, 1L));
        assertError("shm-write " + n + ": offset -1 is negative", () -> call("shm-write", s, -1L, "x"));
        assertError("shm-add " + n + ": offset 4 is not aligned; atomic :i64 needs a multiple of 8", () -> call("shm-add", s, kw("i64"), 4L, 1L));
        assertError("shm-put " + n + ": 256 does not fit :u8 (0..255)", () -> call("shm-put", s, kw("u8"), 0L, 256L));
        int key = (int) (0x7e000000L | (PID & 0xffffff));
        assertError(String.format("sysv-shm \"key 0x%08x\": No such file or directory (ENOENT): no System V segment has this key;"
                + " {:create true :size n} makes one", key), () -> call("sysv-shm", (long) key));
        assertFalse(Files.exists(Path.of("/dev/shm" + missing)));
    }

    @Test
    void objectTruncatedUnderTheMappingIsAnErrorNotACrash() throws Exception {
        String file = dir.file("shrinking.bin");
        Segment m = seg(call("mmap", file, opts("size", 8192L, "create", true)));
        call("shm-write", m, 0L, "x");
        run("truncate", "-s", "0", file);
        assertError("shm-read " + file + ": no memory behind offset 4096 (SIGBUS): another process made the object smaller"
                + " than the mapping, or its file system (/dev/shm) is full", () -> call("shm-read", m, 4096L, 4L));
    }

    private static void assertError(String message, org.junit.jupiter.api.function.Executable call) {
        IpcException e = assertThrows(IpcException.class, call);
        assertEquals(message, e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void segmentMadeByIpcmkIsAttachedByIdAndByKey() {
        String out = run("ipcmk", "-M", "4096");
        Matcher m = Pattern.compile("id: (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        int id = Integer.parseInt(m.group(1));
        sysvIds.add(id);
        long key = -1;
        for (String line : run("cat", "/proc/sysvipc/shm").split("\n")) {
            String[] c = line.trim().split("\\s+");
            if (c.length > 1 && c[1].equals(String.valueOf(id))) key = Long.parseLong(c[0]) & 0xFFFFFFFFL;
        }
        assertTrue(key > 0, "key of " + id);
        Segment byId = seg(call("sysv-shm", opts("id", (long) id)));
        Segment byKey = seg(call("sysv-shm", key));
        assertEquals(4096L, call("shm-size", byKey));
        call("shm-write", byId, 10L, "sysv!");
        assertEquals("sysv!", new String((byte[]) call("shm-read", byKey, 10L, 5L), StandardCharsets.UTF_8));
        @SuppressWarnings("unchecked")
        Map<String, Object> row = (Map<String, Object>) ((List<?>) call("segments")).stream()
                .filter(x -> ((Map<?, ?>) x).get("segment") == byKey).findFirst().orElseThrow();
        assertEquals((long) id, row.get("id"));
        assertEquals(String.format("0x%08x", key), row.get("key"), "the key as ipcs -m prints it");
        assertEquals(4096L, call("shm-size", seg(call("sysv-shm", row.get("key")))), "and it attaches the same segment");
    }

    @Test
    void ipcsListsTheSegmentIpcshCreatedUntilItIsRemoved() {
        long key = 0x7d000000L | (PID & 0xffffff);
        Segment s = seg(call("sysv-shm", key, opts("size", 8192L, "create", true, "mode", 0640L)));
        long id = (Long) s.info().get("id");
        sysvIds.add((int) id);
        String keyHex = String.format("0x%08x", key);
        String listed = run("ipcs", "-m");
        assertTrue(listed.lines().anyMatch(l -> l.startsWith(keyHex + " " + id + " ") && l.contains(" 640 ") && l.contains(" 8192 ")),
                listed);
        call("shm-unlink", s);
        call("close", s);
        assertFalse(run("ipcs", "-m").contains(keyHex + " " + id + " "));
    }

    @Test
    void cReaderFollowingTheDocumentedLayoutReadsWhatIpcshWrites() {
        String n = name("ring-c");
        String bin = gcc("ring_reader.c");
        Channel w = (Channel) call("shm-ring", n, opts("size", 64L * 1024, "create", true, "encoding", kw("binary")));
        try (Peer c = Peer.start(bin, n)) {
            long hash = 0xcbf29ce484222325L, count = 0;
            byte[] block = new byte[10_000];
            for (int i = 0; i < 2_000; i++) {
                for (int j = 0; j < block.length; j++) block[j] = (byte) (i * 31 + j * 7);
                call("write", w, block);
                for (byte b : block) {
                    hash ^= b & 0xff;
                    hash *= 0x100000001b3L;
                }
                count += block.length;
            }
            call("close", w);
            assertEquals(0, c.waitFor(60), c.output());
            assertEquals(count + " " + String.format("%016x", hash) + "\n", c.output());
        }
    }

    @Test
    void ringReaderOnReadableSeesEveryLineAndEndOfStream() {
        String n = name("ring-events");
        Channel w = (Channel) call("shm-ring", n, opts("size", 4096L, "create", true));
        Channel r = (Channel) call("shm-ring", n);
        assertEquals(kw("read"), r.configure("role"));
        assertEquals(4096L, r.configure("capacity"));
        List<Object> got = new ArrayList<>();
        boolean[] eof = {false};
        call("on-readable", r, T.fn(x -> {
            Object line = call("gets", r);
            if (line == null) {
                eof[0] = true;
                call("close", r);
            } else {
                got.add(line);
            }
        }));
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 2000; i++) call("puts", w, "line " + i);
            call("close", w);
        });
        assertTrue(T.loopUntil(() -> eof[0], 30_000), "end of stream after " + got.size() + " lines");
        writer.join();
        assertEquals(2000, got.size());
        assertEquals("line 1999", got.get(1999));
    }

    /**
     * The scenario above, many times over: each round a fresh ring, a reader whose on-readable
     * handler reads one line per call, and a writer thread putting a few lines and closing.
     * A lost wake-up shows as a round that never sees its end of stream.
     */
    @Test
    void ringReaderOnReadableNeverStallsAcrossThreadsInThousandsOfRounds() throws Exception {
        java.util.concurrent.SynchronousQueue<String> next = new java.util.concurrent.SynchronousQueue<>();
        int rounds = 2000, lines = 12;
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    Channel w = (Channel) call("shm-ring", next.take(), kw("write"));
                    for (int j = 0; j < lines; j++) call("puts", w, "round " + i + " line " + j);
                    call("close", w);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < rounds; i++) {
            String n = "/ipcsh-test-" + PID + "-stress-" + i;
            Channel r = (Channel) call("shm-ring", n, kw("read"), opts("size", 4096L, "create", true, "temp", true));
            List<Object> got = new ArrayList<>();
            boolean[] eof = {false};
            call("on-readable", r, T.fn(x -> {
                Object line = call("gets", r);
                if (line == null) {
                    eof[0] = true;
                    call("close", r);
                } else {
                    got.add(line);
                }
            }));
            next.put(n);
            boolean ended = T.loopUntil(() -> eof[0], 10_000);
            String state = ended ? "" : ringState(n, r);
            call("shm-unlink", n);
            assertTrue(ended, "round " + i + ": no end of stream after " + got.size() + " of " + lines + " lines; " + state);
            assertEquals(lines, got.size(), "round " + i);
            assertEquals("round " + i + " line " + (lines - 1), got.get(lines - 1));
        }
        writer.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** A stalled ring's header (from the layout in the man page) and whether its reader's doorbell rings. */
    private static String ringState(String name, Channel r) throws java.io.IOException {
        java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(Files.readAllBytes(Path.of("/dev/shm" + name)))
                .order(java.nio.ByteOrder.nativeOrder());
        short[] rev = new short[1];
        int ringing = r.readFd() < 0 ? -1 : ipcsh.os.LibC.get().poll(new int[] {r.readFd()}, new short[] {ipcsh.os.LibC.POLLIN}, rev, 0);
        return "head " + h.getLong(64) + " tail " + h.getLong(128) + " writer-closed " + h.getInt(192) + " reader-waiting "
                + h.getInt(200) + " doorbell readable " + ringing + " buffered " + r.hasBufferedInput();
    }

    @Test
    void copyMovesBytesFromAPipeIntoARingAndOutOfItIntoAPipe() {
        String n = name("ring-copy");
        Channel w = (Channel) call("shm-ring", n, opts("size", 4096L, "create", true));
        Channel r = (Channel) call("shm-ring", n, opts("encoding", kw("binary")));
        List<?> in = (List<?>) call("pipe"), out = (List<?>) call("pipe");
        byte[] data = new byte[3000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 13);
        call("write", in.get(1), data);
        call("close", in.get(1));
        assertEquals(3000L, call("copy", in.get(0), w));
        call("close", w);
        assertEquals(3000L, call("copy", r, out.get(1)));
        call("close", out.get(1));
        ((Channel) out.get(0)).configure(opts("encoding", kw("binary")));
        assertArrayEquals(data, (byte[]) call("read", out.get(0)));
        for (Object ch : List.of(in.get(0), out.get(0), r)) call("close", ch);
    }

    @Test
    void readerOfAnEmptyRingTimesOutAfterItsTimeout() {
        String n = name("ring-timeout");
        Channel w = (Channel) call("shm-ring", n, opts("size", 4096L, "create", true));
        Channel r = (Channel) call("shm-ring", n, opts("timeout", 200L));
        long t0 = System.nanoTime();
        assertThrows(ipcsh.chan.TimeoutError.class, () -> call("gets", r));
        assertTrue(System.nanoTime() - t0 >= 190_000_000L, "waited its :timeout");
        call("puts", w, "late");
        assertEquals("late", call("gets", r));
        w.close();
        r.close();
    }

    @Test
    void writerGetsBrokenPipeOnceTheReaderHasClosed() {
        String n = name("ring-epipe");
        Channel w = (Channel) call("shm-ring", n, opts("size", 1024L, "create", true, "timeout", 5000L));
        Channel r = (Channel) call("shm-ring", n);
        call("puts", w, "hello");
        assertEquals("hello", call("gets", r));
        call("close", r);
        IpcException e = assertThrows(IpcException.class, () -> {
            for (int i = 0; i < 1000; i++) call("puts", w, "more");
        });
        assertTrue(e.getMessage().contains("Broken pipe (EPIPE)"), e.getMessage());
        w.close();
    }
}
