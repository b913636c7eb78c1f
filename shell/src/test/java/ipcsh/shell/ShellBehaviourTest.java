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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shell as a command in a pipeline and as a new user meets it: a reader that goes away,
 * scripts that do not read to their end, scripts from standard input, the clojure.repl tools,
 * help, top-level await in -e.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ShellBehaviourTest {
    private final Path dir = tempDir();

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ipcsh-shell");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private Path script(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Runs `ipcsh args | head -2` in bash: what head printed and ipcsh's status (PIPESTATUS). */
    private static String[] throughHead(String... args) throws Exception {
        StringBuilder cmd = new StringBuilder();
        for (String a : IpcshProcess.command(List.of(), args)) cmd.append(q(a)).append(' ');
        cmd.append("| head -2; echo \"status=${PIPESTATUS[0]}\"");
        Process p = new ProcessBuilder("bash", "-c", cmd.toString()).directory(IpcshProcess.repo().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertTrue(ended, "ipcsh " + String.join(" ", args) + " | head -2 did not end in 60 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int cut = out.lastIndexOf("status=");
        return new String[] {out.substring(0, cut), out.substring(cut + 7).strip()};
    }

    @Test
    void writingToAClosedStdoutEndsTheShellWithStatus141() throws Exception {
        String[][] cases = {
            {"-e", "(loop [i 0] (println \"y\" i) (recur (inc i)))"},
            {"-e", "(loop [i 0] (prn i) (recur (inc i)))"},
            {"-e", "(loop [i 0] (printf \"y %d%n\" i) (recur (inc i)))"},
            {"-e", "(loop [] (print \"y\\n\") (recur))"},
            {"-e", "(loop [] (try (println \"y\") (catch Throwable e)) (recur))"},
            {"-e", "(every 1 #(println \"tick\"))"},
        };
        for (String[] c : cases) {
            String[] r = throughHead(c);
            assertEquals("141", r[1], String.join(" ", c) + " printed " + r[0]);
            assertEquals(2, r[0].lines().count(), r[0]);
        }
    }

    @Test
    void javaScriptWritingToAClosedStdoutEndsTooInEvalAndInAFile() throws Exception {
        String[] e = throughHead("--lang", "js", "-e", "for (let i = 0; ; i++) console.log('y', i)");
        assertEquals("141", e[1], e[0]);
        assertEquals("y 0\ny 1\n", e[0]);
        Path f = script("loop.js", "let i = 0;\nipc.every(1, () => console.log('tick', i++));\n");
        String[] file = throughHead(f.toString());
        assertEquals("141", file[1], file[0]);
        assertEquals("tick 0\ntick 1\n", file[0]);
    }

    @Test
    void aStrayClosingDelimiterStopsTheScriptBeforeItRuns() throws IOException {
        Path f = script("stray.ipcs", "(println 1)\n(println 2))\n(println 3)\n");
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertEquals("""
                error: Unmatched delimiter: )
                  at %s:2:12
                  2 | (println 2))
                    |            ^
                """.formatted(f), r.err());
    }

    @Test
    void anUnclosedStringStopsTheScriptBeforeItRuns() throws IOException {
        Path f = script("str.ipcs", "(println 1)\n\n(println \"never closed)\n");
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("error: end of file inside a string: this form is never closed\n  at " + f + ":3:"), r.err());
        assertTrue(r.err().contains("  3 | (println \"never closed)\n"), r.err());
    }

    @Test
    void aJavaScriptFileWithASyntaxErrorRunsNothingAndQuotesTheLine() throws IOException {
        Path f = script("bad.js", "console.log('ran');\nlet x = ;\n");
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("error: SyntaxError: "), r.err());
        assertTrue(r.err().contains("  at " + f + ":2:"), r.err());
        assertTrue(r.err().contains("  2 | let x = ;\n"), r.err());
        assertTrue(r.err().contains("^"), r.err());
    }

    @Test
    void evalRunsTheFormsBeforeAStrayDelimiterThenReportsIt() {
        Result r = IpcshProcess.run("-e", "(+ 1 2))");
        assertEquals(1, r.status());
        assertEquals("3\n", r.out());
        assertTrue(r.err().startsWith("error: Unmatched delimiter: )\n  at <expr>:1:8\n  1 | (+ 1 2))\n"), r.err());
        Result open = IpcshProcess.run("-e", "(println 1) (+ 1");
        assertEquals(1, open.status());
        assertEquals("", open.out(), "an open form runs nothing");
        assertTrue(open.err().startsWith("error: end of file inside a form: this form is never closed\n  at <expr>:1:13"), open.err());
    }

    @Test
    void scriptFromStandardInputWithDashAndArguments() {
        Result r = IpcshProcess.runWith(List.of(), "(println \"hi\" *command-line-args*)\n(gets 42)\n", "-", "a", "b");
        assertEquals(1, r.status());
        assertEquals("hi (a b)\n", r.out());
        assertTrue(r.err().startsWith("error: gets: argument 1 must be a channel, not the number 42; usage: (gets ch)\n"
                + "  at <stdin>:2:1\n  2 | (gets 42)\n"), r.err());
    }

    @Test
    void pipedInputWithoutAScriptRunsAsAScriptWithoutPrompts() {
        Result ok = IpcshProcess.runWith(List.of(), "(println (+ 1 2))\n(def x 5)\n(println x)\n");
        assertEquals(new Result(0, "3\n5\n", ""), ok);
        Result bad = IpcshProcess.runWith(List.of(), "(println \"first\")\n(no-such-fn)\n(println \"never\")\n");
        assertEquals(1, bad.status());
        assertEquals("first\n", bad.out());
        assertTrue(bad.err().startsWith("error: Unable to resolve symbol: no-such-fn in this context\n  at <stdin>:2:"), bad.err());
        assertFalse(bad.out().contains("ipcsh>"), bad.out());
    }

    @Test
    void javaScriptFromStandardInput() {
        Result r = IpcshProcess.runWith(List.of(), "console.log('js', ipc.args.join(','));\nnope();\n", "--lang", "js", "-", "x", "y");
        assertEquals(1, r.status());
        assertEquals("js x,y\n", r.out());
        assertTrue(r.err().contains("at <stdin>:2:1"), r.err());
    }

    @Test
    void replToolsAreReferredAndFindBuiltins() {
        Result a = IpcshProcess.run("-e", "(apropos \"sock\")");
        assertEquals(0, a.status(), a.err());
        assertTrue(a.out().contains("ipcsh.core/connect") && a.out().contains("ipcsh.core/unix-dgram"), a.out());
        Result f = IpcshProcess.run("-e", "(find-doc \"datagram\")");
        assertTrue(f.out().contains("ipcsh.core/unix-dgram") && f.out().contains("ipcsh.core/recv"), f.out());
        Result s = IpcshProcess.run("-e", "(source inc)");
        assertTrue(s.out().startsWith("(defn inc"), s.out());
        Result d = IpcshProcess.run("-e", "(dir clojure.string)");
        assertTrue(d.out().contains("blank?\n"), d.out());
        Result p = IpcshProcess.run("-e", "(try (/ 1 0) (catch Exception e (pst e 1)))");
        assertTrue(p.err().startsWith("ArithmeticException Divide by zero"), p.out() + p.err());
        Result again = IpcshProcess.run("-e", "(require '[clojure.repl :refer :all]) (count (apropos \"unix-dgram\"))");
        assertEquals(new Result(0, "1\n", ""), again, "the same vars: nothing replaced, nothing warned");
    }

    @Test
    void docOfAnUnknownNameSaysNothingIsNamedSo() {
        Result r = IpcshProcess.run("-e", "(doc nosuchthing)");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("nothing is named nosuchthing"), r.out());
    }

    @Test
    void helpListsTopicsFromTheRegistryAndATopicListsItsBuiltins() {
        Result page = IpcshProcess.run("-e", "(help)");
        assertEquals(0, page.status(), page.err());
        // the pages are not in man's path: help names them by their real place
        Path manual = IpcshProcess.repo().resolve("man/ipcsh.1");
        assertTrue(Files.isRegularFile(manual));
        for (String s : List.of(":channel-verbs", ":sockets", ":processes", ":dialogues-expect ", "gets puts", "(doc gets)",
                "the manual:         man -l " + manual + "\n", "man -l " + manual.resolveSibling("ipcsh-builtins.7") + "\n",
                "Printing is unbounded")) {
            assertTrue(page.out().contains(s), s + " in\n" + page.out());
        }
        assertFalse(page.out().contains("-expect-"), page.out());
        assertTrue(IpcshProcess.run("--help").out().contains("man -l " + manual), "--help names the page too");
        Result sockets = IpcshProcess.run("-e", "(help :sockets)");
        assertTrue(sockets.out().startsWith("Sockets (:sockets)\n"), sockets.out());
        assertTrue(sockets.out().lines().anyMatch(l -> l.matches("  unix-dgram +\\S.*")), sockets.out());
        assertFalse(sockets.out().contains("  gets "), sockets.out());
        Result channels = IpcshProcess.run("-e", "(help :channels)");
        assertTrue(channels.out().contains("  gets "), channels.out());
        Result js = IpcshProcess.run("--lang", "js", "-e", "ipc.help('processes')");
        assertTrue(js.out().startsWith("Processes (:processes)\n") && js.out().contains("  spawn "), js.out() + js.err());
        Result bad = IpcshProcess.run("-e", "(help :nope)");
        assertEquals(1, bad.status());
        assertTrue(bad.err().startsWith("error: help: no topic :nope; the topics are :channel-verbs "), bad.err());
    }

    @Test
    void everyBuiltinAndFormIsInHelpUnderItsTopic() {
        // help draws from the registry and the forms (with-sem) alike: nothing can be left out
        StringBuilder forms = new StringBuilder("(doseq [t [");
        Result page = IpcshProcess.run("-e", "(help)");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^  (:[a-z0-9-]+) ").matcher(page.out());
        List<String> topics = new ArrayList<>();
        while (m.find()) topics.add(m.group(1));
        assertTrue(topics.size() >= 10 && topics.contains(":dialogues-expect"), topics.toString());
        for (String t : topics) forms.append(t).append(' ');
        forms.append("]] (help t))");
        Result all = IpcshProcess.run("-e", forms.toString());
        assertEquals(0, all.status(), all.err());
        java.util.Set<String> listed = new java.util.HashSet<>();
        for (String l : all.out().split("\n")) {
            java.util.regex.Matcher n = java.util.regex.Pattern.compile("^  (\\S+)  ").matcher(l);
            if (n.find()) listed.add(n.group(1));
        }
        List<String> missing = new ArrayList<>();
        for (ipcsh.registry.Builtin b : ipcsh.lang.HelpBuiltins.documented(ipcsh.registry.Registry.standard())) {
            if (!listed.contains(b.name())) missing.add(b.name());
        }
        assertEquals(List.of(), missing, "builtins no help topic lists");
        assertTrue(listed.contains("with-sem") && listed.contains("pending"), listed.toString());
        Result withSem = IpcshProcess.run("-e", "(help :with-sem)");
        assertTrue(withSem.out().contains("Waits on the semaphore s"), withSem.out() + withSem.err());
    }

    @Test
    void scriptsPrintUnboundedAsClojureDoes() {
        Result r = IpcshProcess.run("-e", "(prn (range 150)) [(vec (range 120)) *print-length*]");
        assertEquals(0, r.status(), r.err());
        assertFalse(r.out().contains("..."), r.out());
        assertTrue(r.out().contains(" 148 149)\n") && r.out().endsWith(" 118 119] nil]\n"), r.out());
    }

    @Test
    void topLevelAwaitInJavaScriptEval() {
        Result r = IpcshProcess.run("--lang", "js", "-e", "const [r, w] = ipc.pipe(); w.puts('hey'); const l = await r.getsAsync(); l + '!'");
        assertEquals(new Result(0, "\"hey!\"\n", ""), r);
        Result v = IpcshProcess.run("--lang", "js", "-e", "let {a, b} = await Promise.resolve({a: 1, b: 2})\nawait ipc.sleep(5)\n[a, b]");
        assertEquals(new Result(0, "[1, 2]\n", ""), v);
        Result e = IpcshProcess.run("--lang", "js", "-e", "await ipc.sleep(5)\nnope()");
        assertEquals(1, e.status());
        assertTrue(e.err().startsWith("error: ReferenceError: nope is not defined\n  at <expr>:2:1\n  2 | nope()\n"), e.err());
    }

    @Test
    void quietAndHelpOptionsAreDocumented() {
        String usage = IpcshProcess.run("--help").out();
        assertTrue(usage.contains("-q, --quiet"), usage);
        assertTrue(usage.contains("141"), usage);
        List<String> man = new ArrayList<>();
        try {
            man.addAll(Files.readAllLines(IpcshProcess.repo().resolve("man/ipcsh.1")));
        } catch (IOException ex) {
            throw new AssertionError(ex);
        }
        String page = String.join("\n", man);
        assertTrue(page.contains("\\-q") && page.contains("141") && page.contains("<stdin>"), "man/ipcsh.1 documents -q, 141, stdin");
    }
}
