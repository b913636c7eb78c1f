package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * File locks and robust mutexes between real processes: two ipcsh counters, flock(1) from a shell
 * script, python3's fcntl.lockf, a C program on the same pthread_mutex_t, and holders killed with
 * SIGKILL. Every lock file lives in this run's own directory; shared memory names carry the pid.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LocksTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    private static Path dir;
    private static String peer;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void buildPeer() throws Exception {
        dir = Files.createTempDirectory("ipcsh-locks");
        // others may pass through (not list): the other-user test's 1777 directory is inside
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        peer = dir.resolve("mutex_peer").toString();
        run("gcc", "-Wall", "-O2", "-o", peer, IpcshProcess.repo().resolve("shell/src/test/c/mutex_peer.c").toString(),
                "-lrt", "-pthread");
    }

    /** The lock files, the C peer and the other user's directory go with the test run. */
    @AfterAll
    static void removeDir() throws IOException {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @AfterEach
    void stopStarted() throws Exception {
        for (Process p : started) end(p);
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("ipcsh-lk-" + PID)).toList()) Files.delete(p);
        }
    }

    /** Ends p and what it started (flock(1)'s command, python's nothing), so no lock outlives its test. */
    private static void end(Process p) throws Exception {
        List<ProcessHandle> kids = p.descendants().toList();
        p.destroyForcibly();
        for (ProcessHandle k : kids) k.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle k : kids) k.onExit().get(10, TimeUnit.SECONDS);
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    private static Path fresh(String name) throws IOException {
        Path d = Files.createTempDirectory(dir, name);
        return d;
    }

    private static String shmName(String what) {
        return "/ipcsh-lk-" + PID + "-" + what;
    }

    private static void ok(Result r) {
        assertEquals(0, r.status(), "stdout: " + r.out() + "\nstderr: " + r.err());
        assertEquals("", r.err());
    }

    /** A background process whose output lines are read with bounded waits. */
    private final class Background {
        final Process process;
        final BufferedReader out;

        Background(List<String> cmd) throws IOException {
            process = new ProcessBuilder(cmd).directory(IpcshProcess.repo().toFile()).start();
            started.add(process);
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        String next() throws Exception {
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            });
            try {
                return line.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                process.destroyForcibly();
                throw new AssertionError("no output in 60 s; stderr: "
                        + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }

        String err() throws IOException {
            return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        }

        int finish() throws InterruptedException {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "did not end by itself");
            return process.exitValue();
        }
    }

    private Background ipcsh(String... args) throws IOException {
        return new Background(IpcshProcess.command(List.of(), args));
    }

    @Test
    void twoProcessesIncrementingAFileUnderLockLoseNoneOfTwentyThousand() throws Exception {
        Path d = fresh("count");
        Path counter = d.resolve("counter"), lk = d.resolve("counter.lock");
        Files.write(counter, new byte[8]);
        // the counter is the file's first 8 bytes, mapped: a read, an add and a write, atomic only under the lock
        String script = """
                (def s (mmap "%s"))
                (dotimes [_ 10000]
                  (with-lock "%s" (shm-put s :i64 0 (inc (shm-get s :i64 0)))))
                (println "done")
                """.formatted(counter, lk);
        Background a = ipcsh("-e", script), b = ipcsh("-e", script);
        assertEquals("done", a.next());
        assertEquals("done", b.next());
        assertEquals(0, a.finish());
        assertEquals(0, b.finish());
        assertEquals(20000, java.nio.ByteBuffer.wrap(Files.readAllBytes(counter)).order(java.nio.ByteOrder.nativeOrder()).getLong());
    }

    @Test
    void flockOneDoesNotExcludeAnOfdLockButFlockModeExcludesIt() throws Exception {
        Path lk = fresh("flock").resolve("job.lock");
        // -o: the lock is flock(1)'s own descriptor, not inherited by the command, so ending flock(1) releases it
        Background holder = new Background(List.of("flock", "-o", "-x", lk.toString(), "sh", "-c", "echo held; exec sleep 60"));
        assertEquals("held", holder.next());
        Result r = IpcshProcess.run("-e", """
                (println (some? (lock "%1$s" {:wait false})) (some? (lock "%1$s" {:flock true :wait false}))
                         (some? (lock "%1$s" {:flock true :shared true :wait false})))
                """.formatted(lk));
        ok(r);
        assertEquals("true false false\n", r.out());
        end(holder.process);

        // the other way round: ipcsh holds, flock(1) asks without waiting (exit 1: held)
        Background ofd = ipcsh("-e", "(def l (lock \"" + lk + "\")) (println \"held\") (flush) (sleep 60000)");
        assertEquals("held", ofd.next());
        assertEquals(0, new ProcessBuilder("flock", "-n", lk.toString(), "true").start().waitFor());
        end(ofd.process);
        Background bsd = ipcsh("-e", "(def l (lock \"" + lk + "\" {:flock true})) (println \"held\") (flush) (sleep 60000)");
        assertEquals("held", bsd.next());
        assertEquals(1, new ProcessBuilder("flock", "-n", lk.toString(), "true").start().waitFor());
    }

    @Test
    void aShellScriptUnderFlockOneAndIpcshUnderFlockModeShareACounter() throws Exception {
        Path d = fresh("mixed");
        Path counter = d.resolve("n"), lk = d.resolve("n.lock");
        Files.writeString(counter, "0");
        Background sh = new Background(List.of("sh", "-c", """
                i=0; while [ $i -lt 400 ]; do
                  flock "$1" sh -c 'n=$(cat "$1"); echo $((n + 1)) > "$1"' - "$2"; i=$((i + 1)); done; echo done
                """, "-", lk.toString(), counter.toString()));
        Result r = IpcshProcess.run("-e", """
                (dotimes [_ 400]
                  (with-lock "%s" {:flock true}
                    (spit "%2$s" (str (inc (parse-long (clojure.string/trim (slurp "%2$s")))) "\\n"))))
                """.formatted(lk, counter));
        ok(r);
        assertEquals("done", sh.next());
        assertEquals("800", Files.readString(counter).trim());
    }

    @Test
    void anOfdLockExcludesPythonsLockfAndLocksNamesEveryHolder() throws Exception {
        Path lk = fresh("who").resolve("svc.lock");
        Files.writeString(lk, "");
        Background py = new Background(List.of("python3", "-c", """
                import fcntl, sys, time
                f = open(sys.argv[1], 'r+')
                fcntl.lockf(f, fcntl.LOCK_EX)
                print('held', flush=True)
                time.sleep(60)
                """, lk.toString()));
        assertEquals("held", py.next());
        Path other = lk.resolveSibling("other.lock");
        Background fl = new Background(List.of("flock", "-o", "-s", other.toString(), "sh", "-c", "echo held; exec sleep 60"));
        assertEquals("held", fl.next());
        Background ofd = ipcsh("-e", "(def l (lock \"" + other + "\" {:shared true})) (println \"held\") (flush) (sleep 60000)");
        assertEquals("held", ofd.next());
        Result r = IpcshProcess.run("-e", """
                (doseq [p ["%s" "%s"] r (locks p)] (println (:pid r) (:type r) (:mode r) (:end r) (:waiting r)))
                (try (lock "%1$s" {:timeout 300}) (catch Exception e (println (ex-message e))))
                (println (lock "%1$s" {:wait false}) (some? (lock "%1$s" {:shared true :flock true :wait false})))
                """.formatted(lk, other));
        ok(r);
        List<String> lines = r.out().lines().toList();
        assertEquals(py.process.pid() + " :posix :exclusive nil false", lines.get(0), r.out());
        assertTrue(lines.subList(1, 3).contains(fl.process.pid() + " :flock :shared nil false"), r.out());
        assertTrue(lines.subList(1, 3).contains(ofd.process.pid() + " :ofd :shared nil false"), r.out());
        String timedOut = String.join(" ", lines.subList(3, lines.size() - 1));
        assertTrue(timedOut.startsWith("lock \"" + lk + "\" (held by pid " + py.process.pid() + " (") && timedOut.contains("python3 -c import fcntl")
                && timedOut.endsWith(lk + ")): timed out after 300 ms"), r.out());
        assertEquals("nil true", lines.getLast(), r.out());
    }

    @Test
    void anIpcshHolderKilledWithSigkillLeavesTheMutexToTheNextWithOwnerDied() throws Exception {
        String name = shmName("kill");
        Background holder = ipcsh("-e", """
                (def s (shm "%s" {:create true :size 4096}))
                (def m (mutex s 0))
                (lock-mutex m)
                (shm-put s :i64 64 41) (shm-put s :i64 72 1) ; half an update: dirty
                (println "held") (flush) (sleep 60000)
                """.formatted(name));
        assertEquals("held", holder.next());
        new ProcessBuilder("kill", "-KILL", String.valueOf(holder.process.pid())).start().waitFor();
        assertTrue(holder.process.waitFor(10, TimeUnit.SECONDS));
        Result r = IpcshProcess.run("-e", """
                (def s (shm "%s"))
                (def m (mutex s 0))
                (with-mutex [info m]
                  (println "first" (:owner-died info) (shm-get s :i64 72))
                  (when (:owner-died info) (shm-put s :i64 64 (inc (shm-get s :i64 64))) (shm-put s :i64 72 0)))
                (with-mutex [info m] (println "then" (:owner-died info) (shm-get s :i64 64) (shm-get s :i64 72)))
                (def p (spawn ["%s" "%1$s" "add" "10000"]))
                (dotimes [_ 10000] (with-mutex m (shm-put s :i64 64 (inc (shm-get s :i64 64)))))
                (println (gets p))
                (println "total" (shm-get s :i64 64))
                (shm-unlink "%1$s")
                """.formatted(name, peer));
        ok(r);
        assertEquals("first true 1\nthen false 42 0\ndone\ntotal 20042\n", r.out());
    }

    @Test
    void aCPeerDyingHoldingTheMutexIsSeenAndAFailedRepairLeavesItUnusableUntilInit() throws Exception {
        String name = shmName("c");
        Result r = IpcshProcess.run("-e", """
                (def s (shm "%s" {:create true :size 4096 :temp true}))
                (def m (mutex s 0))
                (def d (spawn ["%s" "%1$s" "die"]))
                (println (gets d))
                (wait d)
                (println (try (with-mutex [info m] (println "repairing" (:owner-died info)) (throw (ex-info "repair failed" {})))
                              (catch Exception e (ex-message e))))
                (println (try (lock-mutex m) (catch Exception e (ex-message e))))
                (def m2 (mutex s 0 {:init true}))
                (println (lock-mutex m2))
                (unlock-mutex m2)
                """.formatted(name, peer));
        ok(r);
        assertEquals("held\nrepairing true\nrepair failed\nlock-mutex #<mutex " + name + " @0>: not recoverable: a holder "
                + "found its owner dead and unlocked without repairing (ENOTRECOVERABLE); (mutex seg 0 {:init true}) makes it anew\n"
                + "{:owner-died false}\n", r.out());
    }

    @Test
    void aSymlinkAnotherUserPlantsAtTheLockPathIsRefusedAndNothingIsMade() throws Exception {
        Path shared = fresh("shared");
        run("chmod", "1777", shared.toString());
        Path lk = shared.resolve("job.lock"), target = shared.resolve("made-through-the-link");
        List<String> plant = new ArrayList<>(NOBODY);
        plant.addAll(List.of("ln", "-s", target.toString(), lk.toString()));
        run(plant.toArray(String[]::new));
        Result r = IpcshProcess.run("-e", "(lock \"" + lk + "\")");
        assertEquals(1, r.status(), r.out() + r.err());
        // ELOOP from O_NOFOLLOW, or EACCES first where fs.protected_symlinks guards sticky directories
        assertTrue(r.err().matches("(?s)error: lock \"" + lk + "\": (Too many levels of symbolic links \\(ELOOP\\)|Permission denied \\(EACCES\\))"
                + ": a symbolic link is there; a lock file is never reached through one\n.*"), r.err());
        assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS), "nothing is made through the link");
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsMade() throws Exception {
        Path d = fresh("bad");
        Path p = d.resolve("never");
        run("mkfifo", d.resolve("fifo").toString());
        Files.createSymbolicLink(d.resolve("link"), d.resolve("target"));
        String name = shmName("bad");
        Result r = IpcshProcess.run("-e", """
                (doseq [f [#(lock "%1$s" {:timeout -5}) #(lock "%1$s" {:colour 1}) #(lock 42) #(lock "%1$s" {:wait false :timeout 5})
                           #(lock "%2$s") #(lock "%3$s") #(lock "%3$s/link") #(unlock "x")]]
                  (println (try (f) (catch Exception e (ex-message e)))))
                (def s (shm "%4$s" {:create true :size 64 :temp true}))
                (doseq [f [#(mutex s 3) #(mutex s 40) #(mutex s -8) #(mutex "s" 0) #(unlock-mutex (mutex s 0))]]
                  (println (try (f) (catch Exception e (ex-message e)))))
                (shm-put s :i32 16 7)
                (println (try (mutex s 0) (catch Exception e (ex-message e))))
                """.formatted(p, d.resolve("fifo"), d, name));
        ok(r);
        String size = System.getProperty("os.arch").equals("aarch64") ? "48" : "40";
        assertEquals(List.of(
                "lock: option :timeout must be 0 or more, not -5",
                "lock: unknown option :colour (options: :shared :wait :timeout :flock :mode)",
                "lock: argument 1 must be a file's path or a lock (from lock), not the number 42; usage: (lock path) or (lock path opts) or (lock l) or (lock l opts)",
                "lock: :wait false and :timeout do not go together",
                "lock \"" + d.resolve("fifo") + "\": is a FIFO, not a regular file",
                "lock \"" + d + "\": Is a directory (EISDIR): not a regular file",
                "lock \"" + d + "/link\": Too many levels of symbolic links (ELOOP): a symbolic link is there; a lock file is never reached through one",
                "unlock: argument 1 must be a lock (from lock), not the string \"x\"; usage: (unlock l)",
                "mutex " + name + ": offset 3 is not aligned; a pthread_mutex_t needs a multiple of 8",
                "mutex " + name + ": offset 40 + " + size + " bytes (a pthread_mutex_t) is past the end (64)",
                "mutex " + name + ": offset -8 + " + size + " bytes (a pthread_mutex_t) is negative",
                "mutex: argument 1 must be a segment (from shm, mmap or sysv-shm), not the string \"s\"; usage: (mutex seg offset) or (mutex seg offset opts)",
                "unlock-mutex #<mutex " + name + " @0>: not locked by this shell (EPERM): a pthread mutex is unlocked by the thread that locked it",
                "mutex " + name + ": the bytes at offset 0 are not a robust process-shared mutex (__kind 0x7); (mutex seg 0 {:init true}) makes one there"),
                r.out().lines().toList());
        assertFalse(Files.exists(p), "no lock file is made for a refused call");
        assertFalse(Files.exists(d.resolve("target")), "nothing is made through a link");
    }

    @Test
    void javaScriptLocksWithWithLockAndWithMutex() throws Exception {
        Path lk = fresh("js").resolve("js.lock");
        String name = shmName("js");
        Result r = IpcshProcess.run("--lang", "js", "-e", """
                const p = '%s';
                console.log(ipc.withLock(p, () => 42));
                const l = ipc.lock(p);
                console.log(ipc.withLock(p, { wait: false }, () => 'ran'), ipc.lock(p, { wait: false, shared: true }));
                ipc.unlock(l);
                try { ipc.withLock(p, () => { throw new Error('boom'); }); } catch (e) { console.log(e.message); }
                console.log(ipc.withLock(p, { wait: false }, () => 'free again'));
                const h = ipc.lock(p); ipc.unlock(h);
                console.log(ipc.withLock(h, () => 'relocked'), ipc.lock(h) === h, ipc.lock(p, { wait: false }) === null);
                try { ipc.lock(h); } catch (e) { console.log(e.message); }
                ipc.close(h);
                try { ipc.lock(h); } catch (e) { console.log(e.message); }
                const s = ipc.shm('%s', { create: true, size: 4096, temp: true });
                const m = ipc.mutex(s, 0);
                console.log(JSON.stringify(ipc.withMutex(m, info => info)));
                """.formatted(lk, name));
        ok(r);
        assertEquals("42\nundefined null\nboom\nfree again\nrelocked true true\n"
                + "lock #<lock " + lk + " exclusive>: this handle holds it already\n"
                + "lock #<lock " + lk + " exclusive closed>: the lock is closed; (lock path) opens the file again\n"
                + "{\"owner-died\":false}\n", r.out());
    }

    @Test
    void theCronSafeExampleRunsOnceAtATimeAndSaysWhoHoldsTheLock() throws Exception {
        String lk = fresh("cron").resolve("report.lock").toString();
        String example = IpcshProcess.repo().resolve("examples/cron-safe.ipcs").toString();
        Background first = ipcsh(example, lk, "30");
        String running = first.next();
        assertEquals("running as pid " + first.process.pid(), running);
        Result second = IpcshProcess.run(example, lk, "0");
        assertEquals(75, second.status(), second.out() + second.err());
        assertEquals("another run holds " + lk + " [" + first.process.pid() + "]\n", second.out());
        end(first.process); // a run that dies holding the lock leaves none behind
        Result third = IpcshProcess.run(example, lk, "0");
        assertEquals(0, third.status(), third.out() + third.err());
        assertTrue(third.out().endsWith("done\n"), third.out());
    }

    @Test
    void withLockReleasesOnAThrowAndSharedLocksShareButExcludeAnExclusiveOne() throws Exception {
        Path lk = fresh("clj").resolve("s.lock");
        Result r = IpcshProcess.run("-e", """
                (def p "%s")
                (println (try (with-lock p (throw (ex-info "boom" {}))) (catch Exception e (ex-message e))))
                (def l (lock p {:wait false}))
                (println (some? l) (lock p {:wait false}))
                (close l)
                (def a (lock p {:shared true})) (def b (lock p {:shared true :wait false}))
                (println (some? b) (lock p {:wait false}) (count (locks p)))
                (unlock a) (unlock b)
                (println (with-lock p {:timeout 100} :free) (unlock a))
                (println (with-lock a (str a)) (str a))
                """.formatted(lk));
        ok(r);
        assertEquals("boom\ntrue nil\ntrue nil 2\n:free false\n#<lock " + lk + " shared> #<lock " + lk + " shared released>\n", r.out());
    }
}
