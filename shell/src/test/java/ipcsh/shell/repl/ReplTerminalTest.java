package ipcsh.shell.repl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The interactive shell through a real pseudo-terminal (tmux): what a user sees and types. */
class ReplTerminalTest {
    private static final long START = 20_000, EVAL = 10_000, JS = 30_000;
    private static final String PROMPT = "ipcsh>", JS_PROMPT = "ipcsh(js)>";

    @TempDir
    Path home;
    private TmuxPane pane;

    @BeforeEach
    void start() throws Exception {
        pane = new TmuxPane(home);
        pane.awaitLast(START, PROMPT);
    }

    @AfterEach
    void stop() {
        if (pane != null) pane.close();
    }

    /** Enters a line at an empty prompt and waits for these lines right after it. */
    private List<String> enter(String line, String... then) {
        pane.awaitLast(EVAL, PROMPT);
        pane.line(line);
        String[] seq = new String[then.length + 1];
        seq[0] = "ipcsh> " + line;
        System.arraycopy(then, 0, seq, 1, then.length);
        return pane.awaitLines(EVAL, seq);
    }

    @Test
    void promptAppearsAndAFormPrintsItsValue() {
        enter("(+ 1 2)", "3", PROMPT);
    }

    @Test
    void unbalancedFormContinuesOnTheNextLine() {
        pane.line("(+ 1");
        pane.awaitLast(EVAL, "     >");
        pane.line("2)");
        pane.awaitLines(EVAL, "ipcsh> (+ 1", "     > 2)", "3", PROMPT);
    }

    @Test
    void ctrlCInterruptsABlockingGetsAndTheShellGoesOn() {
        enter("(def r (first (pipe)))", "#'user/r", PROMPT);
        pane.line("(do (println \"blocking\") (gets r))");
        pane.awaitLast(EVAL, "blocking");
        pane.key("C-c");
        List<String> s = pane.await("the interrupted error and a prompt", EVAL,
                sc -> sc.getLast().equals(PROMPT) && sc.stream().anyMatch(l -> l.contains("interrupted")));
        // the terminal echoed ^C: the error starts a line of its own
        assertTrue(s.stream().anyMatch(l -> l.matches("error: gets .*: interrupted")), String.join("\n", s));
        assertFalse(s.stream().anyMatch(l -> l.contains("Exception") || l.startsWith("\tat ")), String.join("\n", s));
        enter("(+ 40 2)", "42", PROMPT);
    }

    @Test
    void ctrlCBreaksASemWaitAndTheSemaphoreIsUntouched() {
        String name = "/ipcsh-t-" + ProcessHandle.current().pid() + "-repl";
        enter("(def s (sem \"" + name + "\" {:create true :value 0}))", "#'user/s", PROMPT);
        pane.line("(do (println \"waiting\") (sem-wait s))");
        pane.awaitLast(EVAL, "waiting");
        pane.key("C-c");
        List<String> sc = pane.await("the interrupted error and a prompt", EVAL,
                l -> l.getLast().equals(PROMPT) && l.stream().anyMatch(x -> x.contains("interrupted")));
        assertTrue(sc.stream().anyMatch(l -> l.equals("error: sem-wait #<sem " + name + ">: interrupted")), String.join("\n", sc));
        enter("(sem-unlink \"" + name + "\")", "nil", PROMPT);
        enter("(sem-value s)", "0", PROMPT);
    }

    @Test
    void ctrlCInterruptsAFormWaitingInJava() {
        pane.line("(do (println \"sleeping\") (Thread/sleep 60000))");
        pane.awaitLast(EVAL, "sleeping");
        pane.key("C-c");
        List<String> s = pane.await("an error and a prompt", EVAL,
                sc -> sc.getLast().equals(PROMPT) && sc.stream().anyMatch(l -> l.startsWith("error: ")));
        assertTrue(s.stream().anyMatch(l -> l.startsWith("error: ") && l.contains("nterrupt")), String.join("\n", s));
        enter("(+ 40 2)", "42", PROMPT);
    }

    @Test
    void ctrlCAtThePromptDropsTheLine() {
        pane.type("(+ 1 2");
        pane.awaitLast(EVAL, "ipcsh> (+ 1 2");
        pane.key("C-c");
        pane.awaitLast(EVAL, PROMPT);
        enter("(+ 5 5)", "10", PROMPT);
        assertFalse(pane.screen().stream().anyMatch(l -> l.contains("(+ 1 2(+ 5 5)") || l.equals("3")),
                String.join("\n", pane.screen()));
    }

    @Test
    void ctrlDExitsWithStatusZero() {
        enter("(+ 1 1)", "2", PROMPT);
        pane.key("C-d");
        pane.await("EXIT=0 (the shell gone, status 0)", EVAL, s -> s.contains("EXIT=0"));
    }

