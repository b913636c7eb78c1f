package ipcsh.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real program the tests talk to (tclsh, socat, python3, sh...), always killed at the end. */
public final class Peer implements AutoCloseable {
    private final Process process;
    private final Path output;

    private Peer(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    public static Peer start(String... command) {
        try {
            Path out = Files.createTempFile("ipcsh-peer", ".out");
            Process p = new ProcessBuilder(List.of(command))
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            return new Peer(p, out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", command), e);
        }
    }

    /** Waits for the program to end (bounded) and returns its exit status. */
    public int waitFor(long seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("peer still running after " + seconds + " s: " + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(output);
        } catch (InterruptedException | IOException ignored) {
            // best effort
        }
    }

    /** Open descriptors of this JVM. */
    public static int openFds() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
