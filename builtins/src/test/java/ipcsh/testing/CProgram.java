package ipcsh.testing;

import java.nio.file.Path;

/** A C peer from src/test/c, compiled with gcc into a test's own directory. */
public final class CProgram {
    private CProgram() {}

    /** Compiles src/test/c/NAME.c to dir/NAME and returns its path. */
    public static String build(String name, TempDir dir) {
        String bin = dir.file(name);
        String src = Path.of("src/test/c/" + name + ".c").toAbsolutePath().toString();
        try (Peer gcc = Peer.start("gcc", "-Wall", "-O2", "-pthread", "-o", bin, src)) {
            int status = gcc.waitFor(120);
            if (status != 0) throw new AssertionError("gcc " + src + " exited " + status + ": " + gcc.output());
        }
        return bin;
    }

    /** Runs a built program to its end (bounded) and returns its output; fails the test unless it exits 0. */
    public static String run(String... command) {
        try (Peer p = Peer.start(command)) {
            int status = p.waitFor(60);
            if (status != 0) throw new AssertionError(String.join(" ", command) + " exited " + status + ": " + p.output());
            return p.output();
        }
    }
}
