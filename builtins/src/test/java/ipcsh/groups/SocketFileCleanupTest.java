package ipcsh.groups;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class SocketFileCleanupTest {
    @Test
    void socketFileOfTheShellsServerIsRemovedWhenTheJvmGetsSigterm() throws Exception {
        String path = T.tmp("sigterm.sock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = "target/classes" + File.pathSeparator + "target/test-classes";
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                ListenUntilKilled.class.getName(), path).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            assertEquals("listening", new BufferedReader(new InputStreamReader(child.getInputStream())).readLine());
            assertTrue(Files.exists(Path.of(path)));
            child.destroy(); // SIGTERM
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertFalse(Files.exists(Path.of(path)), "socket file removed by the shutdown hook");
        } finally {
            child.destroyForcibly();
            Files.deleteIfExists(Path.of(path));
        }
    }
}
