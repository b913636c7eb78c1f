package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel's limit of inotify watches, met for real: the shell runs in a user namespace of its
 * own (unshare -Ur) whose user.max_inotify_watches is 4, so the machine's limit is not touched.
 */
class WatchLimitTest {
    @TempDir
    Path dir;

    private Result inNamespaceWithFourWatches(String code) {
        List<String> prefix = List.of("unshare", "-Ur", "sh", "-c",
                "echo 4 > /proc/sys/user/max_inotify_watches && exec \"$0\" \"$@\"");
        return IpcshProcess.runWith(prefix, null, "-e", code);
    }

    @Test
    void aRecursiveWatchPastTheLimitFailsNamingIt() throws Exception {
        for (String d : List.of("a/1", "a/2", "b/1", "b/2")) Files.createDirectories(dir.resolve(d));
        Result r = inNamespaceWithFourWatches("(try (watch \"" + dir + "\" {:recursive true}) (catch Exception e (println (ex-message e))))");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().matches("(?s)watch \"" + dir + "/[ab]/?[12]?\": No space left on device \\(ENOSPC\\): the kernel's limit of inotify"
                + " watches per user is reached \\(fs.inotify.max_user_watches = \\d+, user.max_inotify_watches = 4 in this user"
                + " namespace; raise it with sysctl\\)\n"), r.out());
    }

    @Test
    void aDirectoryMadeLaterPastTheLimitIsAnErrorEventAndTheWatchGoesOn() throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Result r = inNamespaceWithFourWatches("""
                (let [w (watch "%1$s" {:recursive true :events [:create]})]
                  (exec "sh" "-c" "mkdir %1$s/b %1$s/c %1$s/d && touch %1$s/f")
                  (loop [seen []]
                    (let [e (recv w {:timeout 10000})]
                      (if (= "f" (:name e))
                        (doseq [s (conj seen e)] (println (name (:event s)) (subs (:path s) %2$d) (boolean (:error s))))
                        (recur (conj seen e))))))""".formatted(dir, dir.toString().length()));
        assertEquals(0, r.status(), r.err());
        // four watches: the top, a, b, c; d is made past the limit
        assertEquals("create /b false\ncreate /c false\ncreate /d false\nerror /d true\ncreate /f false\n", r.out());
    }
}
