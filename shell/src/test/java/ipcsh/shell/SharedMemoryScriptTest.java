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

    /** The rings' doorbell directories (/tmp/ipcsh-ring-XXXXXXXXXXXXXXXX) there were before the test. */
    private final java.util.Set<Path> bellDirsBefore;

    SharedMemoryScriptTest() throws IOException {
        dir = Files.createTempDirectory("ipcsh-shm");
        bellDirsBefore = bellDirs();
    }

    private static java.util.Set<Path> bellDirs() throws IOException {
        try (var s = Files.list(Path.of("/tmp"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("ipcsh-ring-")).collect(java.util.stream.Collectors.toSet());
        }
    }

    private String name(String what) {
        String n = "/ipcsh-test-" + PID + "-" + what;
        leftovers.add(Path.of("/dev/shm" + n));
        leftovers.add(Path.of("/dev/shm/sem." + n.substring(1)));
        return n;
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Path p : leftovers) {
            // a failed test's ring: its doorbell directory is the one its own header names (offset
            // 256, NUL-terminated), never any other process's ring found by a pattern in /tmp
            Path bells = bellDirNamedBy(p);
            if (bells != null) {
                Files.deleteIfExists(bells.resolve("wake-reader"));
                Files.deleteIfExists(bells.resolve("wake-writer"));
                Files.deleteIfExists(bells);
            }
            Files.deleteIfExists(p);
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The doorbell directory a ring segment's header names, or null (no segment, not a ring). */
    private static Path bellDirNamedBy(Path segment) {
        try {
            byte[] b;
            try (var in = Files.newInputStream(segment)) {
                b = in.readNBytes(512);
            }
            if (b.length < 512) return null;
            int n = 256;
            while (n < 512 && b[n] != 0) n++;
            String d = new String(b, 256, n - 256, StandardCharsets.UTF_8);
            return d.matches("/tmp/ipcsh-ring-[a-z0-9]{16}") ? Path.of(d) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private Path script(String file, String text) throws IOException {
        Path f = dir.resolve(file);
        Files.writeString(f, text);
        return f;
    }

    /**
     * Also that no doorbell directory was left behind: one that appeared during the test and that
     * no ring segment in /dev/shm names any more (a ring another run on the machine has open
     * still has its segment, so it does not count).
     */
    private void assertGone(String name) throws IOException {
        assertFalse(Files.exists(Path.of("/dev/shm" + name)), name + " left in /dev/shm");
        java.util.Set<Path> left = bellDirs();
        left.removeAll(bellDirsBefore);
        try (var s = Files.list(Path.of("/dev/shm"))) {
            for (Path seg : s.toList()) {
                Path named = bellDirNamedBy(seg);
                if (named != null) left.remove(named);
            }
        }
        assertEquals(java.util.Set.of(), left, "ring doorbell directories left");
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

    /**
     * copy at both ends of a 16 KiB ring across two processes, fed and drained by python3 in
     * 4,000 bursts of 1 B to 40 KiB with pauses of none, 20 us, 100 us and 2 ms around them:
     * each side in turn finds the ring empty or full and spins through its wait or sleeps in
     * it (RingDriver's 50 us spin), thousands of times each way. Every byte arrives once, in
     * order, and a lost wake-up is a stall the time-out turns into a failure.
     */
    @Test
    void copyThroughASmallRingInBurstsWithPausesLosesNoByteAndNeverStalls() throws Exception {
        String n = name("bursts");
        Path gen = script("gen.py", """
                import hashlib, random, sys, time
                rnd, h, out, total = random.Random(21), hashlib.sha256(), sys.stdout.buffer, 0
                for i in range(4000):
                    b = rnd.randbytes(rnd.randint(1, 40960))
                    out.write(b); out.flush(); h.update(b); total += len(b)
                    time.sleep(rnd.choice([0, 0, 2e-5, 1e-4, 2e-3]) if i % 3 == 0 else 0)
                sys.stderr.write("%d %s\\n" % (total, h.hexdigest()))
                """);
        Path sink = script("sink.py", """
                import hashlib, random, sys, time
                rnd, h, total, inp = random.Random(12), hashlib.sha256(), 0, sys.stdin.buffer
                while True:
                    b = inp.read1(rnd.randint(1, 40960))
                    if not b: break
                    h.update(b); total += len(b)
                    if rnd.random() < 0.3: time.sleep(rnd.choice([2e-5, 1e-4, 2e-3]))
                print(total, h.hexdigest())
                """);
        Path writer = script("writer.ipcs", """
                (let [[name gen sums] *command-line-args*
                      w (shm-ring name {:size 16384 :create true :temp true})
                      p (spawn ["/usr/bin/python3" gen] {:stderr (open-file sums :write)})]
                  (println "ready")
                  (copy p w)
                  (close w)
                  (close p))
                """);
        Path reader = script("reader.ipcs", """
                (let [[name sink] *command-line-args*
                      r (shm-ring name)
                      p (spawn "/usr/bin/python3" sink)]
                  (copy r p)
                  (close p :write)
                  (println (gets p))
                  (close p)
                  (close r))
                """);
        Path sums = dir.resolve("sent.txt");
        Process w = IpcshProcess.start(writer.toString(), n, gen.toString(), sums.toString());
        try {
            byte[] ready = new byte[6];
            assertEquals(6, w.getInputStream().readNBytes(ready, 0, 6), "writer ready");
            Result r = IpcshProcess.run(reader.toString(), n, sink.toString());
            assertTrue(w.waitFor(120, TimeUnit.SECONDS), "writer did not finish");
            String sent = Files.readString(sums); // python3's sums, or what it said when it failed
            assertEquals("", finish(w), sent);
            assertTrue(sent.matches("[0-9]+ [0-9a-f]{64}\n"), sent);
            assertEquals(new Result(0, sent, ""), r);
            assertGone(n);
        } finally {
            w.destroy(); // a stalled writer (its reader killed by the time-out) ends, and its python3 with it
        }
    }

    /**
     * A script file that names shm-ring has the ring's data path compiled while it loads
     * (RingWarmUp: a private ring in the process's own memory, on a thread of its own, no
     * shared object). Once that thread has ended the process holds exactly the descriptors,
     * channels and segments of one that never named a ring.
     */
    @Test
    void warmingUpTheRingPathLeavesNothingBehind() throws Exception {
        // both wait a second first: the shell's own descriptors (Ctrl-C's eventfd, SIGQUIT's pipe) are made by then
        String body = """
                (sleep 1000)
                (loop [i 0]
                  (when (and (< i 500) (some #(= "ipcsh-ring-warm-up" (.getName %)) (keys (Thread/getAllStackTraces))))
                    (sleep 20)
                    (recur (inc i))))
                (println (count (.list (java.io.File. "/proc/self/fd"))) (count (channels)) (count (segments))
                         (some #(= "ipcsh-ring-warm-up" (.getName %)) (keys (Thread/getAllStackTraces))))
                """;
        Path named = script("names.ipcs", ";; warms up the shm-ring path\n" + body);
        Path plain = script("plain.ipcs", ";; names no ring builtin\n" + body);
        Result withRing = IpcshProcess.run(named.toString());
        Result without = IpcshProcess.run(plain.toString());
        assertEquals(0, withRing.status(), withRing.err());
        assertEquals(new Result(0, without.out(), ""), withRing);
        assertTrue(without.out().endsWith(" 0 0 nil\n"), without.out());
    }

    @Test
    void ringWriterThatExitsWithoutClosingGivesItsReaderEndOfStream() throws IOException {
        String n = name("ring-exit");
        Result w = IpcshProcess.run("-e", "(def w (shm-ring \"" + n + "\" {:size 65536 :create true})) (puts w \"last words\")");
        assertEquals(0, w.status(), w.err());
        Result r = IpcshProcess.run("-e", "(let [r (shm-ring \"" + n + "\" {:timeout 10000})] (prn (gets r) (gets r)) (shm-unlink \"" + n + "\"))");
        assertEquals(new Result(0, "\"last words\" nil\n", ""), r);
        assertGone(n);
    }

    /**
     * One writer per ring: a second process that opens it :write is refused with a clear error
     * (before, both were accepted and their bytes interleaved in the ring: the reader got 10,856
     * of 20,000 lines), and once the first is SIGKILLed the kernel frees its side for the next.
     */
    @Test
    void secondWriterProcessIsRefusedAndTheSideIsFreedWhenTheFirstIsKilled() throws Exception {
        String n = name("one-writer");
        Path first = script("first.ipcs", """
                (def w (shm-ring (first *command-line-args*) :write {:size 65536 :create true}))
                (puts w "from the first")
                (println "ready")
                (sleep 60000)
                """);
        Process w1 = IpcshProcess.start(first.toString(), n);
        assertEquals("ready\n", new String(w1.getInputStream().readNBytes(6), StandardCharsets.UTF_8));
        Result second = IpcshProcess.run("-e", "(def w (shm-ring \"" + n + "\" :write)) (dotimes [i 10000] (puts w i))");
        assertEquals(1, second.status(), second.out());
        assertTrue(second.err().startsWith("error: shm-ring \"" + n + "\": the ring has a writer already (another channel, in this"
                + " process or another, holds its writer's lock); a ring has one writer and one reader\n"), second.err());
        w1.destroyForcibly(); // SIGKILL: it cannot close its end, the kernel drops its lock
        assertTrue(w1.waitFor(30, TimeUnit.SECONDS));
        Result next = IpcshProcess.run("-e", "(let [w (shm-ring \"" + n + "\" :write)] (puts w \"from the next\") (close w))");
        assertEquals(new Result(0, "", ""), next);
        Result r = IpcshProcess.run("-e", "(let [r (shm-ring \"" + n + "\" {:timeout 10000})] (prn (gets r) (gets r) (gets r))"
                + " (shm-unlink \"" + n + "\"))");
        assertEquals(new Result(0, "\"from the first\" \"from the next\" nil\n", ""), r);
        assertGone(n);
    }

    /**
     * The lost wake-up, across two processes: each round the reader makes a fresh ring and
     * reads it with on-readable and gets; the writer process puts a few lines and closes. A
     * round whose end of stream never wakes the reader fails the script.
     */
    @Test
    void ringReaderOnReadableNeverStallsAcrossProcessesInThousandsOfRounds() throws Exception {
        String base = name("stress");
        int rounds = 2000;
        Path reader = script("stress-reader.ipcs", """
                (let [[base n] *command-line-args*]
                  (dotimes [i (parse-long n)]
                    (let [name (str base "-" i)
                          r (shm-ring name :read {:size 4096 :create true :temp true})
                          got (atom [])
                          done (atom false)]
                      (on-readable r (fn [& _]
                                       (let [line (gets r)]
                                         (if (nil? line)
                                           (do (reset! done true) (close r))
                                           (swap! got conj line)))))
                      (when-not (wait-for #(deref done) {:timeout 10000})
                        (throw (ex-info (str "round " i ": no end of stream after " (count @got) " lines") {})))
                      (when (not= @got (mapv #(str "round " i " line " %) (range 5)))
                        (throw (ex-info (str "round " i " got " @got) {})))
                      (shm-unlink name)))
                  (println "rounds" n))
                """);
        Path writer = script("stress-writer.ipcs", """
                (let [[base n] *command-line-args*]
                  (dotimes [i (parse-long n)]
                    (let [name (str base "-" i)
                          w (loop [] (or (try (shm-ring name :write) (catch Exception _ nil)) (do (sleep 1) (recur))))]
                      (dotimes [j 5] (puts w (str "round " i " line " j)))
                      (close w))))
                """);
        Process w = IpcshProcess.start(writer.toString(), base, String.valueOf(rounds));
        Process r = IpcshProcess.start(reader.toString(), base, String.valueOf(rounds));
        assertEquals("rounds " + rounds + "\n", finish(r));
        assertEquals("", finish(w));
        for (int i = 0; i < rounds; i++) leftovers.add(Path.of("/dev/shm" + base + "-" + i));
        assertGone(base + "-" + (rounds - 1));
    }

    /** From JavaScript as from Clojure: a bad option makes nothing; one writer, one reader. */
    @Test
    void javascriptRingChecksOptionsFirstAndRefusesASecondWriter() throws Exception {
        String n = name("js");
        Path f = script("ring.js", """
                const name = ipc.args[0];
                for (const opts of [{create: true, timeout: -1}, {create: true, bogus: 1}, {temp: true}]) {
                  try { ipc.shmRing(name, opts); console.log("accepted", JSON.stringify(opts)); }
                  catch (e) { console.log(String(e.message).split("\\n")[0]); }
                }
                const w = ipc.shmRing(name, {size: 4096, create: true, temp: true});
                try { ipc.shmRing(name, "write"); console.log("second writer accepted"); }
                catch (e) { console.log(String(e.message).split("\\n")[0]); }
                const r = ipc.shmRing(name);
                w.puts("hello from js");
                w.close();
                console.log(r.gets(), r.gets());
                """);
        Result r = IpcshProcess.run(f.toString(), n);
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(5, lines.size(), r.out());
        assertEquals("shm-ring: option :timeout must be 0 or more, not -1", lines.get(0));
        assertTrue(lines.get(1).startsWith("shm-ring: unknown option :bogus (options: :size :create :exclusive :mode :temp, and the"
                + " channel's :blocking "), lines.get(1));
        assertEquals("shm-ring: :temp is for a ring this call creates; add :create true", lines.get(2));
        assertEquals("shm-ring \"" + n + "\": the ring has a writer already (another channel, in this process or another, holds"
                + " its writer's lock); a ring has one writer and one reader", lines.get(3));
        assertEquals("hello from js null", lines.get(4));
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
        assertEquals("made\n", new String(p.getInputStream().readNBytes(5), StandardCharsets.UTF_8), "the script made its segments");
        Path bells = bellDirNamedBy(Path.of("/dev/shm" + n + "-ring"));
        assertTrue(bells != null && Files.isDirectory(bells), "the ring's doorbell directory: " + bells);
        assertTrue(Files.exists(Path.of("/dev/shm" + n)));
        assertTrue(Files.exists(Path.of("/dev/shm" + n + "-ring")));
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertGone(n);
        assertGone(n + "-ring");
        assertFalse(Files.exists(bells), bells + " left");
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
