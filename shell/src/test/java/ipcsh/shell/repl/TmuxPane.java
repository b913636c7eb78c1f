package ipcsh.shell.repl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real shell ({@code ipcsh.shell.Main}, this JVM's class path) in a pseudo-terminal: a
 * private tmux server, one pane, keys in with send-keys, the screen out with capture-pane.
 */
final class TmuxPane implements AutoCloseable {
    static final String TMUX = "/usr/bin/tmux";
    private static final String[] FLAGS = {
        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "-Dpolyglot.engine.WarnInterpreterOnly=false", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"};

    final Path home;
    private final String socket = "ipcsh-test-" + UUID.randomUUID();
    private String socketPath;

    /** Starts the shell with HOME = home; after it ends the pane shows EXIT=status. */
    TmuxPane(Path home) throws IOException {
        this(home, new String[0]);
    }

    /** The same with command-line arguments for the shell. */
    TmuxPane(Path home, String... args) throws IOException {
        if (!Files.isExecutable(Path.of(TMUX))) {
            fail("tmux is needed by the REPL tests and is not at " + TMUX + " (apt-get install tmux)");
        }
        this.home = home;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        StringBuilder cmd = new StringBuilder("cd ").append(q(home.toString())).append(" || exit 1\n");
        cmd.append("HOME=").append(q(home.toString())).append(' ').append(q(java));
        for (String f : FLAGS) cmd.append(' ').append(q(f));
        cmd.append(" -cp ").append(q(System.getProperty("java.class.path"))).append(" ipcsh.shell.Main");
        for (String a : args) cmd.append(' ').append(q(a));
        cmd.append('\n');
        cmd.append("echo EXIT=$?\nexec sleep 600\n");
        Path script = home.resolve("run-ipcsh.sh");
        Files.writeString(script, cmd.toString());
        tmux("new-session", "-d", "-x", "120", "-y", "50", "-s", "t", "bash " + q(script.toString()));
        socketPath = tmux("display-message", "-p", "-t", "t", "#{socket_path}").strip();
    }

    private static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private String tmux(String... args) {
        List<String> cmd = new ArrayList<>(List.of(TMUX, "-L", socket, "-f", "/dev/null"));
        cmd.addAll(Arrays.asList(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("tmux " + String.join(" ", args) + " hung");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) fail("tmux " + args[0] + " failed (" + p.exitValue() + "): " + text);
            return text;
        } catch (IOException e) {
            throw new AssertionError("cannot run tmux: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Types text literally (no key names). */
    TmuxPane type(String text) {
        tmux("send-keys", "-t", "t", "-l", text);
        return this;
    }

    /** Presses keys by tmux name: Enter, Tab, C-c, C-d... */
    TmuxPane key(String... keys) {
        List<String> a = new ArrayList<>(List.of("send-keys", "-t", "t"));
        a.addAll(Arrays.asList(keys));
        tmux(a.toArray(String[]::new));
        return this;
    }

    TmuxPane line(String text) {
        return type(text).key("Enter");
    }

    /** The visible lines, trailing blanks and trailing empty lines removed. */
    List<String> screen() {
        List<String> lines = new ArrayList<>();
        for (String l : tmux("capture-pane", "-p", "-t", "t").split("\n", -1)) lines.add(l.stripTrailing());
        while (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast();
        return lines;
    }

    String last() {
        List<String> s = screen();
        return s.isEmpty() ? "" : s.getLast();
    }

    /** Polls the screen until it satisfies the condition; fails with the screen after the timeout. */
    List<String> await(String what, long timeoutMs, Predicate<List<String>> condition) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        List<String> s;
        while (true) {
            s = screen();
            if (condition.test(s)) return s;
            if (System.nanoTime() > deadline) break;
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        fail("waited " + timeoutMs + " ms for " + what + "; the screen:\n" + String.join("\n", s));
        return s;
    }

    /** Waits until these lines appear one after the other (each trailing-blank-trimmed). */
    List<String> awaitLines(long timeoutMs, String... expected) {
        return await("the lines " + Arrays.toString(expected), timeoutMs, s -> indexOf(s, expected) >= 0);
    }

    /** Waits until the last line on the screen is exactly this (a prompt with or without input). */
    List<String> awaitLast(long timeoutMs, String expected) {
        return await("a last line \"" + expected + "\"", timeoutMs, s -> !s.isEmpty() && s.getLast().equals(expected));
    }

    static int indexOf(List<String> s, String... seq) {
        outer:
        for (int i = 0; i + seq.length <= s.size(); i++) {
            for (int j = 0; j < seq.length; j++) if (!s.get(i + j).equals(seq[j])) continue outer;
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        try {
            tmux("kill-server");
        } catch (AssertionError ignored) {
            // already gone
        }
        try {
            if (socketPath != null && !socketPath.isEmpty()) Files.deleteIfExists(Path.of(socketPath));
        } catch (IOException ignored) {
            // a socket file in tmux's directory: harmless
        }
    }
}
