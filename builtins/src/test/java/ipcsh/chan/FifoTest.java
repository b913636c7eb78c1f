package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.chan.drivers.FifoDriver;
import ipcsh.os.OsException;
import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FifoTest {
    private final TempDir dir = new TempDir();

    @AfterEach
    void cleanUp() {
        dir.close();
    }

    @Test
    void readsLinesWrittenByTclThroughFifo() throws Exception {
        String path = dir.file("tcl.fifo");
        FifoDriver.make(path, 0600);
        Path script = dir.path.resolve("w.tcl");
        Files.writeString(script, "set f [open [lindex $argv 0] w]\nputs $f \"hello from tcl\"\nputs $f \"second line\"\nclose $f\n");
        try (Peer tcl = Peer.start("tclsh", script.toString(), path);
             Channel ch = FifoDriver.open(path, "read", false, 0600, false, 10_000)) {
            assertEquals("hello from tcl", ch.gets());
            assertEquals("second line", ch.gets());
            assertNull(ch.gets());
            assertTrue(ch.eof());
            assertEquals(0, tcl.waitFor(10));
        }
    }

    @Test
    void readsLineEchoedByShellIntoFifo() {
        String path = dir.file("sh.fifo");
        FifoDriver.make(path, 0600);
        try (Channel ch = openReaderWhile(path, Peer.start("sh", "-c", "echo 'from sh' > " + path))) {
            assertEquals("from sh", ch.gets());
        }
    }

    @Test
    void linesFromCatDecodeAsTheirEncodingSaysAsciiOrNot() throws Exception {
        // ASCII lines take a copy-only path, the rest their charset's decoder: lines of either
        // kind, a non-ASCII byte before, inside and past the first 32 bytes, invalid UTF-8
        String ascii40 = "a".repeat(40);
        byte[][] lines = {
                new byte[0], "abc".getBytes(), ascii40.getBytes(), (ascii40 + "ż").getBytes(StandardCharsets.UTF_8),
                "éa".getBytes(StandardCharsets.UTF_8), ("1234567€" + ascii40).getBytes(StandardCharsets.UTF_8),
                {'x', (byte) 0xff, 'y'}, "b".repeat(63).getBytes()};
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] l : lines) {
            all.write(l);
            all.write('\n');
        }
        Path file = dir.path.resolve("lines.txt");
        Files.write(file, all.toByteArray());
        for (String enc : new String[] {"utf-8", "us-ascii", "iso-8859-1"}) {
            String path = dir.file(enc + ".fifo");
            FifoDriver.make(path, 0600);
            try (Channel ch = openReaderWhile(path, Peer.start("sh", "-c", "cat " + file + " > " + path))) {
                ch.configure(Map.of("encoding", enc));
                for (byte[] l : lines) assertEquals(new String(l, Charset.forName(enc)), ch.gets(), enc);
                assertNull(ch.gets());
            }
        }
    }

    private static Channel openReaderWhile(String path, Peer writer) {
        try (writer) {
            return FifoDriver.open(path, "read", true, 0600, false, 10_000);
        }
    }

    @Test
    void catReadsWhatIpcshWrites() throws Exception {
        String path = dir.file("cat.fifo");
        FifoDriver.make(path, 0600);
        Path out = dir.path.resolve("cat.out");
        try (Peer cat = Peer.start("sh", "-c", "cat " + path + " > " + out)) {
            Channel w = FifoDriver.open(path, "write", false, 0600, false, 10_000);
            w.puts("line one");
            w.write("line two\n");
            w.close();
            assertEquals(0, cat.waitFor(10));
        }
        assertEquals("line one\nline two\n", Files.readString(out));
    }

    @Test
    void nonblockingWriterWithoutReaderFailsWithEnxio() {
        String path = dir.file("lonely.fifo");
        OsException e = assertThrows(OsException.class, () -> FifoDriver.open(path, "write", true, 0600, true, -1));
        assertEquals("ENXIO", e.errnoName());
        assertTrue(e.getMessage().contains(path), e.getMessage());
        assertTrue(e.getMessage().contains("No such device or address"), e.getMessage());
        assertTrue(e.getMessage().contains("no reader"), e.getMessage());
    }

    @Test
    void blockingWriterGivesUpAfterTimeoutWhenNoReaderComes() {
        String path = dir.file("late.fifo");
        long t0 = System.nanoTime();
        OsException e = assertThrows(OsException.class, () -> FifoDriver.open(path, "write", true, 0600, false, 300));
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 290);
        assertTrue(e.getMessage().contains("within 300 ms"), e.getMessage());
    }

    @Test
    void readerGivesUpAfterTimeoutWhenNoWriterComes() {
        String path = dir.file("quiet.fifo");
        TimeoutError e = assertThrows(TimeoutError.class, () -> FifoDriver.open(path, "read", true, 0600, false, 200));
        assertTrue(e.getMessage().contains("timed out after 200 ms"), e.getMessage());
        assertEquals(0, Channels.list().stream().filter(c -> path.equals(c.name())).count());
    }

    @Test
    void getsTimesOutOnASilentFifoAndTheChannelStaysUsable() {
        String path = dir.file("rw.fifo");
        try (Channel ch = FifoDriver.open(path, "rw", true, 0600, false, -1)) {
            ch.configure(java.util.Map.of("timeout", 150L));
            assertThrows(TimeoutError.class, ch::gets);
            ch.puts("later");
            assertEquals("later", ch.gets());
        }
    }

    @Test
    void mkfifoOnRegularFileIsAClearError() throws Exception {
        Path f = dir.path.resolve("plain.txt");
        Files.writeString(f, "x");
        IpcException e = assertThrows(IpcException.class, () -> FifoDriver.make(f.toString(), 0600));
        assertEquals("mkfifo \"" + f + "\": exists and is not a FIFO (it is a regular file)", e.getMessage());
    }

    @Test
    void fifoInMissingDirectoryNamesPathAndErrno() {
        OsException e = assertThrows(OsException.class,
                () -> FifoDriver.open("/nonexistent-dir/x.fifo", "read", true, 0600, true, -1));
        assertEquals("mkfifo \"/nonexistent-dir/x.fifo\": No such file or directory (ENOENT)", e.getMessage());
    }

    @Test
    void openingMissingFifoWithoutCreateFails() {
        String path = dir.file("absent.fifo");
        OsException e = assertThrows(OsException.class, () -> FifoDriver.open(path, "read", false, 0600, true, -1));
        assertEquals("ENOENT", e.errnoName());
        assertFalse(Files.exists(Path.of(path)));
    }

    @Test
    void noDescriptorLeakAfterTenThousandFifoOpens() {
        String path = dir.file("leak.fifo");
        FifoDriver.make(path, 0600);
        int before = Peer.openFds();
        for (int i = 0; i < 10_000; i++) {
            Channel ch = FifoDriver.open(path, "rw", false, 0600, true, -1);
            ch.close();
        }
        assertEquals(before, Peer.openFds());
        assertTrue(Channels.list().stream().noneMatch(c -> path.equals(c.name())));
    }

    /**
     * Another user (uid 65534) swaps the path between their FIFO, a symlink to a file of ours
     * and a regular file of theirs as fast as a shell loop can, while we open it thousands of
     * times (until 200 opens went through and 5,000 were refused) (rw: every open that is let through succeeds, and we write into it; every fifth a
     * writer that waits for a reader, re-opening) and descriptors are counted: no byte ever
     * reaches our file, and no descriptor is lost on a refusal.
     */
    @Test
    void thousandsOfOpensWhileAnotherUserSwapsThePathNeverWriteThroughAnythingButAFifo() throws Exception {
        Path shared = Files.createTempDirectory("ipcsh-shared");
        Path ours = Files.createFile(dir.path.resolve("ours.txt"));
        Process swapper = null;
        try {
            assertEquals(0, new ProcessBuilder("chmod", "1777", shared.toString()).start().waitFor());
            String p = shared.resolve("p").toString();
            swapper = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", """
                    cd %s && mkfifo -m 0666 p && : > ready
                    while :; do
                      ln -s %s l && mv -T l p
                      mkfifo -m 0666 f && mv -T f p
                      echo theirs > r && mv -T r p
                      mkfifo -m 0666 f && mv -T f p
                    done""".formatted(shared, ours)).redirectErrorStream(true).start();
            while (!Files.exists(shared.resolve("ready"))) Thread.sleep(5);
            int opened = 0, refused = 0;
            byte[] secret = "SECRET\n".getBytes(StandardCharsets.UTF_8);
            // refusals are quick and opens slow, so rounds are counted by outcome, not in all
            long deadline = System.nanoTime() + 40_000_000_000L;
            for (int i = 0; opened < 200 || refused < 5_000; i++) {
                assertTrue(System.nanoTime() < deadline, "in 40 s: opened " + opened + ", refused " + refused);
                // every fifth a writer waiting for a reader (none comes), re-trying its open every 10 ms
                boolean waits = i % 5 == 0;
                try (Channel ch = waits ? FifoDriver.open(p, "write", false, 0, false, 50)
                        : FifoDriver.open(p, "rw", false, 0, true, -1)) {
                    ch.write(secret);
                    opened++;
                } catch (IpcException e) {
                    refused++;
                }
            }
            assertEquals("", Files.readString(ours), "written through a symlink");
            assertEquals(List.of(), descriptorsOn(shared, ours), "descriptors of refused opens are closed");
            System.err.println("fifo swap stress: opened " + opened + ", refused " + refused);
        } finally {
            if (swapper != null) swapper.destroy();
            if (swapper != null) swapper.waitFor();
            try (var s = Files.walk(shared)) {
                for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
            }
        }
    }

    /** What our descriptors name under these paths (readlink of /proc/self/fd/N). */
    private static List<String> descriptorsOn(Path... paths) throws IOException {
        List<String> on = new java.util.ArrayList<>();
        try (var l = Files.list(Path.of("/proc/self/fd"))) {
            for (Path f : l.toList()) {
                try {
                    String target = Files.readSymbolicLink(f).toString();
                    for (Path p : paths) if (target.startsWith(p.toString())) on.add(f.getFileName() + " -> " + target);
                } catch (IOException gone) {
                    // the listing's own descriptor, closed by now
                }
            }
        }
        return on;
    }
}
