package ipcsh.lang.js;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A creating builtin checks every argument and option before it makes anything: a call that fails
 * on an option leaves no queue, segment, semaphore, FIFO, file, socket or child behind. From
 * Clojure and from JS.
 */
@Timeout(120)
class CheckBeforeCreateTest {
    private static final String TAG = "ipcsh-cbc-" + ProcessHandle.current().pid();

    @TempDir
    Path dir;

    /** Runs code, which must fail with an error starting with message, and asserts that path does not exist. */
    private static void failsAndLeaves(String lang, String code, String message, Path absent) {
        Shell.Run r = Shell.eval(lang, code);
        assertEquals(1, r.status(), code + " → " + r.out() + r.err());
        assertTrue(r.err().contains(message), code + " → " + r.err());
        assertFalse(Files.exists(absent), code + " left " + absent + " behind");
    }

    @Test
    void mqChecksItsOptionsBeforeTheQueueIsMade() {
        String q = "/" + TAG + "-q";
        Path file = Path.of("/dev/mqueue", q.substring(1));
        failsAndLeaves("clj", "(mq \"" + q + "\" {:create true :bogus 1})", "mq: unknown option :bogus", file);
        failsAndLeaves("clj", "(mq \"" + q + "\" {:create true :timeout -1})", "mq: option :timeout must be 0 or more, not -1", file);
        failsAndLeaves("clj", "(mq \"" + q + "\" :read {:create true :buffering :sometimes})", "mq", file);
        // JS passes option names as the man page spells them; the camelCase one is unknown, and refused first too
        failsAndLeaves("js", "ipc.mq('" + q + "', {create: true, msgSize: -1})", "mq: unknown option :msgSize", file);
        failsAndLeaves("js", "ipc.mq('" + q + "', {create: true, 'msg-size': -1})", "mq: option :msg-size must be 1 or more, not -1", file);
        failsAndLeaves("js", "ipc.mq('" + q + "', {create: true, framing: 'telepathy'})", "framing", file);
        failsAndLeaves("js", "ipc.mq('" + q + "', {create: true, timeout: -1})", "mq: option :timeout must be 0 or more, not -1", file);
    }

    @Test
    void otherCreatingBuiltinsCheckFirstToo() throws Exception {
        String s = "/" + TAG + "-s";
        failsAndLeaves("clj", "(sem \"" + s + "\" {:create true :value -1})", "sem: option :value must be 0 or more", Path.of("/dev/shm/sem." + s.substring(1)));
        failsAndLeaves("js", "ipc.shm('" + s + "', {create: true, size: 4096, mode: 99999})", "shm: option :mode must be at most 4095",
                Path.of("/dev/shm", s.substring(1)));
        Path f = dir.resolve("made");
        failsAndLeaves("clj", "(mkfifo \"" + f + "\" {:mode -1})", "mkfifo: option :mode must be 0 or more", f);
        failsAndLeaves("clj", "(fifo \"" + f + "\" :rw {:timeout -1})", "fifo: option :timeout must be 0 or more", f);
        failsAndLeaves("js", "ipc.openFile('" + f + "', 'write', {buffering: 'sometimes'})", "open-file", f);
        failsAndLeaves("clj", "(listen :unix \"" + f + "\" (fn [c p]) {:backlog -1})", "listen: option :backlog must be 0 or more", f);
        failsAndLeaves("js", "ipc.unixDgram('" + f + "', {timeout: -1})", "unix-dgram: option :timeout must be 0 or more", f);
        failsAndLeaves("clj", "(spawn [\"touch\" \"" + f + "\"] {:timeout -1})", "spawn: option :timeout must be 0 or more", f);
        failsAndLeaves("clj", "(spawn [\"touch\" \"" + f + "\"] {:pty true :rows -1})", "spawn", f);
        failsAndLeaves("js", "ipc.exec(['touch', '" + f + "'], {timeout: -1})", "exec: option :timeout must be 0 or more", f);
        failsAndLeaves("clj", "(pipeline [\"touch\" \"" + f + "\"] {:env 5})", "pipeline: option :env must be a map", f);
        // a System V queue has no file: look for its key in the kernel's table
        long key = 0x5e000000L | (ProcessHandle.current().pid() & 0xffffff);
        Shell.Run r = Shell.eval("clj", "(sysv-mq " + key + " {:create true :encoding :klingon})");
        assertTrue(r.err().contains("sysv-mq: option :encoding must be :binary or :utf-8, not :klingon"), r.err());
        String table = Files.readString(Path.of("/proc/sysvipc/msg"));
        for (String line : table.split("\n")) {
            String[] c = line.trim().split("\\s+");
            assertFalse(c[0].equals(String.valueOf((int) key)), "sysv-mq made the queue: " + line);
        }
    }
}
