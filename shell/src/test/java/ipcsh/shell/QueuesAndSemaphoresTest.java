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
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * POSIX message queues and semaphores, System V queues and (ipcs), between real processes:
 * a C program, python3, util-linux's ipcmk/ipcs and other ipcsh processes. Every object a test
 * makes has this JVM's pid in its name or key, and none may be left behind.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class QueuesAndSemaphoresTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final String PREFIX = "ipcsh-t-" + PID + "-";
    /** System V keys of this run: 0x49 and the pid's low 24 bits, then a counter. */
    private static final int KEY_BASE = 0x49000000 | (int) ((PID & 0xffff) << 8);
    private static Path dir;
    private static String peer;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void buildPeer() throws Exception {
        dir = Files.createTempDirectory("ipcsh-mq");
        // world-readable: the EACCES test runs the peer as nobody
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path src = IpcshProcess.repo().resolve("shell/src/test/c/mq_peer.c");
        peer = dir.resolve("mq_peer").toString();
        run("gcc", "-Wall", "-O2", "-o", peer, src.toString(), "-lrt");
    }

    @AfterEach
    void stopStarted() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void nothingLeftBehind() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
        for (String d : List.of("/dev/mqueue", "/dev/shm")) {
            try (Stream<Path> s = Files.list(Path.of(d))) {
                List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> n.contains(PREFIX)).toList();
                assertEquals(List.of(), left, "left behind in " + d);
            } catch (java.nio.file.NoSuchFileException e) {
                // not mounted here
            }
        }
        String ipcs = run("ipcs", "-q");
        assertFalse(ipcs.contains(String.format("0x%06x", KEY_BASE >>> 8)), ipcs);
    }

    private static String name(String what) {
        return "/" + PREFIX + what;
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    private Path script(String file, String text) throws IOException {
        Path p = dir.resolve(file);
        Files.writeString(p, text);
        return p;
    }

    private static void ok(Result r) {
        assertEquals(0, r.status(), "stdout: " + r.out() + "\nstderr: " + r.err());
        assertEquals("", r.err());
    }

    /** A background process whose output lines are read with bounded waits. */
    private final class Background {
        final Process process;
        final BufferedReader out;

        Background(Process process) {
            this.process = process;
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

        int finish() throws InterruptedException {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "did not end by itself");
            return process.exitValue();
        }
    }

    @Test
    void cProgramAndIpcshExchangeMessagesBothWaysByPriority() {
        String toC = name("to-c"), toSh = name("to-sh");
        Result r = IpcshProcess.run("-e", """
                (def to-c (mq "%s" {:create true :temp true}))
                (def to-sh (mq "%s" :read {:create true :temp true :max-msgs 4 :msg-size 64}))
                (send to-c "one" {:priority 1})
                (send to-c "nine" {:priority 9})
                (puts to-c "zero")
                (def p (spawn "%s" "exchange" "%s" "%s"))
                (print (read p))
                (close p)
                (prn (recv to-sh))
                (prn (gets to-sh))
                (prn (select-keys (configure to-sh) [:max-msgs :msg-size :cur-msgs]))"""
                .formatted(toC, toSh, peer, toC, toSh));
        ok(r);
        assertEquals("""
                9 nine
                1 one
                0 zero
                {:data "high", :priority 7}
                "low"
                {:max-msgs 4, :msg-size 64, :cur-msgs 0}
                """, r.out());
        assertFalse(Files.exists(Path.of("/dev/mqueue" + toC)), ":temp queues are removed at exit");
    }

    @Test
    void ipcshConsumerWithOnReadableGetsWhatAnotherIpcshSends() throws Exception {
        String q = name("jobs");
        Path consumer = script("consumer.ipcs", """
                (def q (mq (first *command-line-args*) :read {:create true :temp true}))
                (on-readable q (fn [q]
                                 (let [{:keys [data priority]} (recv q)]
                                   (println data priority)
                                   (when (= data "quit") (close q)))))
                (println "ready")
                """);
        Background c = new Background(IpcshProcess.start(consumer.toString(), q));
        assertEquals("ready", c.next());
        ok(IpcshProcess.run("-e", """
                (def q (mq "%s" :write))
                (send q "first" {:priority 3})
                (send q "second" {:priority 3})
                (puts q "quit")""".formatted(q)));
        assertEquals("first 3", c.next());
        assertEquals("second 3", c.next());
        assertEquals("quit 0", c.next());
        assertEquals(0, c.finish(), "the consumer ends once its handler is gone");
    }

    @Test
    void twoProcessesAlternateTenThousandTimesOnTwoSemaphores() throws Exception {
        String ping = name("ping"), pong = name("pong");
        // Holding one semaphore proves the other one is 0: the peer has taken it and waits again.
        String body = """
                (def ping (sem "%s" {:create true :value 1 :temp true}))
                (def pong (sem "%s" {:create true :value 0 :temp true}))
                (def bad (atom 0))
                (println "ready")
                (dotimes [_ 10000]
                  (sem-wait %s {:timeout 30000})
                  (when-not (zero? (sem-value %s)) (swap! bad inc))
                  (sem-post %s))
                (println "done, out of turn:" @bad)""";
        Background a = new Background(IpcshProcess.start("-e", body.formatted(ping, pong, "ping", "pong", "pong")));
        Background b = new Background(IpcshProcess.start("-e", body.formatted(ping, pong, "pong", "ping", "ping")));
        assertEquals("ready", a.next());
        assertEquals("ready", b.next());
        assertEquals("done, out of turn: 0", a.next());
        assertEquals("done, out of turn: 0", b.next());
        assertEquals(0, a.finish());
        assertEquals(0, b.finish());
    }

    @Test
    void withSemPostsEvenWhenItsBodyThrows() {
        Result r = IpcshProcess.run("-e", """
                (def s (sem "%s" {:create true :temp true}))
                (try (with-sem s (println "inside" (sem-value s)) (throw (ex-info "boom" {})))
                     (catch Exception e (println (ex-message e))))
                (println "after" (sem-value s) (with-sem s :value))""".formatted(name("with-sem")));
        ok(r);
        assertEquals("inside 0\nboom\nafter 1 :value\n", r.out());
    }

    @Test
    void ipcshUsesAQueueIpcmkMadeAndIpcsSeesTheQueueIpcshMade() throws Exception {
        String made = run("ipcmk", "-Q");
        int id = Integer.parseInt(made.replaceAll("\\D+", ""));
        try {
            Result r = IpcshProcess.run("-e", """
                    (def q (sysv-mq nil {:id %d}))
                    (send q "for three" {:type 3})
                    (send q "for one")
                    (prn (recv q {:type 3}))
                    (prn (recv q))
                    (prn (recv q {:nonblock true}))
                    (send q "stays" {:type 4})""".formatted(id));
            ok(r);
            assertEquals("""
                    {:data "for three", :type 3}
                    {:data "for one", :type 1}
                    nil
                    """, r.out());
            assertTrue(run("ipcs", "-q").matches("(?s).*\\s" + id + "\\s+\\S+\\s+\\d+\\s+5\\s+1\\s.*"),
                    "ipcs -q shows the message ipcsh left");
        } finally {
            run("ipcrm", "-q", String.valueOf(id));
        }

        int key = KEY_BASE + 1;
        String hex = String.format("0x%08x", key);
        ok(IpcshProcess.run("-e", "(send (sysv-mq %d {:create true :exclusive true :mode 0640}) \"hello\" {:type 2})".formatted(key)));
        String line = run("ipcs", "-q").lines().filter(l -> l.startsWith(hex)).findFirst().orElse("");
        assertTrue(line.matches(hex + "\\s+\\d+\\s+root\\s+640\\s+5\\s+1\\s*"), "ipcs -q: " + line);
        // named as the builtin, the key as ipcs prints it; the old :sysv-msg filter and a numeric :name still find it,
        // and the printed key opens the same queue
        Result listed = IpcshProcess.run("-e", """
                (let [[q] (ipcs {:kind :sysv-mq :name "%1$s"})] (prn (select-keys q [:kind :key :messages :size :mode])))
                (prn (= (ipcs {:kind :sysv-mq :name "%1$s"}) (ipcs {:kind :sysv-msg :name %2$d})))
                (prn (:data (recv (sysv-mq (:key (first (ipcs {:name %2$d})))))))
                (sysv-mq-remove (sysv-mq "%1$s"))""".formatted(hex, key));
        ok(listed);
        assertEquals("{:kind :sysv-mq, :key \"%s\", :messages 1, :size 5, :mode \"0640\"}\ntrue\n\"hello\"\n".formatted(hex), listed.out());
        assertFalse(run("ipcs", "-q").contains(hex));
    }

    @Test
    void ipcsFindsTheSegmentAPythonProcessHoldsWithItsPid() throws Exception {
        String shm = PREFIX + "py";
        Process py = new ProcessBuilder("python3", "-c", """
                import sys
                from multiprocessing import shared_memory
                m = shared_memory.SharedMemory(name=sys.argv[1], create=True, size=4096)
                print("ready", flush=True)
                sys.stdin.read()
                m.close()
                m.unlink()
                """, shm).start();
        Background p = new Background(py);
        assertEquals("ready", p.next());
        try {
            Result r = IpcshProcess.run("-e", """
                    (doseq [o (ipcs {:name "/%s"})]
                      (prn (:kind o) (:name o) (:size o) (:mode o) (some #(= %d (:pid %%)) (:holders o))))
                    (prn (count (ipcs {:kind :mq :name "/%s"})))""".formatted(shm, py.pid(), shm));
            ok(r);
            assertEquals(":shm \"/%s\" 4096 \"0600\" true\n0\n".formatted(shm), r.out());
        } finally {
            py.getOutputStream().close();
            assertEquals(0, p.finish());
        }
    }

    @Test
    void badInputIsOneClearLineAndTheShellGoesOn() throws Exception {
        String locked = name("locked");
        run("setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", peer, "create", locked);
        try {
            String exists = name("exists");
            // Drop root's override of permissions so the kernel says EACCES as it would to a user.
            Result r = IpcshProcess.runWith(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search",
                    "--inh-caps=-all"), null, "-e", """
                    (defmacro say [form] `(try ~form (println "no error") (catch Exception e# (println (ex-message e#)))))
                    (say (mq "jobs"))
                    (say (mq "/a/b"))
                    (say (mq "%1$s" {:create true :msg-size 0}))
                    (say (mq "%1$s" {:create true :max-msgs -3}))
                    (say (mq "%1$s" {:create true :max-msgs 100000}))
                    (say (mq "%1$s" {:create true :max-msgs 5 :msg-size 100000000}))
                    (def q (mq "%1$s" {:create true :temp true}))
                    (say (mq "%1$s" {:create true :exclusive true}))
                    (say (mq "%2$s-absent"))
                    (say (mq "%3$s"))
                    (say (send q "x" {:priority 40000}))
                    (say (send q (apply str (repeat 9000 "x"))))
                    (say (sem "/x/y"))
                    (say (sem "%2$s-absent"))
                    (say (sem "%2$s-v" {:create true :value -1}))
                    (say (sysv-mq 0x7ee1ee1e))
                    (say (sysv-mq nil {:id 2147483000}))
                    (say (sem-wait q))
                    (println "alive")""".formatted(exists, name("x"), locked));
            assertEquals(0, r.status(), r.err());
            List<String> lines = r.out().lines().toList();
            List<String> expected = List.of(
                    "mq: name \"jobs\" must start with /",
                    "mq: name \"/a/b\" may not contain a second /",
                    "mq: option :msg-size must be 1 or more, not 0",
                    "mq: option :max-msgs must be 1 or more, not -3",
                    "mq \"" + exists + "\": Invalid argument (EINVAL): :max-msgs 100000 exceeds the limit: /proc/sys/fs/mqueue/msg_max is",
                    "mq \"" + exists + "\": ",
                    "mq \"" + exists + "\": File exists (EEXIST): the queue exists already and :exclusive was given",
                    "mq \"" + name("x") + "-absent\": No such file or directory (ENOENT): no such queue; {:create true} makes it",
                    "mq \"" + locked + "\": Permission denied (EACCES): owned by uid 65534 with mode 0600",
                    "send mq",
                    "mq \"" + exists + "\": a message of 9000 bytes exceeds the queue's :msg-size (8192 bytes)",
                    "sem: name \"/x/y\" may not contain a second /",
                    "sem \"" + name("x") + "-absent\": No such file or directory (ENOENT): no such semaphore; {:create true} makes it",
                    "sem: option :value must be 0 or more, not -1",
                    "sysv-mq \"key 0x7ee1ee1e\": No such file or directory (ENOENT): no queue has this key; {:create true} makes it",
                    "sysv-mq \"id 2147483000\": Invalid argument (EINVAL): no System V message queue has this id",
                    "sem-wait: argument 1 must be a semaphore (from sem), not the channel",
                    "alive");
            assertEquals(expected.size(), lines.size(), r.out());
            for (int i = 0; i < expected.size(); i++) {
                assertTrue(lines.get(i).startsWith(expected.get(i)), "line " + (i + 1) + ": " + lines.get(i));
            }
            assertTrue(lines.get(5).contains(":msg-size 100000000 exceeds the limit: /proc/sys/fs/mqueue/msgsize_max is"), lines.get(5));
            assertTrue(lines.get(9).contains(":priority must be 0..32767, not 40000"), lines.get(9));
        } finally {
            ok(IpcshProcess.run("-e", "(mq-unlink \"" + locked + "\")"));
        }
    }

    @Test
    void aQueuePastRlimitMsgqueueNamesThatLimit() {
        Result r = IpcshProcess.runWith(List.of("prlimit", "--msgqueue=20000"), null, "-e",
                "(mq \"%s\" {:create true :max-msgs 10 :msg-size 8192})".formatted(name("big")));
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().startsWith("error: mq \"" + name("big") + "\": Too many open files (EMFILE): RLIMIT_MSGQUEUE "
                + "(ulimit -q) is 20000 bytes for this user, and this queue needs about"), r.err());
    }

    @Test
    void javaScriptProducerAndConsumerOverAQueue() throws Exception {
        Path js = script("mq.js", """
                const [qname, sname] = ipc.args;
                const q = ipc.mq(qname, {create: true, temp: true});
                const got = [];
                q.onReadable(() => {
                  const m = ipc.recv(q);
                  got.push(m.data + ':' + m.priority);
                  if (m.data === 'end') {
                    q.close();
                    const s = ipc.sem(sname, {create: true, temp: true});
                    console.log(got.join(' '), ipc.withSem(s, () => ipc.semValue(s)), ipc.semValue(s));
                  }
                });
                ipc.send(q, 'low', {priority: 1});
                ipc.send(q, 'high', {priority: 5});
                q.puts('end');
                """);
        Result r = IpcshProcess.run(js.toString(), name("js"), name("js-sem"));
        ok(r);
        assertEquals("high:5 low:1 end:0 0 1\n", r.out());
    }
}