    @Test
    void historyIsWrittenToTheHomeDirectory() throws Exception {
        enter("(+ 1 2)", "3", PROMPT);
        enter("(str \"hi\" \"story\")", "\"history\"", PROMPT);
        pane.key("C-d");
        pane.await("EXIT=0", EVAL, s -> s.contains("EXIT=0"));
        Path history = home.resolve(".ipcsh_history");
        assertTrue(Files.exists(history), "no " + history);
        String text = Files.readString(history);
        assertTrue(text.contains("(+ 1 2)"), text);
        assertTrue(text.contains("(str \"hi\" \"story\")"), text);
        assertTrue(text.indexOf("(+ 1 2)") < text.indexOf("(str"), text);
    }

    @Test
    void tabCompletesABuiltinName() {
        pane.type("(conf");
        pane.awaitLast(EVAL, "ipcsh> (conf");
        pane.key("Tab");
        pane.awaitLast(EVAL, "ipcsh> (configure");
    }

    @Test
    void callbackOutputGoesAboveThePromptWithoutBreakingTheLine() {
        enter("(after 300 #(do (println \"tick\") (binding [*out* *err*] (println \"tock\"))))", "#<timer 1>", PROMPT);
        pane.type("(str \"ab");
        List<String> s = pane.awaitLines(EVAL, "tick", "tock", "ipcsh> (str \"ab");
        assertEquals("ipcsh> (str \"ab", s.getLast(), String.join("\n", s));
        pane.line("c\")");
        pane.awaitLines(EVAL, "ipcsh> (str \"abc\")", "\"abc\"", PROMPT);
    }

    @Test
    void callbackErrorsGoAboveThePromptWithoutBreakingTheLine() {
        enter("(after 300 #(gets 42))", "#<timer 1>", PROMPT);
        pane.type("(str \"ab");
        List<String> s = pane.await("the callback's error above the prompt", EVAL,
                sc -> sc.getLast().equals("ipcsh> (str \"ab")
                      && sc.stream().anyMatch(l -> l.startsWith("error: ") && l.contains("must be a channel")));
        assertFalse(s.stream().anyMatch(l -> l.startsWith("ipcsh> (str \"aberror")), String.join("\n", s));
        pane.line("c\")");
        pane.awaitLines(EVAL, "ipcsh> (str \"abc\")", "\"abc\"", PROMPT);
    }

    @Test
    void anErrorPrintsOneLineAndTheShellLivesOn() {
        List<String> s = enter("(gets 42)", "error: gets: argument 1 must be a channel, not the number 42; usage: (gets ch)",
                PROMPT);
        assertFalse(s.stream().anyMatch(l -> l.contains("Exception") || l.contains("\tat ") || l.contains(".java:")),
                String.join("\n", s));
        enter("(+ 1 1)", "2", PROMPT);
    }

    @Test
    void colonJsSwitchesToJavaScriptAndColonCljBack() {
        enter(":js", "JavaScript; :clj returns to Clojure", JS_PROMPT);
        pane.awaitLast(EVAL, JS_PROMPT);
        pane.line("1+2");
        pane.awaitLines(JS, "ipcsh(js)> 1+2", "3", JS_PROMPT);
        pane.line(":clj");
        pane.awaitLines(EVAL, "ipcsh(js)> :clj", "Clojure; :js switches to JavaScript", PROMPT);
        enter("(+ 1 2)", "3", PROMPT);
    }

    @Test
    void javaScriptEntriesEndByJavaScriptRulesNotClojureOnes() {
        enter(":js", "JavaScript; :clj returns to Clojure", JS_PROMPT);
        // a bracket inside a JS string, comment or template is no open form
        pane.line("'(' + 1");
        pane.awaitLines(JS, "ipcsh(js)> '(' + 1", "\"(1\"", JS_PROMPT);
        pane.line("`[${1 + 1}` // (");
        pane.awaitLines(EVAL, "ipcsh(js)> `[${1 + 1}` // (", "\"[2\"", JS_PROMPT);
        pane.line("/\\(/.test('(')");
        pane.awaitLines(EVAL, "ipcsh(js)> /\\(/.test('(')", "true", JS_PROMPT);
        // ...while an open bracket, template or block comment continues the entry
        pane.line("[1,");
        pane.awaitLast(EVAL, "         >");
        pane.line("2].length");
        pane.awaitLines(EVAL, "ipcsh(js)> [1,", "         > 2].length", "2", JS_PROMPT);
        pane.line("`a");
        pane.awaitLast(EVAL, "         >");
        pane.line("b`.length");
        pane.awaitLines(EVAL, "         > b`.length", "3", JS_PROMPT);
        // a quote inside a JS comment opens no string
        pane.line("'a' // \"");
        pane.awaitLines(EVAL, "ipcsh(js)> 'a' // \"", "\"a\"", JS_PROMPT);
    }

    @Test
    void stdinBelongsToTheLineEditorAndStdoutIsTheTerminal() {
        enter("(stdin)", "error: stdin: the REPL's line editor reads the terminal; use (stdin) in scripts or piped input", PROMPT);
        enter("(configure (stdout) :kind)", ":terminal", PROMPT);
    }
}
