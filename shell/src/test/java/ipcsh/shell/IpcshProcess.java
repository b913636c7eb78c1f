package ipcsh.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real shell in its own JVM, as a user runs it (the launcher's flags, this build's classes). */
final class IpcshProcess {
    static final List<String> FLAGS = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "-Dpolyglot.engine.WarnInterpreterOnly=false",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmn2m", "-Xms8m", "-XX:StringTableSize=4096",
            "-XX:+UnlockExperimentalVMOptions", "-XX:SymbolTableSize=4096", "-XX:TrimNativeHeapInterval=1000");

    record Result(int status, String out, String err) {}

    private IpcshProcess() {}

    /** The repository root: where examples/ and pom.xml are. */
    static Path repo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isDirectory(p.resolve("examples")) && Files.exists(p.resolve("pom.xml")))) {
            p = p.getParent();
        }
        if (p == null) throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
        return p;
    }

    static List<String> command(List<String> prefix, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(FLAGS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Waits (30 s at most) until a unix socket at path listens: its file appears at bind(2),
     * before listen(2), and a client connecting in between is refused (/proc/net/unix's flag
     * 00010000 is the listening state).
     */
    static void awaitListening(Path path) throws IOException, InterruptedException {
        String tail = " " + path.toAbsolutePath();
        for (int i = 0; i < 1500; i++) {
            try (var lines = Files.lines(Path.of("/proc/net/unix"))) {
                if (lines.anyMatch(l -> l.endsWith(tail) && l.split("\\s+")[3].equals("00010000"))) return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(path + " is not listening after 30 s");
    }

    static Process start(String... args) throws IOException {
        return new ProcessBuilder(command(List.of(), args)).directory(repo().toFile()).start();
    }

    static Result run(String... args) {
        return runWith(List.of(), null, args);
    }

    /** Runs with a command prefix (e.g. setpriv) and optional stdin text; bounded to 60 s. */
    static Result runWith(List<String> prefix, String stdin, String... args) {
        try {
            Path out = Files.createTempFile("ipcsh-out", ".txt");
            Path err = Files.createTempFile("ipcsh-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command(prefix, args)).directory(repo().toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("ipcsh " + String.join(" ", args) + " did not finish in 60 s");
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
