package ipcsh.lang.js;

import clojure.lang.RT;
import clojure.lang.Var;
import ipcsh.lang.Session;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helpers: a shell session in this JVM with its stdout and stderr captured, and peer JVMs. */
final class Shell {
    private Shell() {}

    /** What a run printed and returned. */
    record Run(int status, String out, String err) {}

    static Run script(Path file, String... args) {
        return capture(s -> s.runScript(file, List.of(args)));
    }

    static Run js(Path dir, String name, String code, String... args) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, code);
        return script(f, args);
    }

    /** -e: Clojure or JS code; out holds what it printed, then its value. */
    static Run eval(String lang, String code) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Run r = capture(s -> {
            s.language(lang);
            return s.evalAndPrint(code, List.of(), new PrintStream(printed, true, StandardCharsets.UTF_8));
        });
        return new Run(r.status(), r.out() + printed.toString(StandardCharsets.UTF_8), r.err());
    }

    private static Run capture(java.util.function.ToIntFunction<Session> body) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        StringWriter out = new StringWriter();
        Session session = new Session(false, errStream);
        Var.pushThreadBindings(RT.mapUniqueKeys(RT.OUT, out));
        int status;
        try {
            status = body.applyAsInt(session);
        } finally {
            Var.popThreadBindings();
        }
        return new Run(status, out.toString(), err.toString(StandardCharsets.UTF_8));
    }

    /** Starts a peer JVM running script with args (the shell's own runner, as `ipcsh script args`). */
    static Process peer(Path script, String... args) throws IOException {
        return peerWith(List.of(), java.util.Map.of(), script, args);
    }

    static Process peerWith(List<String> jvmFlags, java.util.Map<String, String> env, Path script, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dpolyglot.engine.WarnInterpreterOnly=false", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ScriptMain.class.getName());
        cmd.add(script.toString());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits for p and returns its output (stdout and stderr). */
    static String finish(Process p, long seconds) throws Exception {
        StringBuilder sb = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                sb.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                sb.append(e);
            }
        });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(2000);
            throw new AssertionError("peer did not finish in " + seconds + " s: " + sb);
        }
        reader.join();
        return sb + (p.exitValue() != 0 ? "\n[exit " + p.exitValue() + "]" : "");
    }

    /** The repository's examples/js directory (tests run in the module directory). */
    static Path examples() {
        Path p = Path.of("..", "examples", "js").toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) throw new AssertionError("no examples at " + p);
        return p;
    }

    static boolean hasPython() {
        return new File("/usr/bin/python3").canExecute();
    }
}
