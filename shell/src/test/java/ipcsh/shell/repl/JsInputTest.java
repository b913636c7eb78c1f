package ipcsh.shell.repl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When Enter ends a JavaScript entry. */
class JsInputTest {
    @Test
    void bracketsInStringsCommentsTemplatesAndRegexesDoNotCount() {
        for (String s : new String[] {
            "1+2", "'(' + 1", "\"[\" + '{'", "`(${1 + 1}[`", "f() // (", "g() /* { */", "/\\(/.test('(')",
            "x = /[/(]/g", "'a\\'(' + 1", "a / b / (c)", "return /{/", "`a${ {x: '}'}.x }b`",
            "[1, 2].map(x => x * 2)", "'unterminated (", "foo())" }) {
            assertTrue(JsInput.complete(s), s);
        }
    }

    @Test
    void openBracketsTemplatesAndBlockCommentsContinue() {
        for (String s : new String[] {
            "[1,", "function f() {", "f(1,\n2", "`a", "`a${1 + (", "/* a", "x = 'a\\", "if (x) {\n  y()\n",
            "{ '}'", "(a / b", "`${`${[`" }) {
            assertFalse(JsInput.complete(s), s);
        }
    }

    @Test
    void clojureModeStaysClojure() {
        ClojureParser clj = new ClojureParser(() -> false), js = new ClojureParser(() -> true);
        assertFalse(clj.complete("'(' + 1"));
        assertTrue(js.complete("'(' + 1"));
        assertTrue(clj.complete("(+ 1 2)"));
        assertFalse(clj.complete("(+ 1"));
        assertTrue(clj.complete(":js"));
        assertTrue(js.complete(":clj"));
    }

    @Test
    void checkingAClojureEntryEvaluatesNothing() {
        ClojureParser clj = new ClojureParser(() -> false);
        assertTrue(clj.complete("#=(java.lang.System/setProperty \"ipcsh.test.read-eval\" \"ran\")"));
        assertNull(System.getProperty("ipcsh.test.read-eval"), "#= ran while the line was being checked");
    }
}
