package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JavaScript run makes the Clojure runtime only when the script uses it (issue 21: it was a
 * fifth of a JavaScript start-up): a script that does not loads no clojure.core; one that calls
 * ipc.clj or ipc.help gets what it got when Clojure was made at start-up.
 */
class JsWithoutClojureTest {
    private static Path script(String text) throws Exception {
        Path f = Files.createTempFile("ipcsh-js-noclj", ".js");
        Files.writeString(f, text);
        f.toFile().deleteOnExit();
        return f;
    }

    private static String classLoadLog(String... args) throws Exception {
        List<String> cmd = IpcshProcess.command(List.of(), args);
        cmd.add(1, "-Xlog:class+load");
        Process p = new ProcessBuilder(cmd).directory(IpcshProcess.repo().toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void aJavaScriptRunThatNeverUsesClojureLoadsNoClojureCore() throws Exception {
        for (String[] args : List.of(new String[] {script("console.log(1 + 2);").toString()},
                new String[] {"--lang", "js", "-e", "1 + 2"})) {
            String out = classLoadLog(args);
            assertTrue(out.lines().anyMatch(l -> l.equals("3")), out.lines().filter(l -> !l.startsWith("[")).toList().toString());
            assertTrue(out.contains("ipcsh.lang.js.JsEngine"), "the JS engine is made");
            assertTrue(out.lines().noneMatch(l -> l.contains(" clojure.core__init ") || l.contains(" clojure.lang.RT ")),
                    String.join(" ", args) + ": " + out.lines().filter(l -> l.contains("clojure.")).limit(5).toList());
        }
    }

    @Test
    void clojureFromJavaScriptStillHasItsScriptBindingsArgsAndOutputOrder() throws Exception {
        Path f = script("""
                console.log('one');
                ipc.clj('(println "two")');
                console.log('three');
                console.log(ipc.clj('(str *ns* " " (pr-str *command-line-args*) " " (some? *1))'));
                ipc.clj('(print "no newline ") (flush)');
                console.log('four');
                """);
        Result r = IpcshProcess.run(f.toString(), "a", "b c");
        assertEquals(0, r.status(), r.err());
        assertEquals("one\ntwo\nthree\nuser (\"a\" \"b c\") false\nno newline four\n", r.out());
    }

    @Test
    void helpFromJavaScriptPrintsItsPageWithThePrintBounds() {
        Result r = IpcshProcess.run("--lang", "js", "-e", "ipc.help()");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Printing is unbounded (*print-length* and *print-level* are nil)."), r.out());
    }
}
