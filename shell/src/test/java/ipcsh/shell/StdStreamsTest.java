package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** (stdin), (stdout), (stderr) and JS ipc.stdin/stdout/stderr: the shell's own streams as channels. */
@Timeout(180)
class StdStreamsTest {
    private final Path dir;

    StdStreamsTest() throws IOException {
        dir = Files.createTempDirectory("ipcsh-stdio");
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static Result withStdin(String stdin, String... args) {
        return IpcshProcess.runWith(List.of(), stdin, args);
    }

    @Test
    void getsReadsLinesOfPipedStdin() {
        Result r = withStdin("a\nb\n", "-e", "(println (gets (stdin))) (println (gets (stdin))) (prn (gets (stdin)))");
        assertEquals(0, r.status(), r.err());
        assertEquals("a\nb\nnil\n", r.out());
        Result js = withStdin("a\nb\n", "--lang", "js", "-e",
                "console.log(ipc.stdin.gets()); console.log(ipc.stdin().gets()); console.log(ipc.stdin.gets())");
        assertEquals(0, js.status(), js.err());
        assertEquals("a\nb\nnull\n", js.out());
    }

    @Test
    void kindsFollowWhatTheStreamsAre() throws Exception {
        Process pipes = new ProcessBuilder(IpcshProcess.command(List.of(), "-e",
                "(prn (map #(configure % :kind) [(stdin) (stdout) (stderr)]))")).start();
        pipes.getOutputStream().close();
        assertEquals("(:pipe :pipe :pipe)\n", new String(pipes.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        waitOk(pipes);
        Result files = withStdin(null, "-e", "(prn (map #(configure % :kind) [(stdin) (stdout) (stderr)]))");
        assertEquals("(:file :file :file)\n", files.out(), files.err()); // /dev/null and two files
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(IpcshProcess.command(List.of(), "-e", "(prn (configure (stdout) :kind) (configure (stdin) :fd))"))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).start();
        waitOk(p);
        assertEquals(":file 0\n", Files.readString(out));
    }

    @Test
    void copyStdinToStdout() {
        Result r = withStdin("x\n", "-e", "(do (copy (stdin) (stdout)) nil)");
        assertEquals(0, r.status(), r.err());
        assertEquals("x\n", r.out());
    }

    @Test
    void tenMegabytesPassThroughCopyUnchangedFromClojureAndJavaScript() throws Exception {
        byte[] data = new byte[10_000_000];
        new Random(7).nextBytes(data);
        Path in = dir.resolve("in.bin");
        Files.write(in, data);
        String want = sha(data);
        for (List<String> args : List.of(List.of("-e", "(do (copy (stdin) (stdout)) nil)"),
                List.of("--lang", "js", "-e", "ipc.copy(ipc.stdin, ipc.stdout); null"))) {
            // stdin a pipe (fed by us) and a regular file; stdout a pipe
            Process p = new ProcessBuilder(IpcshProcess.command(List.of(), args.toArray(String[]::new))).start();
            CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> shaOf(p.getInputStream()));
            try (var o = p.getOutputStream()) {
                o.write(data);
            }
            assertEquals(want, got.get(120, TimeUnit.SECONDS), "through a pipe: " + args);
            waitOk(p);
            Process f = new ProcessBuilder(IpcshProcess.command(List.of(), args.toArray(String[]::new)))
                    .redirectInput(in.toFile()).start();
            CompletableFuture<String> got2 = CompletableFuture.supplyAsync(() -> shaOf(f.getInputStream()));
            assertEquals(want, got2.get(120, TimeUnit.SECONDS), "from a file: " + args);
            waitOk(f);
        }
    }

    @Test
    void stdinCopiedToAUnixSocketServedBySocat() throws Exception {
        Path sock = dir.resolve("s.sock");
        Process socat = new ProcessBuilder("socat", "-u", "UNIX-LISTEN:" + sock, "STDOUT").start();
        try {
            IpcshProcess.awaitListening(sock);
            Result r = withStdin("hello\nworld\n", "-e",
                    "(with-open [s (connect :unix \"" + sock + "\")] (copy (stdin) s)) nil");
            assertEquals(0, r.status(), r.err());
            assertTrue(socat.waitFor(30, TimeUnit.SECONDS));
            assertEquals("hello\nworld\n", new String(socat.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            socat.destroyForcibly();
        }
    }

    @Test
    void printlnAndStdoutChannelWritesKeepTheirOrder() {
        Result r = withStdin("", "-e", "(print \"a\") (puts (stdout) \"b\") (println \"c\") (write (stdout) \"d\") (println \"e\")"
                + " (binding [*out* *err*] (print \"1\")) (puts (stderr) \"2\")");
        assertEquals(0, r.status(), r.err());
        assertEquals("ab\nc\nde\n", r.out());
        assertEquals("12\n", r.err());
        Result js = withStdin("", "--lang", "js", "-e", "console.log('a'); ipc.stdout.puts('b'); console.log('c'); null");
        assertEquals("a\nb\nc\n", js.out(), js.err());
    }

    @Test
    void closingStdoutGivesTheReaderEndOfStreamWhileTheScriptGoesOn() throws Exception {
        Process p = new ProcessBuilder(IpcshProcess.command(List.of(), "-e",
                "(puts (stdout) \"one\") (close (stdout)) (println \"discarded\") (sleep 3000)"))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.isAlive(), "end of stream must come when stdout is closed, not when the shell ends");
            assertEquals("one\n", out);
            waitOk(p);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void readableHandlerAndForAwaitServeStdinLines() {
        Result r = withStdin("l1\nl2\n", "-e",
                "(on-readable (stdin) (fn [ch] (if-let [l (gets ch)] (println \"line\" l) (close ch))))");
        assertEquals(0, r.status(), r.err());
        assertEquals("line l1\nline l2\n", r.out());
        Result js = withStdin("l1\nl2\n", "--lang", "js", "-e",
                "(async () => { for await (const l of ipc.stdin.lines()) console.log('got ' + l); })(); null");
        assertEquals(0, js.status(), js.err());
        assertEquals("got l1\ngot l2\n", js.out());
    }

    @Test
    void theParentsStdinIsNotLeftNonBlocking() {
        // sh, ipcsh and python3 share sh's stdin pipe (one open file description)
        String py = "import fcntl,os; print('nonblock', bool(fcntl.fcntl(0, fcntl.F_GETFL) & os.O_NONBLOCK))";
        String cmd = shellQuote(IpcshProcess.command(List.of(), "-e", "(gets (stdin))")) + "; python3 -c \"" + py + "\"";
        Result r = IpcshProcess.runWith(List.of("sh", "-c", cmd + " # "), "a\nb\n");
        assertEquals("nonblock False\n", r.out().lines().filter(l -> l.startsWith("nonblock")).findFirst().orElse(r.out()) + "\n",
                r.err());
    }

    private static String shellQuote(List<String> words) {
        StringBuilder sb = new StringBuilder();
        for (String w : words) sb.append('\'').append(w.replace("'", "'\\''")).append("' ");
        return sb.toString();
    }

    private static void waitOk(Process p) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ipcsh did not end");
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String shaOf(InputStream in) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0;) d.update(buf, 0, n);
            return HexFormat.of().formatHex(d.digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
