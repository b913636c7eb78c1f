package ipcsh.shell;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Clojure run as the launcher makes it: the JavaScript engine's jars (named by the build in
 * shell/target/js-classpath) off the class path and named in -Dipcsh.js.classpath, loaded at the
 * first JS use by a loader of their own. JS from Clojure works as it does with them on it.
 */
class JsOffTheClassPathTest {
    record Output(int status, String out, String err) {}

    private static Output run(String... args) throws Exception {
        Set<String> jsJars = Set.copyOf(List.of(Files.readString(IpcshProcess.repo().resolve("shell/target/js-classpath")).strip()
                .replace("lib/", "").split(":")));
        List<String> cp = new ArrayList<>();
        List<String> js = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            (jsJars.contains(Path.of(e).getFileName().toString()) ? js : cp).add(e);
        }
        assertTrue(js.size() >= 5 && js.stream().anyMatch(e -> e.contains("polyglot")), "the build names the engine's jars: " + js);
        List<String> cmd = IpcshProcess.command(List.of(), args);
        int at = cmd.indexOf("-cp");
        cmd.set(at + 1, String.join(File.pathSeparator, cp));
        cmd.add(at, "-Dipcsh.js.classpath=" + String.join(File.pathSeparator, js));
        Process p = new ProcessBuilder(cmd).directory(IpcshProcess.repo().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] err = p.getErrorStream().readAllBytes();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Output(p.exitValue(), out, new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void jsFromClojureRunsWithTheEnginesJarsOffTheClassPath() throws Exception {
        Output r = run("-e", """
                (println (try (Class/forName "org.graalvm.polyglot.Context") (catch ClassNotFoundException _ "not on the class path")))
                (println (js "[1, 2, 3].map(x => x * 2)"))
                (println (js "const [r, w] = ipc.pipe(); w.puts('through a pipe'); r.gets()"))
                (println (js "ipc.clj('(+ 40 2)')"))""");
        assertEquals(0, r.status(), r.err());
        assertEquals("not on the class path\n[2 4 6]\nthrough a pipe\n42\n", r.out());
    }

    @Test
    void aJsErrorFromClojureSaysWhatAndWhere() throws Exception {
        Output r = run("-e", "(js \"let f = () => { ipc.close(42) }; f()\")");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().startsWith("error: close: argument 1 must be a channel, not the number 42"), r.err());
        assertTrue(r.err().contains("at <js>:1:17\n"), r.err());
        Output t = run("-e", "(js \"throw new TypeError('boom')\")");
        assertEquals(1, t.status());
        assertTrue(t.err().startsWith("error: TypeError: boom\n  at <js>:1:7\n"), t.err());
        assertFalse(t.err().contains("Exception"), t.err());
    }
}
