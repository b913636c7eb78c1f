package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JSON-RPC through the real shell: the examples (a service on stdin/stdout, a pylsp client),
 * and --tap-stdio between a python3 LSP client and pylsp, with exit statuses and signals.
 */
@Timeout(120)
class RpcScriptTest {
    private static final String PYTHON = "/usr/bin/python3";
    private final Path dir;

    RpcScriptTest() throws IOException {
        dir = Files.createTempDirectory("ipcsh-rpc-script");
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String example(String name) {
        return IpcshProcess.repo().resolve("examples").resolve(name).toString();
    }

    @Test
    void calcServiceAnswersJsonRpcOnStdout() {
        Result r = IpcshProcess.runWith(List.of(), String.join("\n",
                "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[2,3],\"id\":1}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"div\",\"params\":[1,0],\"id\":2}",
                "not json",
                "[{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1,2,3],\"id\":3},{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":4}]") + "\n",
                example("calc-service.ipcs"));
        List<String> out = r.out().lines().toList();
        assertEquals(0, r.status(), r.err());
        assertEquals("{\"jsonrpc\":\"2.0\",\"result\":5,\"id\":1}", out.get(0), r.out());
        assertEquals("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32001,\"message\":\"division by zero\",\"data\":{\"dividend\":1}},\"id\":2}",
                out.get(1), r.out());
        assertTrue(out.get(2).contains("-32700"), r.out());
        assertTrue(out.get(3).contains("\"result\":6,\"id\":3") && out.get(3).contains("-32601"), r.out());
        assertEquals(4, out.size(), r.out());
    }

    @Test
    void lspHoverExampleAsksPylsp() {
        Result r = IpcshProcess.run(example("lsp-hover.ipcs"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("join(") && r.out().contains("pylsp exited with 0"), r.out() + r.err());
    }

    @Test
    void javascriptServerAndClientWithPromises() {
        Result r = IpcshProcess.run(example("js/rpc-calc.js"), dir.resolve("calc.sock").toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("2 + 3 = 5", "squares: 1 4 9 16 25", "div failed: -32001 division by zero {\"dividend\":1}"),
                r.out().lines().toList(), r.err());
    }

    /** Runs a python3 program with the shell's command (java ... Main) as its arguments; its output. */
    private String python(String program, String... ipcshArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", program));
        cmd.addAll(IpcshProcess.command(List.of(), ipcshArgs));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static final String LSP_CLIENT = """
            import json, subprocess, sys
            p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            def send(o):
                b = json.dumps(o).encode()
                p.stdin.write(b'Content-Length: %d\\r\\n\\r\\n' % len(b) + b); p.stdin.flush()
            def recv():
                n = None
                while True:
                    h = p.stdout.readline()
                    if h == b'\\r\\n': break
                    if h.lower().startswith(b'content-length:'): n = int(h.split(b':')[1])
                return json.loads(p.stdout.read(n))
            def call(i, m, params):
                send({'jsonrpc': '2.0', 'id': i, 'method': m, 'params': params})
                while True:
                    r = recv()
                    if r.get('id') == i and 'method' not in r: return r
            caps = call(1, 'initialize', {'processId': None, 'rootUri': None, 'capabilities': {}})['result']['capabilities']
            print('hover', caps.get('hoverProvider'))
            send({'jsonrpc': '2.0', 'method': 'initialized', 'params': {}})
            print('shutdown', call(2, 'shutdown', None))
            send({'jsonrpc': '2.0', 'method': 'exit'})
            p.stdin.close()
            print('status', p.wait())
            """;

    @Test
    void tapStdioLogsTheWholeConversationBetweenAClientAndPylsp() throws Exception {
        Path log = dir.resolve("lsp.log");
        String out = python(LSP_CLIENT, "--tap-stdio", log.toString(), "--tap-format", "content-length", "--", "pylsp");
        assertTrue(out.contains("hover True") && out.contains("shutdown {'jsonrpc': '2.0', 'id': 2, 'result': None}")
                && out.contains("status 0"), out);
        List<String> entries = Files.readAllLines(log);
        String all = String.join("\n", entries);
        String[] expected = {"c->s {\"jsonrpc\" \"2.0\", \"id\" 1, \"method\" \"initialize\"", "s->c {\"jsonrpc\" \"2.0\", \"id\" 1, \"result\"",
            "c->s {\"jsonrpc\" \"2.0\", \"method\" \"initialized\"", "c->s {\"jsonrpc\" \"2.0\", \"id\" 2, \"method\" \"shutdown\"",
            "s->c {\"jsonrpc\" \"2.0\", \"id\" 2, \"result\" nil}", "c->s {\"jsonrpc\" \"2.0\", \"method\" \"exit\"}", "exited: status 0"};
        int at = -1;
        for (String e : expected) {
            int k = all.indexOf(e, at + 1);
            assertTrue(k > at, "missing or out of order: " + e + "\n" + all);
            at = k;
        }
        for (String l : entries) assertTrue(l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d #1 .*"), "entry without a time: " + l);
    }

    private static final String STATUS = """
            import subprocess, sys, time, os, signal
            if sys.argv[1] == 'term':
                p = subprocess.Popen(sys.argv[3:])
                while 'started' not in (open(sys.argv[2]).read() if os.path.exists(sys.argv[2]) else ''): time.sleep(0.05)
                time.sleep(0.2)
                p.send_signal(signal.SIGTERM)
                print('returncode', p.wait())
            else:
                r = subprocess.run(sys.argv[3:], capture_output=True, text=True)
                print('returncode', r.returncode, 'out', repr(r.stdout), 'err', repr(r.stderr))
            """;

    @Test
    void tapStdioPassesTheExitStatusAndStreamsAndDiesByTheSameSignal() throws Exception {
        Path log = dir.resolve("exit.log");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", STATUS, "run", log.toString()));
        cmd.addAll(IpcshProcess.command(List.of(), "--tap-stdio", log.toString(), "--",
                "sh", "-c", "echo to-out; echo to-err >&2; exit 3"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(out.contains("returncode 3 out 'to-out\\n' err 'to-err\\n'"), out);
        String l = Files.readString(log);
        assertTrue(l.contains("s->c 7 bytes") && l.contains("to-out") && l.contains("stderr to-err") && l.contains("exited: status 3"), l);

        // SIGTERM to the shell goes to the program; the program dies of it, and so does the shell
        Path log2 = dir.resolve("term.log");
        List<String> term = new ArrayList<>(List.of(PYTHON, "-c", STATUS, "term", log2.toString()));
        term.addAll(IpcshProcess.command(List.of(), "--tap-stdio", log2.toString(), "--", "sleep", "30"));
        Process q = new ProcessBuilder(term).redirectErrorStream(true).start();
        String out2 = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(out2.contains("returncode -15"), out2 + Files.readString(log2));
        assertTrue(Files.readString(log2).contains("exited: signal :TERM"), Files.readString(log2));
    }
}
