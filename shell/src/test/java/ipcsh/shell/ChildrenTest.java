package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nothing the shell spawned outlives it, however it ends, unless spawned with {:detach true}. */
@Timeout(120)
class ChildrenTest {
    /** A script that prints its child's pid, then ends as tail says. */
    private static String spawnThen(String tail) {
        return "(let [p (spawn \"sleep\" \"60\")] (println (pid p)) (flush)) " + tail;
    }

    /** Whether pid is a live process (a zombie is not: it has ended and waits to be reaped). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    private static void assertGone(long pid, String how) throws InterruptedException {
        // the shell has exited: the child had its SIGTERM already; allow the scheduler a moment
        for (int i = 0; i < 50 && alive(pid); i++) Thread.sleep(20);
        assertFalse(alive(pid), "the child " + pid + " outlived the shell after " + how);
    }

    private static long childPid(Result r) {
        return Long.parseLong(r.out().lines().findFirst().orElseThrow(() -> new AssertionError(r.err())).trim());
    }

    @Test
    void childIsEndedWhenTheScriptEndsNormally() throws InterruptedException {
        Result r = IpcshProcess.run("-e", spawnThen(":done"));
        assertEquals(0, r.status(), r.err());
        assertGone(childPid(r), "a normal end");
    }

    @Test
    void childIsEndedWhenTheScriptFails() throws InterruptedException {
        Result r = IpcshProcess.run("-e", spawnThen("(/ 1 0)"));
        assertEquals(1, r.status());
        assertGone(childPid(r), "an error");
    }

    @Test
    void childIsEndedByExit() throws InterruptedException {
        Result r = IpcshProcess.run("-e", spawnThen("(exit 3)"));
        assertEquals(3, r.status());
        assertGone(childPid(r), "(exit 3)");
    }

    @Test
    void theChildsOwnChildrenAreEndedToo() throws InterruptedException {
        Result r = IpcshProcess.run("-e", "(let [p (spawn \"sh\" \"-c\" \"sleep 60 & echo $!; wait\")] (println (gets p)) (flush))");
        assertEquals(0, r.status(), r.err());
        assertGone(childPid(r), "a normal end (a grandchild)");
    }

    @Test
    void childIgnoringSigtermIsKilledAfterTheGrace() throws InterruptedException {
        Result r = IpcshProcess.run("-e", "(println (pid (spawn \"sh\" \"-c\" \"trap '' TERM; exec sleep 60\"))) (flush) (sleep 300)");
        assertEquals(0, r.status(), r.err());
        assertGone(childPid(r), "a child that ignores SIGTERM");
    }

    @Test
    void childrenAreEndedWhenTheShellGetsSigterm() throws Exception {
        endBySignal("TERM", 143);
    }

    @Test
    void childrenAreEndedWhenTheShellGetsSigint() throws Exception {
        endBySignal("INT", 130);
    }

    @Test
    void childrenAreEndedWhenTheShellGetsSighup() throws Exception {
        endBySignal("HUP", 129);
    }

    private static void endBySignal(String signal, int status) throws Exception {
        // a test run in a background job inherits SIGINT ignored: give the shell default dispositions
        List<String> prefix = List.of("python3", "-c",
                "import os,signal,sys; [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)];"
                        + " os.execvp(sys.argv[1], sys.argv[1:])");
        Process p = new ProcessBuilder(IpcshProcess.command(prefix, "-e", spawnThen("(sleep 60000)")))
                .directory(IpcshProcess.repo().toFile()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            long child = Long.parseLong(out.readLine().trim());
            assertTrue(alive(child));
            new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the shell did not end on SIG" + signal);
            assertEquals(status, p.exitValue());
            assertGone(child, "SIG" + signal);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void detachedChildOutlivesTheShellInASessionOfItsOwn() throws Exception {
        Result r = IpcshProcess.run("-e",
                "(println (pid (spawn [\"sleep\" \"60\"] {:detach true :stdin :null :stdout :null})))");
        assertEquals(0, r.status(), r.err());
        long child = childPid(r);
        try {
            Thread.sleep(700); // longer than the grace
            assertTrue(alive(child), "a detached child must outlive the shell");
            String stat = Files.readString(Path.of("/proc/" + child + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals(String.valueOf(child), f[3], "its own session (setsid)");
        } finally {
            new ProcessBuilder("kill", String.valueOf(child)).start().waitFor();
        }
    }

    @Test
    void reapedChildIsNotSignalledAtExit() {
        Result r = IpcshProcess.run("-e", "(close (spawn \"true\")) (println :ok)");
        assertEquals(0, r.status(), r.err());
        assertEquals(":ok\n", r.out());
    }
}
