package ipcsh.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AOT cache's training run, in a JVM of its own: the cache holds every class training
 * loads, and every Clojure start loads all of them, so training must load no more than a
 * script's start needs (bench row idle-rss).
 */
class TrainTest {
    @TempDir Path home;

    @Test
    void trainingLoadsNoSecureRandomAndLeavesNoScriptBehind() throws Exception {
        Path target = Files.createDirectories(home.resolve("shell/target"));
        Path out = home.resolve("out.txt");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(IpcshProcess.FLAGS);
        cmd.addAll(List.of("-Dipcsh.home=" + home, "-Xlog:class+load=info", "-cp",
                System.getProperty("java.class.path"), Train.class.getName()));
        Process p = new ProcessBuilder(cmd).directory(IpcshProcess.repo().toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "training did not finish in 60 s");
        String log = Files.readString(out);
        assertEquals(0, p.exitValue(), log);
        // the training script ran: its (println (+ 1 2)) and the -e (+ 1 2) both print 3
        assertTrue(log.lines().filter(l -> l.equals("3")).count() >= 2, log);
        assertTrue(log.contains(" ipcsh.shell.Main "), "class loading was not logged");
        // Files.createTempFile seeds a SecureRandom: its security classes would be in the cache
        assertFalse(log.contains(" java.security.SecureRandom "), "training loaded SecureRandom");
        try (Stream<Path> left = Files.list(target)) {
            assertEquals(List.of(), left.toList(), "training left its script behind");
        }
    }
}
