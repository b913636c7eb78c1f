package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Another user (uid 65534) in a world-writable sticky directory, as /tmp is, against the FIFOs
 * of an ipcsh run by this (root) user: what they put in the FIFO's place while ipcsh waits
 * gets no byte, and their FIFO is not taken for ipcsh's own.
 */
@Timeout(120)
class FifoOtherUserTest {
    private static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    private final Path shared, mine;

    FifoOtherUserTest() throws IOException {
        shared = Files.createTempDirectory("ipcsh-shared");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        run(List.of("chmod", "1777", shared.toString()));
        mine = Files.createTempDirectory("ipcsh-mine"); // 0700: only this user reaches it
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

    private static void asNobody(String shellCommand) {
        List<String> cmd = new ArrayList<>(NOBODY);
        cmd.addAll(List.of("sh", "-c", shellCommand));
        run(cmd);
    }

    /**
     * nobody makes a 0666 FIFO; ipcsh waits to write SECRET into it; meanwhile nobody renames
     * something else over it. Returns what ipcsh printed (the error's message).
     */
    private String swappedWhileTheWriterWaits(String swap) throws Exception {
        String fifo = shared.resolve("p").toString();
        asNobody("mkfifo -m 0666 " + fifo);
        Path script = mine.resolve("w.ipcs");
        Files.writeString(script, """
                (println "waiting") (flush)
                (try
                  (def w (fifo "%s" :write {:timeout 10000}))
                  (puts w "SECRET")
                  (close w)
                  (println "wrote SECRET")
                  (catch Exception e (println (ex-message e))))
                """.formatted(fifo));
        Process p = IpcshProcess.start(script.toString());
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("waiting", out.readLine());
        Thread.sleep(500); // ipcsh is in its wait for a reader now, re-trying the open every 10 ms
        asNobody(swap.replace("P", fifo));
        String said = out.readLine();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return said;
    }

    @Test
    void aSymlinkRenamedOverTheFifoWhileTheWriterWaitsGetsNothing() throws Exception {
        Path target = Files.createFile(mine.resolve("roots-file")); // root may write it; nobody may not
        String said = swappedWhileTheWriterWaits("ln -s " + target + " P.new && mv -T P.new P");
        assertTrue(said.contains("refused: it is a symbolic link now, not a FIFO"), said);
        assertTrue(said.contains("(ELOOP)"), said);
        assertEquals("", Files.readString(target), "nothing written through the symlink");
    }

    @Test
    void anotherUsersRegularFileRenamedOverTheFifoGetsNothing() throws Exception {
        String said = swappedWhileTheWriterWaits("echo theirs > P.new && mv -T P.new P");
        assertTrue(said.startsWith("fifo \"" + shared.resolve("p") + "\": refused: it is not a FIFO now but a regular file "
                + "owned by uid 65534; nothing was written or read"), said);
        assertEquals("theirs\n", Files.readString(shared.resolve("p")));
    }

    @Test
    void anotherFifoRenamedOverTheFifoIsNotTheOneNamed() throws Exception {
        // their reader is there at once, so an open that took the new FIFO would not wait
        String said = swappedWhileTheWriterWaits("mkfifo -m 0666 P.new && mv -T P.new P && "
                + "{ cat P > P.got 2>/dev/null </dev/null & echo $! > P.pid; } && sleep 1");
        try {
            assertTrue(said.contains("refused: another FIFO (owned by uid 65534) replaced the one that was there"), said);
            assertEquals("", Files.readString(shared.resolve("p.got")));
        } finally {
            // (the refused open's close gave cat end of stream: it has usually ended already)
            run(List.of("sh", "-c", "kill " + Files.readString(shared.resolve("p.pid")).trim() + " 2>/dev/null; true"));
        }
    }

    @Test
    void mkfifoRefusesAnotherUsersFifoAndSaysWhoseItIs() {
        String fifo = shared.resolve("theirs.fifo").toString();
        asNobody("mkfifo -m 0666 " + fifo);
        Result r = IpcshProcess.run("-e", "(mkfifo \"" + fifo + "\" {:mode 0600})");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("error: mkfifo \"" + fifo + "\": a FIFO owned by uid 65534 (nobody) with mode 0666 "
                + "is there already; refused: it is not this user's (uid 0), so its owner could read what is written "
                + "to it or write what is read from it; remove it or use another path\n"), r.err());
        // a symbolic link to a FIFO of this user's is not this user's FIFO either
        String own = mine.resolve("own.fifo").toString(), link = shared.resolve("link").toString();
        run(List.of("mkfifo", own));
        asNobody("ln -s " + own + " " + link);
        r = IpcshProcess.run("-e", "(mkfifo \"" + link + "\")");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("error: mkfifo \"" + link + "\": exists and is not a FIFO (it is a symbolic link)"), r.err());
    }

    @Test
    void mkfifoTakesThisUsersOwnFifoThatIsThereAlready() throws Exception {
        String fifo = shared.resolve("mine.fifo").toString();
        run(List.of("mkfifo", "-m", "0600", fifo));
        Object inode = Files.getAttribute(Path.of(fifo), "unix:ino", LinkOption.NOFOLLOW_LINKS);
        Result r = IpcshProcess.run("-e", "(mkfifo \"" + fifo + "\")");
        assertEquals(new Result(0, "\"" + fifo + "\"\n", ""), r);
        assertEquals(inode, Files.getAttribute(Path.of(fifo), "unix:ino", LinkOption.NOFOLLOW_LINKS));
    }
}
