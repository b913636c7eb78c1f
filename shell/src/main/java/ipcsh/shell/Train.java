package ipcsh.shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The AOT cache's training run (the launcher runs it once after a build): goes through
 * {@link Main} as a user's script and {@code -e} do, up to {@code System.exit}, so the cache
 * holds the classes of the whole way from the command line to the exit.
 */
public final class Train {
    private Train() {}

    public static void main(String[] args) throws IOException {
        // In the build's own directory: Files.createTempFile seeds a SecureRandom, and its ~60
        // security classes would go into the cache, loaded by every start (idle-rss 0.3 MB)
        Path script = Path.of(System.getProperty("ipcsh.home", "."), "shell", "target",
                "train-" + ProcessHandle.current().pid() + ".ipcs");
        try {
            Files.writeString(script, """
                    (let [[r w] (pipe)]
                      (puts w "hello")
                      (gets r)
                      (close w) (close r))
                    (let [p (spawn "true")] (read p) (wait p) (close p))
                    (doseq [x (range 3)] (str x))
                    (println (+ 1 2))
                    """);
            Main.run(new String[] {script.toString(), "x"}, System.out, System.err);
        } finally {
            Files.deleteIfExists(script);
        }
        Main.run(new String[] {"-e", "(+ 1 2)"}, System.out, System.err);
        Main.run(new String[] {"-e", "(undefined-symbol)"}, System.out, System.err);
        System.exit(0);
    }
}
