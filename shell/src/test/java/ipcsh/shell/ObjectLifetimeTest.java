package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterEach;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one lifetime rule for the named objects the shell creates (man ipcsh, NAMED OBJECTS):
 * what other programs reach by name stays until unlinked unless :temp; a socket file goes with
 * its socket; the clean-up at exit removes only the very file the shell made.
 */
@Timeout(180)
class ObjectLifetimeTest {
    private static final long PID = ProcessHandle.current().pid();
    private final Path dir;
    private final List<String> posixNames = new ArrayList<>();

    ObjectLifetimeTest() throws IOException {
        dir = Files.createTempDirectory("ipcsh-lifetime");
    }

    /** Removes what a test left (through ipcsh, so a ring's doorbells go wherever they live) and the directory. */
    @AfterEach
    void cleanUp() throws IOException {
        StringBuilder forms = new StringBuilder();
        for (String n : posixNames) {
            for (String verb : List.of("mq-unlink", "shm-unlink", "sem-unlink")) {
                forms.append("(try (").append(verb).append(" \"").append(n).append("\") (catch Exception _))\n");
            }
        }
        for (int key : List.of(keptKey, tempKey)) {
            forms.append("(try (sysv-mq-remove (sysv-mq ").append(key).append(")) (catch Exception _))\n");
            forms.append("(try (shm-unlink (sysv-shm ").append(key).append(")) (catch Exception _))\n");
        }
        IpcshProcess.run("-e", forms.toString());
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private String name(String what) {
        String n = "/ipcsh-lt-" + PID + "-" + what;
        posixNames.add(n);
        return n;
    }

    private static void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object inode(Path p) throws IOException {
        return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void fifoTapLeavesTheTappedProgramsFifoWhenTheShellExitsNormally() throws Exception {
        Path h = dir.resolve("h");
        run("mkfifo", h.toString());
        Object before = inode(h);
        Process writer = new ProcessBuilder("sh", "-c", "exec sleep 20 > " + h).start();
        Process reader = new ProcessBuilder("sh", "-c", "exec cat " + h + " > /dev/null").start();
        try {
            Result r = IpcshProcess.run("-e", "(def t (fifo-tap \"" + h + "\" {:log false})) (close t)");
            assertEquals(0, r.status(), r.err());
            assertTrue(Files.exists(h, LinkOption.NOFOLLOW_LINKS), "the tapped program's FIFO is still there");
            assertEquals(before, inode(h), "and it is the original, which cat still reads");
        } finally {
            writer.destroy();
            reader.destroy();
        }
    }

    /** Objects this (root) shell can make at a path another file can be renamed over. */
    @Test
    void aFileRenamedOverWhatTheShellMadeStaysAtExit() throws Exception {
        String shm = name("shm"), ring = name("ring"), sem = name("sem"), mq = name("mq");
        Path fifo = dir.resolve("f.fifo"), sock = dir.resolve("s.sock"), file = dir.resolve("m.bin");
        Path peer = dir.resolve("mq_peer");
        run("gcc", "-O2", "-o", peer.toString(), IpcshProcess.repo().resolve("shell/src/test/c/mq_peer.c").toString(), "-lrt");
        Map<String, Path> replaced = new LinkedHashMap<>();
        replaced.put("fifo", fifo);
        replaced.put("socket", sock);
        replaced.put("mmap", file);
        replaced.put("shm", Path.of("/dev/shm" + shm));
        replaced.put("ring", Path.of("/dev/shm" + ring));
        replaced.put("sem", Path.of("/dev/shm/sem." + sem.substring(1)));
        StringBuilder mv = new StringBuilder();
        for (var e : replaced.entrySet()) {
            Path other = dir.resolve(e.getKey() + ".other");
            Files.writeString(other, "put here by someone else\n");
            mv.append("mv -T ").append(other).append(' ').append(e.getValue()).append(" && ");
        }
        // a queue cannot be renamed over: it is unlinked and another program makes one of the same name
        mv.append("rm /dev/mqueue").append(mq).append(" && ").append(peer).append(" create ").append(mq);
        Result r = IpcshProcess.run("-e", """
                (mkfifo "%s" {:temp true})
                (def s (listen :unix "%s" (fn [c _] (close c))))
                (def m (mmap "%s" {:create true :size 16 :temp true}))
                (def g (shm "%s" {:create true :size 16 :temp true}))
                (def w (shm-ring "%s" :write {:create true :temp true}))
                (def x (sem "%s" {:create true :temp true}))
                (def q (mq "%s" {:create true :temp true}))
                (let [r (exec "sh" "-c" "%s")] (when-not (zero? (:exit r)) (println (:err r))))
                (exit 0)
                """.formatted(fifo, sock, file, shm, ring, sem, mq, mv));
        assertEquals(new Result(0, "", ""), r);
        for (var e : replaced.entrySet()) {
            assertEquals("put here by someone else\n", Files.readString(e.getValue()), e.getKey() + ": the file put there stays");
        }
        assertTrue(Files.exists(Path.of("/dev/mqueue" + mq)), "the other program's queue stays");
    }

    @Test
    void tempOnlyRemovesWhatTheCallCreatedNotWhatItFoundThere() throws Exception {
        String shm = name("found-shm"), sem = name("found-sem"), mq = name("found-mq");
        Path fifo = dir.resolve("found.fifo"), peer = dir.resolve("mq_peer");
        run("gcc", "-O2", "-o", peer.toString(), IpcshProcess.repo().resolve("shell/src/test/c/mq_peer.c").toString(), "-lrt");
        run("mkfifo", fifo.toString());
        run("sh", "-c", "head -c 64 /dev/zero > /dev/shm" + shm + " && head -c 32 /dev/zero > /dev/shm/sem." + sem.substring(1)
                + " && " + peer + " create " + mq);
        Result r = IpcshProcess.run("-e", """
                (def f (fifo "%s" :rw {:temp true}))
                (def g (shm "%s" {:create true :size 16 :temp true}))
                (def x (sem "%s" {:create true :temp true}))
                (def q (mq "%s" {:create true :temp true}))
                (exit 0)
                """.formatted(fifo, shm, sem, mq));
        assertEquals(new Result(0, "", ""), r);
        for (Path p : List.of(fifo, Path.of("/dev/shm" + shm), Path.of("/dev/shm/sem." + sem.substring(1)), Path.of("/dev/mqueue" + mq))) {
            assertTrue(Files.exists(p), p + " was there before the shell and stays");
        }
    }

    @Test
    void javaScriptTakesTempTheSameWay() throws Exception {
        String q = name("js-q");
        Path js = dir.resolve("t.js");
        Files.writeString(js, """
                const [d, q] = ipc.args;
                ipc.mkfifo(d + '/kept.fifo');
                ipc.mkfifo(d + '/temp.fifo', {temp: true});
                ipc.fifo(d + '/temp-rw.fifo', 'rw', {temp: true});
                ipc.mq(q, {create: true, temp: true});
                try { ipc.fifo(d + '/x.fifo', 'rw', {create: false, temp: true}); } catch (e) { console.log(e.message); }
                """);
        Result r = IpcshProcess.run(js.toString(), dir.toString(), q);
        assertEquals(new Result(0, "fifo: :temp is for a FIFO this call creates; drop {:create false}\n", ""), r);
        Map<String, Boolean> actual = new LinkedHashMap<>();
        for (String p : List.of(dir + "/kept.fifo", dir + "/temp.fifo", dir + "/temp-rw.fifo", "/dev/mqueue" + q, dir + "/x.fifo")) {
            actual.put(p, Files.exists(Path.of(p), LinkOption.NOFOLLOW_LINKS));
        }
        assertEquals(Map.of(dir + "/kept.fifo", true, dir + "/temp.fifo", false, dir + "/temp-rw.fifo", false,
                "/dev/mqueue" + q, false, dir + "/x.fifo", false), actual);
    }

    private static final String EACH_KIND = """
            (def fifo-a (mkfifo "%1$s/kept.fifo"))
            (def fifo-b (mkfifo "%1$s/temp.fifo" {:temp true}))
            (def fifo-c (fifo "%1$s/kept-rw.fifo" :rw))
            (def fifo-d (fifo "%1$s/temp-rw.fifo" :rw {:temp true}))
            (def sock (listen :unix "%1$s/s.sock" (fn [c _] (close c))))
            (def dgram (unix-dgram "%1$s/d.sock"))
            (def q-a (mq "%2$s-q" {:create true}))
            (def q-b (mq "%2$s-tq" {:create true :temp true}))
            (def g-a (shm "%2$s-g" {:create true :size 16}))
            (def g-b (shm "%2$s-tg" {:create true :size 16 :temp true}))
            (def f-a (mmap "%1$s/kept.bin" {:create true :size 16}))
            (def f-b (mmap "%1$s/temp.bin" {:create true :size 16 :temp true}))
            (def s-a (sem "%2$s-s" {:create true}))
            (def s-b (sem "%2$s-ts" {:create true :temp true}))
            (def r-a (shm-ring "%2$s-r" :write {:create true}))
            (def r-b (shm-ring "%2$s-tr" :write {:create true :temp true}))
            (def v-a (sysv-mq %3$d {:create true}))
            (def v-b (sysv-mq %4$d {:create true :temp true}))
            (def w-a (sysv-shm %3$d {:create true :size 16}))
            (def w-b (sysv-shm %4$d {:create true :size 16 :temp true}))
            """;

    /** Two System V keys of this test run's own: kept, temp. */
    private final int keptKey = 0x7e100000 + (int) (PID & 0xfffff) * 2, tempKey = keptKey + 1;

    private static boolean sysvKeyIn(String table, int key) {
        try {
            return Files.readAllLines(Path.of("/proc/sysvipc/" + table)).stream().skip(1)
                    .anyMatch(l -> l.trim().split("\\s+")[0].equals(String.valueOf(key)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What remains after the shell ended: kept objects stay, :temp ones and socket files are gone. */
    private void assertTheRule(String base) {
        Map<String, Boolean> expected = new LinkedHashMap<>();
        expected.put(dir + "/kept.fifo", true);
        expected.put(dir + "/temp.fifo", false);
        expected.put(dir + "/kept-rw.fifo", true);
        expected.put(dir + "/temp-rw.fifo", false);
        expected.put(dir + "/s.sock", false);
        expected.put(dir + "/d.sock", false);
        expected.put("/dev/mqueue" + base + "-q", true);
        expected.put("/dev/mqueue" + base + "-tq", false);
        expected.put("/dev/shm" + base + "-g", true);
        expected.put("/dev/shm" + base + "-tg", false);
        expected.put(dir + "/kept.bin", true);
        expected.put(dir + "/temp.bin", false);
        expected.put("/dev/shm/sem." + base.substring(1) + "-s", true);
        expected.put("/dev/shm/sem." + base.substring(1) + "-ts", false);
        expected.put("/dev/shm" + base + "-r", true);
        expected.put("/dev/shm" + base + "-tr", false);
        Map<String, Boolean> actual = new LinkedHashMap<>();
        for (String p : expected.keySet()) actual.put(p, Files.exists(Path.of(p), LinkOption.NOFOLLOW_LINKS));
        for (String t : List.of("msg", "shm")) {
            expected.put(t + " key " + keptKey, true);
            expected.put(t + " key " + tempKey, false);
            actual.put(t + " key " + keptKey, sysvKeyIn(t, keptKey));
            actual.put(t + " key " + tempKey, sysvKeyIn(t, tempKey));
        }
        assertEquals(expected, actual);
    }

    private String base(String what) {
        String b = name(what);
        for (String s : List.of("-q", "-tq", "-g", "-tg", "-s", "-ts", "-r", "-tr")) posixNames.add(b + s);
        return b;
    }

    @Test
    void eachKindStaysOrGoesByTheOneRuleWhenTheScriptExits() {
        String base = base("exit");
        Result r = IpcshProcess.run("-e", EACH_KIND.formatted(dir, base, keptKey, tempKey) + "(exit 0)");
        assertEquals(new Result(0, "", ""), r);
        assertTheRule(base);
    }

    @Test
    void eachKindStaysOrGoesByTheOneRuleOnSigterm() throws Exception {
        String base = base("term");
        Path f = dir.resolve("s.ipcs");
        Files.writeString(f, EACH_KIND.formatted(dir, base, keptKey, tempKey) + "(println \"ready\") (flush) (sleep 60000)\n");
        Process p = IpcshProcess.start(f.toString());
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), () -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        run("kill", "-TERM", String.valueOf(p.pid()));
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue());
        assertTheRule(base);
    }
}
