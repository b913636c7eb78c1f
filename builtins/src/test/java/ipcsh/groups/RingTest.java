package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ring against another local user (uid 65534, in /tmp and /dev/shm, both 1777), against a
 * second writer or reader, a segment truncated under it, and bad options: what a user sees.
 */
@Timeout(120)
class RingTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final String NOBODY = "65534";
    private final List<String> names = new ArrayList<>();
    private final List<Path> planted = new ArrayList<>();
    private final List<Channel> open = new ArrayList<>();
    private final TempDir dir = new TempDir();

    private String name(String what) {
        String n = "/ipcsh-test-" + PID + "-" + what;
        names.add(n);
        return n;
    }

    private Channel ring(Object... args) {
        Channel c = (Channel) call("shm-ring", args);
        open.add(c);
        return c;
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Channel c : open) c.close();
        for (String n : names) {
            try {
                call("shm-unlink", n);
            } catch (IpcException ignored) {
                // removed by the test itself
            }
        }
        for (Path p : planted) Files.deleteIfExists(p);
        dir.close();
    }

    /** Runs a command as uid 65534 with no groups; returns its output, asserting the exit status. */
    private static String asNobody(int status, String... cmd) {
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        c.addAll(List.of(cmd));
        try (Peer p = Peer.start(c.toArray(String[]::new))) {
            int s = p.waitFor(60);
            assertEquals(status, s, String.join(" ", cmd) + ": " + p.output());
            return p.output();
        }
    }

    private static Set<String> doorbellDirs() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
            Set<String> out = new TreeSet<>();
            // only this layout's directories: a version-1 ring of another checkout's test run left FIFOs named /tmp/ipcsh-ring-NAME.wake-*
            s.map(Path::toString).filter(p -> p.matches("/tmp/ipcsh-ring-[a-z0-9]{16}")).forEach(out::add);
            return out;
        }
    }

    private static int uid(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static String perms(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    // ------------------------------------------------------------------ another user

    /**
     * The old doorbells sat at /tmp/ipcsh-ring-NAME.wake-reader|writer: another user planted a
     * symlink there to a file of ours (overwritten with doorbell bytes) or a 0666 FIFO of theirs
     * (whose wake-ups they read). Now the doorbells are in a directory only the ring's owner can
     * enter, at a name nobody can guess, and what is planted at the old names is never touched.
     */
    @Test
    void doorbellsAreInADirectoryAnotherUserCannotEnterAndPlantedPathsAreNotUsed() throws Exception {
        String n = name("planted");
        Path victim = dir.path.resolve("victim");
        Files.writeString(victim, "root's data\n");
        Path oldReader = Path.of("/tmp/ipcsh-ring-" + n.substring(1) + ".wake-reader");
        Path oldWriter = Path.of("/tmp/ipcsh-ring-" + n.substring(1) + ".wake-writer");
        planted.add(oldReader);
        planted.add(oldWriter);
        // (a) a symlink to root's file, (b) a FIFO of the attacker's, open to all
        asNobody(0, "sh", "-c", "ln -s " + victim + " " + oldReader + " && mkfifo -m 0666 " + oldWriter);

        Channel w = ring(n, opts("size", 4096L, "create", true));
        Channel r = ring(n);
        List<Object> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            for (int i = 0; i < 3000; i++) got.add(call("gets", r));
        });
        reader.start();
        for (int i = 0; i < 3000; i++) call("puts", w, "line " + i); // both sides sleep and are woken many times
        reader.join(30_000);
        assertEquals(3000, got.size(), "the reader got every line");
        assertEquals("line 2999", got.get(2999));
        assertEquals("root's data\n", Files.readString(victim), "a planted symlink was followed");
        assertTrue(Files.isSymbolicLink(oldReader) && Files.exists(oldWriter), "planted files are another user's: left alone");

        @SuppressWarnings("unchecked")
        List<String> bells = (List<String>) r.configure("doorbells");
        Path bellDir = Path.of(bells.get(0)).getParent();
        assertTrue(bellDir.getFileName().toString().matches("ipcsh-ring-[a-z0-9]{16}"), bellDir.toString());
        assertEquals(Path.of("/tmp"), bellDir.getParent());
        assertEquals(0, uid(bellDir));
        assertEquals("rwx------", perms(bellDir));
        for (String b : bells) {
            assertTrue(Files.readAttributes(Path.of(b), java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .isOther(), b + " is a FIFO");
            assertEquals("rw-------", perms(Path.of(b)));
        }
        // (b) the attacker can neither list the directory nor open a doorbell to steal a wake-up
        String out = asNobody(0, "/usr/bin/python3", "-c", """
                import os, sys
                for p in sys.argv[1:]:
                    try:
                        os.listdir(p) if p == sys.argv[1] else os.open(p, os.O_RDWR | os.O_NONBLOCK)
                        print('opened', p)
                    except PermissionError:
                        print('refused', p)
                """, bellDir.toString(), bells.get(0), bells.get(1));
        assertEquals("refused " + bellDir + "\nrefused " + bells.get(0) + "\nrefused " + bells.get(1) + "\n", out);
    }

    /** (c) Another user made the name first: a call that would create the ring refuses their object. */
    @Test
    void ringNameSquattedByAnotherUserIsRefusedAndLeftAsItWas() throws Exception {
        String n = name("squat");
        Path seg = Path.of("/dev/shm" + n);
        asNobody(0, "sh", "-c", "umask 0 && : > " + seg + " && chmod 0666 " + seg);
        Set<String> before = doorbellDirs();
        IpcException e = assertThrows(IpcException.class, () -> call("shm-ring", n, opts("size", 4096L, "create", true)));
        assertEquals("shm-ring \"" + n + "\": exists and belongs to uid 65534, not to this user (uid 0); refusing to make a ring"
                + " in another user's object (open it without :create to join that user's ring)", e.getMessage());
        assertEquals(0L, Files.size(seg), "the squatted object is left as it was");
        assertEquals(65534, uid(seg));
        assertEquals(before, doorbellDirs(), "no doorbell directory made");
    }

    /**
     * Another user's ring may be joined (without :create), but its header cannot send us to
     * doorbells that are not that user's own: here it names the directory of a ring of ours.
     */
    @Test
    void anotherUsersRingWhoseHeaderNamesDoorbellsNotItsOwnIsRefused() throws Exception {
        String mine = name("mine");
        Channel w = ring(mine, opts("size", 4096L, "create", true));
        @SuppressWarnings("unchecked")
        String ourDir = Path.of(((List<String>) w.configure("doorbells")).get(0)).getParent().toString();
        String theirs = name("forged");
        byte[] header = new byte[8192];
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.nativeOrder());
        h.putInt(0, 0x52435049).putInt(4, 2).putLong(8, 4096).putLong(16, 4096);
        byte[] d = ourDir.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(d, 0, header, 256, d.length);
        Path forged = dir.path.resolve("forged.bin");
        Files.write(forged, header);
        Files.setPosixFilePermissions(dir.path, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(forged, PosixFilePermissions.fromString("rw-r--r--"));
        asNobody(0, "sh", "-c", "umask 0 && cp " + forged + " /dev/shm" + theirs + " && chmod 0666 /dev/shm" + theirs);
        IpcException e = assertThrows(IpcException.class, () -> call("shm-ring", theirs));
        assertTrue(e.getMessage().startsWith("shm-ring \"" + theirs + "\": doorbell directory " + ourDir
                + " is not a directory of uid 65534 that only its owner can write (it is a directory, uid 0, mode 0700)"), e.getMessage());
        call("shm-unlink", theirs); // nor does removing their ring remove the doorbells its header names
        assertTrue(Files.exists(Path.of(ourDir, "wake-reader")) && Files.exists(Path.of(ourDir, "wake-writer")), "our doorbells removed");
        call("puts", w, "still ringing");
        assertEquals("still ringing", call("gets", ring(mine)));
    }

    // ------------------------------------------------------------------ one writer, one reader

    @Test
    void aSecondWriterOrReaderIsRefusedUntilTheFirstCloses() {
        String n = name("sides");
        Channel w = ring(n, opts("size", 4096L, "create", true));
        Channel r = ring(n);
        IpcException e = assertThrows(IpcException.class, () -> call("shm-ring", n, kw("write")));
        assertEquals("shm-ring \"" + n + "\": the ring has a writer already (another channel, in this process or another, holds"
                + " its writer's lock); a ring has one writer and one reader", e.getMessage());
        e = assertThrows(IpcException.class, () -> call("shm-ring", n, kw("read")));
        assertEquals("shm-ring \"" + n + "\": the ring has a reader already (another channel, in this process or another, holds"
                + " its reader's lock); a ring has one writer and one reader", e.getMessage());
        call("puts", w, "from the first");
        call("close", w);
        Channel w2 = ring(n, kw("write"));
        call("puts", w2, "from the second");
        assertEquals("from the first", call("gets", r));
        assertEquals("from the second", call("gets", r), "a writer after a closed one goes on where it stopped");
        call("close", w2);
        assertEquals(null, call("gets", r));
    }

    /** The C reader of the documented layout holds the reader's side; once it is SIGKILLed the side is free. */
    @Test
    void aReaderSideHeldByAKilledProcessIsFreedByTheKernel() throws Exception {
        String n = name("killed");
        String bin = dir.file("ring_reader");
        try (Peer cc = Peer.start("gcc", "-O2", "-Wall", "-o", bin, Path.of("src/test/c/ring_reader.c").toAbsolutePath().toString())) {
            assertEquals(0, cc.waitFor(60), cc.output());
        }
        Channel w = ring(n, opts("size", 4096L, "create", true));
        try (Peer c = Peer.start(bin, n, "--announce")) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!c.output().contains("reader side taken")) {
                assertTrue(System.nanoTime() < deadline, "the C reader never took the reader's side: " + c.output());
                Thread.sleep(5);
            }
            IpcException refused = assertThrows(IpcException.class, () -> call("shm-ring", n, kw("read")));
            assertTrue(refused.getMessage().contains("the ring has a reader already"), refused.getMessage());
            c.close(); // SIGKILL (destroyForcibly), and waits for it
        }
        Channel r = ring(n, kw("read"));
        call("puts", w, "after the kill");
        assertEquals("after the kill", call("gets", r));
    }

    // ------------------------------------------------------------------ truncated under us

    @Test
    void ringWhoseSegmentAnotherProcessTruncatedSaysSIGBUSNotInternalError() throws Exception {
        String n = name("trunc");
        Channel w = ring(n, opts("size", 4096L, "create", true));
        Channel r = ring(n, opts("encoding", kw("binary")));
        call("puts", w, "before");
        @SuppressWarnings("unchecked")
        Path bellDir = Path.of(((List<String>) w.configure("doorbells")).get(0)).getParent();
        planted.add(bellDir.resolve("wake-reader"));
        planted.add(bellDir.resolve("wake-writer"));
        planted.add(bellDir); // its header is gone: shm-unlink cannot find the doorbells any more
        try (Peer t = Peer.start("truncate", "-s", "0", "/dev/shm" + n)) {
            assertEquals(0, t.waitFor(30), t.output());
        }
        String expected = "shm-ring \"" + n + "\": no memory behind the ring (SIGBUS): another process made the shared memory"
                + " object smaller (0 bytes now) than the ring (8192 bytes), or its file system (/dev/shm) is full";
        IpcException e = assertThrows(IpcException.class, () -> call("read", r, 4L));
        assertEquals(expected, e.getMessage());
        e = assertThrows(IpcException.class, () -> call("puts", w, "after"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        List<?> p = (List<?>) call("pipe");
        e = assertThrows(IpcException.class, () -> call("copy", r, p.get(1)));
        assertTrue(e.getMessage().contains("(SIGBUS)"), e.getMessage());
        for (Object c : p) call("close", c);
    }

    // ------------------------------------------------------------------ checks before side effects

    /**
     * A failure after this call made the segment (here: no descriptor left for the doorbell
     * directory, RLIMIT_NOFILE lowered to just above the segment's descriptor) removes the
     * segment and the directory, :temp or not, and says what failed.
     */
    @Test
    void aRingWhoseDoorbellsCannotBeOpenedLeavesNothingBehind() throws Exception {
        String warm = name("warm"); // the first ring loads every class and the random source, which open files
        call("close", call("shm-ring", warm, opts("size", 4096L, "create", true, "temp", true)));
        call("shm-unlink", warm);
        assertThrows(IpcException.class, () -> call("shm-ring", warm)); // and the classes of an error (a class file is a file)
        String n = name("no-fds");
        Set<String> before = doorbellDirs();
        java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
        java.lang.invoke.MethodHandle getrlimit = linker.downcallHandle(linker.defaultLookup().find("getrlimit").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT,
                        java.lang.foreign.ValueLayout.ADDRESS));
        java.lang.invoke.MethodHandle setrlimit = linker.downcallHandle(linker.defaultLookup().find("setrlimit").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT,
                        java.lang.foreign.ValueLayout.ADDRESS));
        int rlimitNofile = 7;
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment old = a.allocate(16, 8), low = a.allocate(16, 8);
            assertEquals(0, (int) getrlimit.invokeExact(rlimitNofile, old));
            Set<Integer> used = new TreeSet<>();
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : fds.toList()) {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (!target.endsWith("/fd")) used.add(Integer.parseInt(fd.getFileName().toString())); // not the listing's own
                }
            }
            int free = 0;
            while (used.contains(free)) free++;
            int next = free + 1;
            while (used.contains(next)) next++;
            low.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, next); // the segment gets `free`, nothing after it
            low.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, old.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8));
            IpcException e;
            assertEquals(0, (int) setrlimit.invokeExact(rlimitNofile, low));
            try {
                e = assertThrows(IpcException.class, () -> call("shm-ring", n, opts("size", 4096L, "create", true, "temp", true)));
            } finally {
                assertEquals(0, (int) setrlimit.invokeExact(rlimitNofile, old));
            }
            assertTrue(e.getMessage().matches("shm-ring \"" + n + " doorbells /tmp/ipcsh-ring-[a-z0-9]{16}\": Too many open files"
                    + " \\(EMFILE\\)"), e.getMessage());
        } catch (Throwable t) {
            if (t instanceof Exception x) throw x;
            throw (Error) t;
        }
        assertFalse(Files.exists(Path.of("/dev/shm" + n)), "the segment this call made is removed");
        assertEquals(before, doorbellDirs(), "the doorbell directory this call made is removed");
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingIsMade() throws Exception {
        String n = name("opts");
        Set<String> before = doorbellDirs();
        Object[][] bad = {
            {opts("create", true, "bogus", 1L), "shm-ring: unknown option :bogus"},
            {opts("create", true, "temp", true, "timeout", -1L), "shm-ring: option :timeout must be"},
            {opts("create", true, "size", 0L), "shm-ring: option :size must be"},
            {opts("create", true, "mode", 070000L), "shm-ring: "},
            {opts("create", true, "encoding", kw("klingon")), "shm-ring: unknown :encoding klingon"},
            {opts("create", true, "framing", kw("nope")), "shm-ring: "},
            {opts("temp", true), "shm-ring: :temp is for a ring this call creates; add :create true"},
            {opts("exclusive", true), "shm-ring: :exclusive goes with :create true"},
        };
        for (Object[] b : bad) {
            IpcException e = assertThrows(IpcException.class, () -> call("shm-ring", n, b[0]), b[0].toString());
            assertTrue(e.getMessage().startsWith((String) b[1]), b[0] + ": " + e.getMessage());
            assertFalse(Files.exists(Path.of("/dev/shm" + n)), b[0] + " made the segment");
            assertEquals(before, doorbellDirs(), b[0] + " made a doorbell directory");
        }
    }
}
