package ipcsh.shell.repl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a new user meets in the REPL, through a real terminal (tmux): the greeting, help,
 * bounded printing and Ctrl-C on endless sequences, tables, JavaScript completion and await.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplFirstStepsTest {
    private static final long START = 20_000, EVAL = 10_000, JS = 30_000;
    private static final String PROMPT = "ipcsh>", JS_PROMPT = "ipcsh(js)>";

    @TempDir
    Path home;
    private TmuxPane pane;

    @AfterEach
    void stop() {
        if (pane != null) pane.close();
    }

    private TmuxPane start(String... args) throws Exception {
        pane = new TmuxPane(home, args);
        pane.awaitLast(START, PROMPT);
        return pane;
    }

    private List<String> enter(String line, String... then) {
        pane.awaitLast(EVAL, PROMPT);
        pane.line(line);
        String[] seq = new String[then.length + 1];
        seq[0] = "ipcsh> " + line;
        System.arraycopy(then, 0, seq, 1, then.length);
        return pane.awaitLines(EVAL, seq);
    }

    @Test
    void greetsWithOneLineUnlessQuiet() throws Exception {
        List<String> s = start().screen();
        assertTrue(s.get(0).matches("ipcsh \\d+\\.\\d+\\.\\d+ \\(Clojure 1\\.\\d+\\.\\d+, JDK \\d+\\.\\d+\\.\\d+\\): "
                + "\\(help\\) for help, Ctrl-D to exit"), String.join("\n", s));
        assertTrue(s.get(1).equals(PROMPT), String.join("\n", s));
        pane.close();
        List<String> quiet = start("-q").screen();
        assertTrue(quiet.get(0).equals(PROMPT), String.join("\n", quiet));
    }

    @Test
    void bareHelpAndATopic() throws Exception {
        start();
        pane.line("help");
        List<String> s = pane.await("the help page and a prompt", EVAL,
                sc -> sc.getLast().equals(PROMPT) && sc.stream().anyMatch(l -> l.contains("(set! *print-length* nil)")));
        assertTrue(s.stream().anyMatch(l -> l.startsWith("  :sockets ") && l.contains("unix-dgram")), String.join("\n", s));
        assertTrue(s.stream().anyMatch(l -> l.contains("*print-length* 100") && l.contains("*print-level* 10")), String.join("\n", s));
        assertFalse(s.stream().anyMatch(l -> l.contains("#object") || l.contains("core$")), String.join("\n", s));
        pane.key("C-l");
        pane.line("(help :channels)");
        List<String> t = pane.await("the channel verbs", EVAL,
                sc -> sc.getLast().equals(PROMPT) && sc.stream().anyMatch(l -> l.startsWith("(doc name)")));
        assertTrue(t.stream().anyMatch(l -> l.startsWith("Channel verbs (:channel-verbs)")), String.join("\n", t));
        assertTrue(t.stream().anyMatch(l -> l.matches("  gets +Reads one frame.*")), String.join("\n", t));
    }

    @Test
    void endlessSequencesPrintBoundedAndCtrlCStopsTheirRealisation() throws Exception {
        start();
        pane.line("(range)");
        List<String> s = pane.await("the first hundred numbers", EVAL,
                sc -> sc.getLast().equals(PROMPT) && sc.stream().anyMatch(l -> l.endsWith(" 98 99 ...)")));
        assertTrue(s.stream().anyMatch(l -> l.startsWith("(0 1 2 3 ")), String.join("\n", s));
        pane.key("C-l");
        pane.line("(doall (range))");
        pane.awaitLast(EVAL, "ipcsh> (doall (range))");
        Thread.sleep(500);
        pane.key("C-c");
        pane.await("an interrupted error and a prompt", EVAL,
                sc -> sc.getLast().equals(PROMPT) && sc.stream().anyMatch(l -> l.equals("error: evaluation: interrupted")));
        pane.key("C-l");
        enter("(set! *print-length* 3)", "3", PROMPT);
        enter("(range)", "(0 1 2 ...)", PROMPT);
        enter("(set! *print-length* nil)", "nil", PROMPT);
        pane.line("(range)");
        Thread.sleep(500);
        pane.key("C-c");
        pane.await("printing interrupted and a prompt", EVAL,
                sc -> sc.getLast().equals(PROMPT) && sc.stream().anyMatch(l -> l.endsWith("interrupted")));
        pane.key("C-l");
        enter("(+ 40 2)", "42", PROMPT);
    }

    @Test
    void aStrayDelimiterAfterAFormPrintsTheValueThenTheError() throws Exception {
        start();
        enter("(+ 1 2))", "3", "error: Unmatched delimiter: )", PROMPT);
    }

    @Test
    void channelsPrintAsATable() throws Exception {
        start();
        enter("(def p (pipe))", "#'user/p", PROMPT);
        List<String> s = enter("(channels)");
        s = pane.awaitLines(EVAL, "ipcsh> (channels)", "id     kind   name       state        channel");
        assertTrue(s.stream().anyMatch(l -> l.matches("pipe\\d+ +:pipe +read end +:read-only +pipe\\d+")), String.join("\n", s));
        assertTrue(s.stream().anyMatch(l -> l.matches("pipe\\d+ +:pipe +write end +:write-only +pipe\\d+")), String.join("\n", s));
        enter("(prn (channels))");
        pane.await("prn prints data", EVAL, sc -> sc.stream().anyMatch(l -> l.startsWith("[{:id \"pipe")));
    }

    @Test
    void javaScriptModeCompletesIpcMembersAwaitsAtTopLevelAndPrintsListingsAsTables() throws Exception {
        start();
        enter(":js", "JavaScript; :clj returns to Clojure", JS_PROMPT);
        pane.type("ipc.ge");
        pane.awaitLast(EVAL, "ipcsh(js)> ipc.ge");
        pane.key("Tab");
        pane.awaitLast(JS, "ipcsh(js)> ipc.gets");
        pane.key("C-u");
        pane.line("const [r, w] = ipc.pipe(); w.puts('hey'); const got = await r.getsAsync()");
        pane.awaitLast(JS, JS_PROMPT);
        pane.line("got + '!'");
        pane.awaitLines(JS, "ipcsh(js)> got + '!'", "\"hey!\"", JS_PROMPT);
        pane.type("r.getsA");
        pane.key("Tab");
        pane.awaitLast(EVAL, "ipcsh(js)> r.getsAsync");
        pane.key("C-u");
        pane.line("ipc.channels()");
        List<String> s = pane.awaitLines(EVAL, "ipcsh(js)> ipc.channels()", "id     kind  name       state       channel");
        assertTrue(s.stream().anyMatch(l -> l.matches("pipe\\d+ +pipe +read end +read-only +pipe\\d+")), String.join("\n", s));
        pane.line("[1, 2]");
        pane.awaitLines(EVAL, "ipcsh(js)> [1, 2]", "[1, 2]", JS_PROMPT);
    }

    @Test
    void javaScriptTabOffersIpcMembersAChannelsMethodsAndTheSessionsNamesNeverClojureOnes() throws Exception {
        start();
        enter(":js", "JavaScript; :clj returns to Clojure", JS_PROMPT);
        pane.type("ipc.conn");
        pane.awaitLast(EVAL, "ipcsh(js)> ipc.conn");
        pane.key("Tab");
        pane.awaitLast(JS, "ipcsh(js)> ipc.connect");
        pane.key("C-u");
        pane.line("const [r, w] = ipc.pipe(); const settings = {alpha: 1, beta: 2}");
        pane.awaitLast(JS, JS_PROMPT);
        pane.key("C-l");
        pane.type("w.");
        pane.key("Tab");
        List<String> methods = pane.await("w's methods", JS, sc -> sc.stream().anyMatch(l -> l.startsWith("puts ")));
        assertTrue(methods.stream().anyMatch(l -> l.startsWith("gets ")), String.join("\n", methods));
        assertTrue(methods.stream().anyMatch(l -> l.startsWith("getsAsync ")), String.join("\n", methods));
        assertFalse(methods.stream().anyMatch(l -> l.startsWith("connect")), String.join("\n", methods));
        pane.key("C-u", "C-l");
        // a plain object's members (after an operator too); a name the session defined
        pane.type("let n=settings.al");
        pane.key("Tab");
        pane.awaitLast(JS, "ipcsh(js)> let n=settings.alpha");
        pane.key("C-u");
        pane.type("sett");
        pane.key("Tab");
        pane.awaitLast(JS, "ipcsh(js)> settings");
        pane.key("C-u", "C-l");
        // JavaScript's keywords and globals, no Clojure name
        pane.type("de");
        pane.key("Tab");
        List<String> s = pane.await("keywords starting with de", JS,
                sc -> sc.stream().anyMatch(l -> l.contains("default")) && sc.stream().anyMatch(l -> l.contains("decodeURI")));
        assertTrue(s.stream().anyMatch(l -> l.contains("delete")), String.join("\n", s));
        assertFalse(s.stream().anyMatch(l -> l.contains("defn") || l.contains("defmacro") || l.contains("deref")), String.join("\n", s));
        pane.key("C-u", "C-l");
        pane.line("help");
        pane.await("the help page, which says what Tab does in JavaScript", JS,
                sc -> sc.getLast().equals(JS_PROMPT) && sc.stream().anyMatch(l -> l.contains("Tab completes ipc.,")));
        pane.line(":clj");
        pane.awaitLast(EVAL, PROMPT);
        pane.key("C-l");
        pane.type("(defm");
        pane.key("Tab");
        pane.await("Clojure names again", EVAL, sc -> sc.stream().anyMatch(l -> l.contains("defmacro")));
    }
}
