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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A running script serves REPL sessions on a unix socket: socat, python3 and other users as clients. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReplServerTest {
    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Process p : started) p.destroyForcibly();
    }

    /** A script: an echo service whose reply function a session replaces, and a repl socket. */
    private Process service(Path repl, Path svc) throws Exception {
        Path script = dir.resolve("service.ipcs");
        Files.writeString(script, """
                (defn reply [l] (str "old:" l))
                (def svc (listen :unix "%s"
                           (fn [ch _] (on-readable ch (fn [c] (if-let [l (gets c)] (puts c (reply l)) (close c)))))))
                (def srv (repl-server "%s"))
                """.formatted(svc, repl));
        Process p = IpcshProcess.start(script.toString());
        started.add(p);
        awaitSocket(repl);
        awaitSocket(svc);
        return p;
    }

    static void awaitSocket(Path p) throws IOException, InterruptedException {
        IpcshProcess.awaitListening(p);
    }

    /** Runs a client program with stdin text; its stdout. */
    static String client(String stdin, String... cmd) throws IOException, InterruptedException {
        Process c = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        c.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        c.getOutputStream().close();
        byte[] out = c.getInputStream().readAllBytes();
        assertTrue(c.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd) + " hung");
        return new String(out, StandardCharsets.UTF_8);
    }

    static String socat(Path path, String stdin) throws IOException, InterruptedException {
        // the session closes once its input has ended and its forms ran: -t only bounds a slow machine
        return client(stdin, "socat", "-t", "20", "-", "UNIX-CONNECT:" + path);
    }

    @Test
    void aSocatSessionReadsTheScriptsStateAndReplacesItsHandlerForARealPeer() throws Exception {
        Path repl = dir.resolve("app.repl"), svc = dir.resolve("svc.sock");
        service(repl, svc);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(repl)));
        assertEquals("old:ping\n", socat(svc, "ping\n"));
        String out = socat(repl, "(:kind (configure svc))\n(defn reply [l] (str \"new:\" l))\n(println \"to the session\")\n");
        assertTrue(out.contains("user=> :unix-server"), out);
        assertTrue(out.contains("#'user/reply"), out);
        assertTrue(out.contains("to the session"), out);
        assertEquals("new:ping\n", socat(svc, "ping\n"));
        String err = socat(repl, "(/ 1 0)\n(+ 1 2)\n");
        assertTrue(err.contains("error: ArithmeticException: Divide by zero"), err);
        assertTrue(err.contains("user=> 3"), err);
    }

    @Test
    void aPython3PreplClientReadsEdnRepliesIncludingAnException() throws Exception {
        Path repl = dir.resolve("p.repl"), svc = dir.resolve("svc.sock");
        service(repl, svc);
        String py = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sys.argv[1])
                s.sendall(b'(clojure.core.server/io-prepl)\\n(+ 1 2)\\n(println "out here")\\n(/ 1 0)\\n:done\\n')
                f = s.makefile('r')
                for line in f:
                    i = line.find('{:tag ')
                    if i < 0: continue
                    print(line[i:].rstrip())
                    if ':val ":done"' in line: break
                """;
        String out = client("", "python3", "-c", py, repl.toString());
        assertTrue(out.contains("{:tag :ret, :val \"3\", :ns \"user\", :ms "), out);
        assertTrue(out.contains("{:tag :out, :val \"out here\\n\"}"), out);
        assertTrue(out.lines().anyMatch(l -> l.contains(":exception true") && l.contains("Divide by zero")
                && l.contains(":form \"(/ 1 0)\"")), out);
    }

    @Test
    void anotherUserIsRefusedAndTheRefusalIsLogged() throws Exception {
        Path repl = dir.resolve("u.repl"), svc = dir.resolve("svc.sock");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = dir.resolve("stderr.txt");
        Path script = dir.resolve("service.ipcs");
        Files.writeString(script, "(def srv (repl-server \"" + repl + "\"))");
        Process p = new ProcessBuilder(IpcshProcess.command(List.of(), script.toString())).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        started.add(p);
        awaitSocket(repl);
        String denied = client("(+ 1 2)\n", "setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups",
                "--inh-caps=-all", "socat", "-t", "2", "-", "UNIX-CONNECT:" + repl);
        assertTrue(denied.contains("Permission denied"), denied);
        // past the file mode (as if it were opened up), the peer's credentials still refuse it
        Files.setPosixFilePermissions(repl, PosixFilePermissions.fromString("rw-rw-rw-"));
        String refused = client("(+ 1 2)\n", "setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups",
                "--inh-caps=-all", "socat", "-t", "2", "-", "UNIX-CONNECT:" + repl);
        assertTrue(refused.contains("refused"), refused);
        assertFalse(refused.contains("3"), refused);
        p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String err = Files.readString(log);
        assertTrue(err.contains("refused a connection from user nobody"), err);
    }

    @Test
    void theSocketFileIsGoneAfterExitAndAfterSigterm() throws Exception {
        Path repl = dir.resolve("e.repl");
        Path script = dir.resolve("ends.ipcs");
        Files.writeString(script, "(def srv (repl-server \"" + repl + "\")) (after 300 #(exit 0))");
        IpcshProcess.Result r = IpcshProcess.run(script.toString());
        assertEquals(0, r.status(), r.err());
        assertFalse(Files.exists(repl), "socket file left after exit");

        Path svc = dir.resolve("svc.sock");
        Process p = service(repl, svc);
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertFalse(Files.exists(repl), "socket file left after SIGTERM");
    }

    @Test
    void closingRemovesTheSocketFileOnlyIfItIsStillTheOneTheServerMade() throws Exception {
        Path repl = dir.resolve("k.repl"), moved = dir.resolve("k.moved");
        Path script = dir.resolve("keeps.ipcs");
        Files.writeString(script, "(def srv (repl-server \"" + repl + "\"))");
        Process p = IpcshProcess.start(script.toString());
        started.add(p);
        awaitSocket(repl);
        Files.move(repl, moved);
        // another program's socket now has the name
        client("", "python3", "-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", repl.toString());
        Object theirs = Files.getAttribute(repl, "unix:ino");
        String out = socat(moved, "(close srv)\n");
        assertTrue(out.contains("user=>"), out);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the script did not end once its only server closed");
        assertTrue(Files.exists(repl), "the other program's socket was removed");
        assertEquals(theirs, Files.getAttribute(repl, "unix:ino"));
    }

    @Test
    void closingTheServerEndsItsSessionsAndLetsTheScriptEnd() throws Exception {
        Path repl = dir.resolve("c.repl");
        Path script = dir.resolve("closes.ipcs");
        Files.writeString(script, "(def srv (repl-server \"" + repl + "\")) (println :serving)");
        Process p = IpcshProcess.start(script.toString());
        started.add(p);
        awaitSocket(repl);
        String out = socat(repl, "(close srv)\n");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the script did not end once its only server closed");
        assertEquals(0, p.exitValue());
        assertFalse(Files.exists(repl));
        assertTrue(out.contains("user=>"), out);
    }

    @Test
    void theReplServerOptionServesAScriptThatStillEndsByItself() throws Exception {
        Path repl = dir.resolve("o.repl");
        Path script = dir.resolve("counts.ipcs");
        Files.writeString(script, "(def n (atom 0)) (every 50 #(when (> (swap! n inc) 60) (exit 0)))");
        Process p = IpcshProcess.start("--repl-server", repl.toString(), script.toString());
        started.add(p);
        awaitSocket(repl);
        String out = socat(repl, "(number? @n)\n");
        assertTrue(out.contains("user=> true"), out);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the script did not end");
        assertEquals(0, p.exitValue());
        assertFalse(Files.exists(repl));

        IpcshProcess.Result r = IpcshProcess.run("--repl-server", dir.resolve("q.repl").toString(), "-e", "(+ 1 2)");
        assertEquals(0, r.status(), r.err());
        assertEquals("3\n", r.out());
        assertFalse(Files.exists(dir.resolve("q.repl")));
    }

    @Test
    void badPathsAreClearErrors() throws Exception {
        IpcshProcess.Result r = IpcshProcess.run("-e", "(repl-server \"" + dir + "\")");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("repl-server \"" + dir + "\": is a directory"), r.err());
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        r = IpcshProcess.run("-e", "(repl-server \"" + file + "\")");
        assertTrue(r.err().contains("not a socket, left alone"), r.err());
        assertEquals("x", Files.readString(file));
        r = IpcshProcess.run("--attach", dir.resolve("nobody-here.repl").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("--attach") && r.err().contains("nobody-here.repl"), r.err());
    }

    @Test
    void theTcpFormServesLoopbackOnlyAndOnlyWithTheToken() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "s3cret-token-0123456789abcdef\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path portFile = dir.resolve("port");
        Path log = dir.resolve("stderr.txt");
        Path script = dir.resolve("tcp.ipcs");
        Files.writeString(script, "(def srv (repl-server 0 {:token-file \"" + token + "\"})) (def answer 42) (spit \"" + portFile
                + "\" (.port srv))");
        Process p = new ProcessBuilder(IpcshProcess.command(List.of(), script.toString())).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        started.add(p);
        for (int i = 0; i < 1500 && (!Files.exists(portFile) || Files.readString(portFile).isEmpty()); i++) Thread.sleep(20);
        String port = Files.readString(portFile).strip();
        String py = """
                import socket, sys
                s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
                s.sendall(sys.argv[2].encode() + b'\\n(inc answer)\\n')
                s.shutdown(socket.SHUT_WR)
                print(s.makefile('r').read())
                """;
        String ok = client("", "python3", "-c", py, port, "s3cret-token-0123456789abcdef");
        assertTrue(ok.contains("user=> 43"), ok);
        String wrong = client("", "python3", "-c", py, port, "guess");
        assertTrue(wrong.contains("refused: wrong token") && !wrong.contains("43"), wrong);
        p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertTrue(Files.readString(log).contains("refused a connection: wrong token"), Files.readString(log));

        IpcshProcess.Result r = IpcshProcess.run("-e", "(repl-server 0 {:host \"0.0.0.0\" :token-file \"" + token + "\"})");
        assertTrue(r.err().contains("loopback only"), r.err());
        r = IpcshProcess.run("-e", "(repl-server 0)");
        assertTrue(r.err().contains("needs {:token-file path}"), r.err());
        r = IpcshProcess.run("-e", "(repl-server 0 {:token-file \"" + token + "\" :auth-timeout 0})");
        assertTrue(r.err().contains("repl-server: option :auth-timeout must be 1 or more, not 0"), r.err());
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        r = IpcshProcess.run("-e", "(repl-server 0 {:token-file \"" + token + "\"})");
        assertTrue(r.err().contains("is open to others (mode 0644); a token must be private: chmod 600 " + token), r.err());
    }

    @Test
    void theSocketIsListedByThePathItWasGivenAndATapCanForwardToIt() throws Exception {
        Path repl = dir.resolve("l.repl"), svc = dir.resolve("svc.sock");
        service(repl, svc);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(repl)));
        // another shell looks for it the way a user would
        IpcshProcess.Result r = IpcshProcess.run("-e", "(prn (map :state (sockets {:path \"" + repl + "\"})))"
                + " (prn (count (who-has \"" + repl + "\")))");
        assertEquals(0, r.status(), r.err());
        assertEquals("(:listen)\n1\n", r.out());
        Path front = dir.resolve("front.sock");
        Path tapScript = dir.resolve("tap.ipcs");
        Files.writeString(tapScript, "(def t (tap {:listen \"" + front + "\" :to \"" + repl + "\" :log false}))");
        Process tap = IpcshProcess.start(tapScript.toString());
        started.add(tap);
        awaitSocket(front);
        String out = socat(front, "(+ 40 2)\n");
        assertTrue(out.contains("user=> 42"), out);
    }

    @Test
    void whatASessionPrintsComesBackToTheSessionNotTheShellsStdout() throws Exception {
        Path repl = dir.resolve("h.repl");
        Path script = dir.resolve("quiet.ipcs");
        Path stdout = dir.resolve("stdout.txt");
        Files.writeString(script, "(def srv (repl-server \"" + repl + "\"))");
        Process p = new ProcessBuilder(IpcshProcess.command(List.of(), script.toString()))
                .redirectOutput(stdout.toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
        started.add(p);
        awaitSocket(repl);
        String line = socat(repl, "(hexdump \"hi!\")\n(println \"said\")\n"
                + "(let [[r w] (pipe)] (puts w \"ok\") (flush w) (expect r #\"ok\" {:log true})) nil\n");
        assertTrue(line.contains("00000000: 6869 21"), line);
        assertTrue(line.contains("said"), line);
        assertTrue(line.contains(": matched"), line);
        IpcshProcess.Result attached = IpcshProcess.runWith(List.of(), "(hexdump \"yo\")\n(println \"told\")\n",
                "--attach", repl.toString());
        assertEquals(0, attached.status(), attached.err());
        assertTrue(attached.out().contains("00000000: 796f"), attached.out());
        assertTrue(attached.out().contains("told"), attached.out());
        p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals("", Files.readString(stdout));
        assertFalse(Files.readString(dir.resolve("stderr.txt")).contains("matched"), Files.readString(dir.resolve("stderr.txt")));
    }

    @Test
    void anAttachedSessionPrintsAListingAsATableAsTheLocalReplDoes() throws Exception {
        Path repl = dir.resolve("t.repl");
        Path script = dir.resolve("rows.ipcs");
        Files.writeString(script, "(def srv (repl-server \"" + repl + "\"))"
                + " (def rows [{:name \"alpha\" :n 1} {:name \"b\" :n 22 :ch (first (pipe))}])");
        Process p = IpcshProcess.start(script.toString());
        started.add(p);
        awaitSocket(repl);
        IpcshProcess.Result r = IpcshProcess.runWith(List.of(), "rows\n(first rows)\n(set! *print-length* 1)\nrows\n",
                "--attach", repl.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().map(String::stripTrailing).toList();
        int at = lines.indexOf("user=> name   n   ch");
        assertTrue(at >= 0, r.out());
        assertEquals("alpha  1", lines.get(at + 1), r.out());
        assertTrue(lines.get(at + 2).matches("b      22  pipe\\d+.*"), r.out());
        assertTrue(r.out().contains("… more rows left out (*print-length* 1)"), r.out());
        assertTrue(r.out().contains("{:name \"alpha\", :n 1}"), r.out());
    }
}
