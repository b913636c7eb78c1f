package ipcsh.shell;

import ipcsh.registry.Registry;
import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared memory between ipcsh processes: segments, mapped files, rings, what is left at exit. */
@Timeout(180)
class SharedMemoryScriptTest {
    private static final long PID = ProcessHandle.current().pid();
    private final Path dir;
    private final List<Path> leftovers = new ArrayList<>();

    SharedMemoryScriptTest() throws IOException {
        dir = Files.createTempDirectory("ipcsh-shm");
    }

    private String name(String what) {
        String n = "/ipcsh-test-" + PID + "-" + what;
        leftovers.add(Path.of("/dev/shm" + n));
        leftovers.add(Path.of("/dev/shm/sem." + n.substring(1)));
        leftovers.add(Path.of("/tmp/ipcsh-ring-" + n.substring(1) + ".wake-reader"));
        leftovers.add(Path.of("/tmp/ipcsh-ring-" + n.substring(1) + ".wake-writer"));
        return n;
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Path p : leftovers) Files.deleteIfExists(p);
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private Path script(String file, String text) throws IOException {
        Path f = dir.resolve(file);
        Files.writeString(f, text);
        return f;
    }

    private static void assertGone(String name) {
        assertFalse(Files.exists(Path.of("/dev/shm" + name)), name + " left in /dev/shm");
        assertFalse(Files.exists(Path.of("/tmp/ipcsh-ring-" + name.substring(1) + ".wake-reader")), "doorbell left");
        assertFalse(Files.exists(Path.of("/tmp/ipcsh-ring-" + name.substring(1) + ".wake-writer")), "doorbell left");
    }

    @Test
    void mappedFileWrittenByOneProcessIsReadByTheNextAfterItExited() {
        String file = dir.resolve("state.bin").toString();
        Result w = IpcshProcess.run("-e", "(let [m (mmap \"" + file + "\" {:size 4096 :create true})]"
                + " (shm-put m :i64 0 1234567890123) (shm-write m 8 \"kept\") (msync m) (close m))");
        assertEquals(0, w.status(), w.err());
        Result r = IpcshProcess.run("-e", "(let [m (mmap \"" + file + "\")] (prn (shm-size m) (shm-get m :i64 0) (String. (shm-read m 8 4))))");
        assertEquals(new Result(0, "4096 1234567890123 \"kept\"\n", ""), r);
    }

    @Test
    void twoProcessesCountOnOneCellWithShmAddAndNoneIsLost() throws Exception {
        String n = name("count");
        Path add = script("add.ipcs", """
                (let [[name n] *command-line-args*
                      seg (shm name {:size 16 :create true})]
                  (dotimes [_ (parse-long n)] (shm-add seg :i64 0 1))
                  (when (= 1 (shm-add seg :i64 8 1))
                    (println "total" (shm-get seg :i64 0))
                    (shm-unlink name))
                  (close seg))
                """);
        Process a = IpcshProcess.start(add.toString(), n, "100000");
        Process b = IpcshProcess.start(add.toString(), n, "100000");
        String out = finish(a) + finish(b);
        assertEquals("total 200000\n", out);
        assertGone(n);
    }

    private static String finish(Process p) throws Exception {
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ipcsh did not finish");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void counterExampleUnderSemaphore() throws Exception {
        Assumptions.assumeTrue(Registry.standard().get("sem") != null, "the sem builtin comes with issue 8's semaphores");
        String n = name("counter");
        String example = IpcshProcess.repo().resolve("examples/shm-counter.ipcs").toString();
        Process a = IpcshProcess.start(example, n, "10000");
        Process b = IpcshProcess.start(example, n, "10000");
        assertEquals("total 20000\n", finish(a) + finish(b));
        assertGone(n);
        assertFalse(Files.exists(Path.of("/dev/shm/sem." + n.substring(1))), "semaphore left");
    }

