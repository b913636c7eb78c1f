package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Another user (uid 65534) in a world-writable sticky directory, as /tmp is, against a ZeroMQ
 * ipc:// socket file this (root) user's ipcsh binds: a name they made first (a symlink to a file
 * of ours, a file of theirs) is not followed, not taken over and not removed at exit.
 */
@Timeout(120)
class ZmqIpcOtherUserTest {
    private static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    private final Path shared, mine;

    ZmqIpcOtherUserTest() throws IOException {
        shared = Files.createTempDirectory("ipcsh-shared");
        run(List.of("chmod", "1777", shared.toString()));
        mine = Files.createTempDirectory("ipcsh-mine");
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Path d : List.of(shared, mine)) {
            try (var s = Files.walk(d)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> asNobody(String... cmd) {
        List<String> c = new java.util.ArrayList<>(NOBODY);
        c.addAll(List.of(cmd));
        return c;
    }

    private static Result bind(Path sock) {
        return IpcshProcess.run("-e", "(zmq :rep {:bind \"ipc://" + sock + "\"})");
    }

    @Test
    void aSymlinkTheOtherUserPlantedIsNotFollowedNorRemoved() throws Exception {
        Path target = mine.resolve("precious");
        Files.writeString(target, "keep me");
        Path sock = shared.resolve("s.sock");
        run(asNobody("ln", "-s", target.toString(), sock.toString()));
        Result r = bind(sock);
        assertEquals(1, r.status(), r.err());
        assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("error:")).count(), r.err());
        assertTrue(r.err().contains(sock.toString()), r.err());
        assertEquals("keep me", Files.readString(target));
        assertTrue(Files.isSymbolicLink(sock), "their symlink is left where it was");
    }

    @Test
    void aFileOfTheirsAtThePathIsNeitherTakenNorRemovedAtExit() throws Exception {
        Path sock = shared.resolve("t.sock");
        run(asNobody("sh", "-c", "echo theirs > " + sock));
        Result r = bind(sock);
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains(sock.toString()), r.err());
        assertTrue(Files.isRegularFile(sock, LinkOption.NOFOLLOW_LINKS), "their file stays");
        assertEquals("theirs\n", Files.readString(sock));
    }

    @Test
    void theShellsOwnSocketFileIsRemovedAtExitButOnlyItsOwn() throws Exception {
        Path sock = shared.resolve("u.sock");
        Result r = bind(sock);
        assertEquals(0, r.status(), r.err());
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "the socket file made is removed at exit");
        assertEquals(List.of(), List.of(mine.toFile().list()));
    }
}
