package ipcsh.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Work a script's first use of some builtins would otherwise do in its timed path, done on a
 * thread of its own while the language runtime loads and the script is compiled, on the other
 * core, when the script file names those builtins. The first spawn of a script links some
 * fifteen native calls (a dozen call shapes, each milliseconds of class generation in the JDK:
 * 50-100 ms in all on a quiet machine, more than reading a child's 100 MB of output takes):
 * {@link #SPAWN}. Other scripts, {@code -e} and the REPL do not pay the ~0.2 s of CPU it takes;
 * a builtin called by a name the scan does not see (a loaded file, a computed call) does that
 * work on its first call, as before. Each thread ends when it is done.
 */
public final class LinkAhead {
    /** What to do ahead for a script whose text matches names, on a thread called thread. */
    public record Ahead(Pattern names, String thread, Runnable work) {}

    /** spawn, exec, pipeline, tap-exec (ipc.spawn, ipc.exec, ipc.pipeline, ipc.tapExec in JavaScript). */
    public static final Ahead SPAWN = new Ahead(Pattern.compile("spawn|exec|Exec|pipeline"), "ipcsh-link-ahead",
            () -> LibC.get().linkAhead());
    /** Larger scripts are not scanned: reading them twice would cost more than it saves. */
    private static final long MAX_SCAN = 1 << 20;

    private LinkAhead() {}

    /** Starts each of aheads whose names {@code script}, a regular file (a FIFO's text would be used up), names. */
    public static void forScript(String file, Ahead... aheads) {
        String text;
        try {
            Path script = Path.of(file);
            if (!Files.isRegularFile(script) || Files.size(script) > MAX_SCAN) return;
            text = Files.readString(script);
        } catch (IOException | RuntimeException e) {
            return; // running the script reports what is wrong with it
        }
        for (Ahead a : aheads) {
            if (!a.names().matcher(text).find()) continue;
            Thread t = new Thread(() -> run(a.work()), a.thread());
            t.setDaemon(true);
            t.start();
        }
    }

    private static void run(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException | LinkageError e) {
            // nothing to report here: the call that needs the work fails the same way on its own thread
        }
    }
}