    @Test
    void twoProcessesStreamOneHundredMegabytesThroughARingWithEqualChecksums() throws Exception {
        String n = name("ring");
        Path data = dir.resolve("data.bin");
        byte[] block = new byte[1 << 20];
        new java.util.Random(8).nextBytes(block);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        try (var out = Files.newOutputStream(data)) {
            for (int i = 0; i < 100; i++) {
                block[i] ^= (byte) i; // no two megabytes alike: a repeated or skipped one changes the sum
                out.write(block);
                sent.update(block);
            }
        }
        Path writer = script("writer.ipcs", """
                (let [[name file] *command-line-args*
                      w (shm-ring name {:size (* 4 1024 1024) :create true :temp true})]
                  (println "ready")
                  (copy (open-file file) w)
                  (close w))
                """);
        Path reader = script("reader.ipcs", """
                (let [[name file] *command-line-args*
                      r (shm-ring name)
                      out (open-file file :write)]
                  (println (copy r out))
                  (close out))
                """);
        Process w = IpcshProcess.start(writer.toString(), n, data.toString());
        byte[] ready = new byte[6];
        assertEquals(6, w.getInputStream().readNBytes(ready, 0, 6), "writer ready");
        Path got = dir.resolve("got.bin");
        Result r = IpcshProcess.run(reader.toString(), n, got.toString());
        assertEquals(new Result(0, (100 << 20) + "\n", ""), r);
        assertEquals("", finish(w));
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        received.update(Files.readAllBytes(got));
        assertEquals(HexFormat.of().formatHex(sent.digest()), HexFormat.of().formatHex(received.digest()));
        assertGone(n);
    }

    @Test
    void ringWriterThatExitsWithoutClosingGivesItsReaderEndOfStream() {
        String n = name("ring-exit");
        Result w = IpcshProcess.run("-e", "(def w (shm-ring \"" + n + "\" {:size 65536 :create true})) (puts w \"last words\")");
        assertEquals(0, w.status(), w.err());
        Result r = IpcshProcess.run("-e", "(let [r (shm-ring \"" + n + "\" {:timeout 10000})] (prn (gets r) (gets r)) (shm-unlink \"" + n + "\"))");
        assertEquals(new Result(0, "\"last words\" nil\n", ""), r);
        assertGone(n);
    }

    @Test
    void temporarySegmentIsRemovedWhenTheShellIsTerminated() throws Exception {
        String n = name("temp");
        Path f = script("temp.ipcs", """
                (def name (first *command-line-args*))
                (def s (shm name {:size 4096 :create true :temp true}))
                (def r (shm-ring (str name "-ring") {:create true :temp true}))
                (println "made")
                (sleep 60000)
                """);
        Process p = IpcshProcess.start(f.toString(), n);
        name("temp-ring");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(Path.of("/tmp/ipcsh-ring-" + n.substring(1) + "-ring.wake-writer"))) {
            assertTrue(System.nanoTime() < deadline && p.isAlive(), "the script did not make its segments");
            Thread.sleep(20);
        }
        Thread.sleep(200); // the doorbells are made last: let the script reach its sleep
        assertTrue(Files.exists(Path.of("/dev/shm" + n)));
        assertTrue(Files.exists(Path.of("/dev/shm" + n + "-ring")));
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertGone(n);
        assertGone(n + "-ring");
    }

    @Test
    void segmentOfAnotherUserWithMode0600IsPermissionDenied() throws Exception {
        String n = name("eacces");
        Process mk = new ProcessBuilder("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-c",
                "umask 077 && truncate -s 4096 /dev/shm" + n).redirectErrorStream(true).start();
        assertTrue(mk.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, mk.exitValue(), new String(mk.getInputStream().readAllBytes()));
        // Drop root's override of file permissions so the kernel says EACCES as it would to a user.
        Result r = IpcshProcess.runWith(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"),
                null, "-e", "(shm \"" + n + "\")");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith("error: shm \"" + n + "\": Permission denied (EACCES): its owner or mode does not let this user open it :rw\n"),
                r.err());
        assertTrue(Files.exists(Path.of("/dev/shm" + n)), "the shell must not remove what it could not open");
    }
}
