package ipcsh.shell;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who gets into a repl-server and what a refused client sees: the tcp form's token step against
 * peers that send too much, nothing, or come in crowds (python3), and ipcsh --attach refused for
 * a wrong token, another user (uid 65534) or a token file others can read.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReplServerAuthTest {
    static final String TOKEN = "s3cret-token-0123456789abcdef";

    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();
    private Path log;

    @AfterEach
    void stop() {
        for (Process p : started) p.destroyForcibly();
    }

    private Path tokenFile(String name, String token, String mode) throws IOException {
        Path t = dir.resolve(name);
        Files.writeString(t, token + "\n");
        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString(mode));
        return t;
    }

    /** A script serving a tcp REPL with the given deadline for the token; its port. */
    private int tcpServer(long authTimeoutMs, Process[] proc) throws Exception {
        Path token = tokenFile("token", TOKEN, "rw-------");
        Path portFile = dir.resolve("port");
        log = dir.resolve("stderr.txt");
        Path script = dir.resolve("tcp.ipcs");
        Files.writeString(script, "(def srv (repl-server 0 {:token-file \"" + token + "\" :auth-timeout " + authTimeoutMs
                + "})) (def answer 42) (spit \"" + portFile + "\" (.port srv))");
        Process p = new ProcessBuilder(IpcshProcess.command(List.of(), script.toString())).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        started.add(p);
        if (proc != null) proc[0] = p;
        for (int i = 0; i < 1500 && (!Files.exists(portFile) || Files.readString(portFile).isEmpty()); i++) Thread.sleep(20);
        return Integer.parseInt(Files.readString(portFile).strip());
    }

    /** A legitimate client: the token, then (inc answer). */
    private static String legitimate(int port) throws Exception {
        String py = """
                import socket, sys
                s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
                s.sendall(sys.argv[2].encode() + b'\\n(inc answer)\\n')
                s.shutdown(socket.SHUT_WR)
                print(s.makefile('r').read())
                """;
        return ReplServerTest.client("", "python3", "-c", py, String.valueOf(port), TOKEN);
    }

    private static long rssKb(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    @Test
    void aTokenLineWithNoEndIsCutOffAtTheCapAndTheShellDoesNotGrow() throws Exception {
        Process[] server = new Process[1];
        int port = tcpServer(10_000, server);
        long before = rssKb(server[0].pid());
        // 256 MiB with no newline: the server reads at most 1024 bytes, then refuses and closes
        String py = """
                import socket, sys
                s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
                chunk = b'x' * 65536
                sent = 0
                try:
                    while sent < 256 * 1024 * 1024:
                        sent += s.send(chunk)
                    print('sent all')
                except OSError as e:
                    print('dropped after', sent, type(e).__name__)
                """;
        String out = ReplServerTest.client("", "python3", "-c", py, String.valueOf(port));
        assertTrue(out.startsWith("dropped after"), out);
        long sent = Long.parseLong(out.split(" ")[2]);
        assertTrue(sent < 32L * 1024 * 1024, "the server kept reading: " + out);
        long after = rssKb(server[0].pid());
        assertTrue(after - before < 64 * 1024, "the shell grew from " + before + " kB to " + after + " kB");
        assertTrue(legitimate(port).contains("user=> 43"));
        assertTrue(Files.readString(log).contains("refused a connection: the token line is longer than 1024 bytes"),
                Files.readString(log));
    }

    @Test
    void aSilentConnectionIsToldAndDroppedAtTheDeadline() throws Exception {
        int port = tcpServer(700, null);
        String py = """
                import socket, sys, time
                s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
                t = time.time()
                got = s.makefile('rb').read().decode()
                print(round((time.time() - t) * 1000), got.strip())
                """;
        String out = ReplServerTest.client("", "python3", "-c", py, String.valueOf(port));
        String[] words = out.split(" ", 2);
        long ms = Long.parseLong(words[0]);
        assertEquals("refused: no token line within 700 ms", words[1].strip(), out);
        assertTrue(ms >= 600 && ms < 5000, out);
        assertTrue(Files.readString(log).contains("refused a connection: no token line within 700 ms"), Files.readString(log));
    }

    @Test
    void aCrowdOfSilentConnectionsIsBoundedAndALegitimateClientGetsInAfterwards() throws Exception {
        int port = tcpServer(3_000, null);
        String py = """
                import select, socket, sys, time
                socks = [socket.create_connection(('127.0.0.1', int(sys.argv[1]))) for _ in range(20)]
                time.sleep(1)
                ready, _, _ = select.select(socks, [], [], 0)
                at_once = [s.recv(200).decode().strip() for s in ready]
                print(len(at_once), 'at once:', set(at_once))
                late = []
                for s in socks:
                    if s in ready: continue
                    s.settimeout(10)
                    late.append(s.makefile('rb').read().decode().strip())
                print(len(late), 'at the deadline:', set(late))
                """;
        String out = ReplServerTest.client("", "python3", "-c", py, String.valueOf(port));
        assertTrue(out.contains("12 at once: {'refused: too many connections waiting to authenticate (8); try again later'}"), out);
        assertTrue(out.contains("8 at the deadline: {'refused: no token line within 3000 ms'}"), out);
        assertTrue(legitimate(port).contains("user=> 43"));
    }

    @Test
    void attachWithAWrongTokenSaysSoAndFails() throws Exception {
        int port = tcpServer(10_000, null);
        Path wrong = tokenFile("wrong", "not-the-token-0123456789", "rw-------");
        IpcshProcess.Result r = IpcshProcess.runWith(List.of(), "(+ 1 2)\n", "--attach", String.valueOf(port),
                "--token-file", wrong.toString());
        assertNotEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("ipcsh: --attach " + port + ": the shell refused the session: wrong token"), r.err());
        assertFalse(r.out().contains("3"), r.out());

        Path right = tokenFile("right", TOKEN, "rw-------");
        r = IpcshProcess.runWith(List.of(), "(+ 1 2)\n", "--attach", String.valueOf(port), "--token-file", right.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("user=> 3"), r.out());
    }

    @Test
    void attachRefusesATokenFileOthersCanRead() throws Exception {
        Path open = tokenFile("open", TOKEN, "rw-r--r--");
        IpcshProcess.Result r = IpcshProcess.runWith(List.of(), "(+ 1 2)\n", "--attach", "5555", "--token-file", open.toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("--attach 5555: token file " + open + " is open to others (mode 0644); a token must be"
                + " private: chmod 600 " + open), r.err());
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, tokenFile("private", TOKEN, "rw-------"));
        r = IpcshProcess.runWith(List.of(), "", "--attach", "5555", "--token-file", link.toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("is a symbolic link"), r.err());
    }

    @Test
    void attachAsAnotherUserIsRefusedWithTheReason() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path repl = dir.resolve("u.repl");
        Path script = dir.resolve("service.ipcs");
        Files.writeString(script, "(def srv (repl-server \"" + repl + "\"))");
        Process p = new ProcessBuilder(IpcshProcess.command(List.of(), script.toString())).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stderr.txt").toFile()).start();
        started.add(p);
        ReplServerTest.awaitSocket(repl);
        List<String> nobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all");
        Path cp = readableClassPath();
        // the socket's mode stops it first
        IpcshProcess.Result r = attachAs(nobody, cp, repl);
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("--attach " + repl + ": Permission denied"), r.err());
        // past the mode (as if opened up), the server's SO_PEERCRED check refuses it and says why
        Files.setPosixFilePermissions(repl, PosixFilePermissions.fromString("rw-rw-rw-"));
        r = attachAs(nobody, cp, repl);
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("--attach " + repl + ": the shell refused the session: this REPL belongs to user root,"
                + " not to user nobody"), r.err());
    }

    /** ipcsh --attach run by another user: a java of its own on a class path it can read. */
    private IpcshProcess.Result attachAs(List<String> prefix, Path cp, Path repl) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(IpcshProcess.FLAGS);
        cmd.addAll(List.of("-cp", cp + "/*:" + cp + "/classes", Main.class.getName(), "--attach", repl.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("HOME", dir.toString());
        Process c = pb.start();
        c.getOutputStream().write("(+ 1 2)\n".getBytes(StandardCharsets.UTF_8));
        c.getOutputStream().close();
        byte[] err = c.getErrorStream().readAllBytes();
        byte[] out = c.getInputStream().readAllBytes();
        assertTrue(c.waitFor(60, TimeUnit.SECONDS));
        return new IpcshProcess.Result(c.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** This build's class path where uid 65534 can read it: the jars linked in, the class directories copied. */
    private Path readableClassPath() throws IOException {
        Path cp = Files.createDirectory(dir.resolve("cp"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Path classes = Files.createDirectory(cp.resolve("classes"));
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(":")) {
            Path p = Path.of(e);
            if (Files.isDirectory(p)) {
                if (p.toString().contains("test-classes")) continue;
                try (var walk = Files.walk(p)) {
                    for (Path f : (Iterable<Path>) walk::iterator) {
                        Path to = classes.resolve(p.relativize(f).toString());
                        if (Files.isDirectory(f)) Files.createDirectories(to);
                        else if (!Files.exists(to)) Files.copy(f, to);
                    }
                }
            } else if (Files.isRegularFile(p)) {
                Path to = cp.resolve((n++) + "-" + p.getFileName());
                try {
                    Files.createLink(to, p);
                } catch (IOException | UnsupportedOperationException notSameFs) {
                    Files.copy(p, to);
                }
            }
        }
        try (var walk = Files.walk(cp)) {
            for (Path f : (Iterable<Path>) walk::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return cp;
    }

    @Test
    void pipedAttachWritesNoHistory() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        Path repl = dir.resolve("h.repl");
        Path script = dir.resolve("h.ipcs");
        Files.writeString(script, "(def srv (repl-server \"" + repl + "\"))");
        Process p = IpcshProcess.start(script.toString());
        started.add(p);
        ReplServerTest.awaitSocket(repl);
        List<String> cmd = IpcshProcess.command(List.of(), "--attach", repl.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(Map.of("HOME", home.toString()));
        Process c = pb.start();
        c.getOutputStream().write("(+ 1 2)\n".getBytes(StandardCharsets.UTF_8));
        c.getOutputStream().close();
        String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(c.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, c.exitValue(), out);
        assertTrue(out.contains("user=> 3"), out);
        assertFalse(Files.exists(home.resolve(".ipcsh_history")), "piped input went into the history");
    }
}
