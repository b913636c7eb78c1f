package ipcsh.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The first spawn of a script links some fifteen native calls (a dozen call shapes, each
 * milliseconds of class generation in the JDK: 50-100 ms in all on a quiet machine, more than
 * reading a child's 100 MB of output takes). A script file that names a builtin starting a
 * process has them linked on a thread of its own while the language runtime loads and the
 * script is compiled, on the other core. Other scripts, {@code -e} and the REPL do not pay the
 * ~0.2 s of CPU it takes; a process started from a name the scan does not see (a loaded file,
 * a computed call) links on its first call, as before. The thread ends when it is done.
 */
public final class LinkAhead {
    /** spawn, exec, pipeline, tap-exec (ipc.spawn, ipc.exec, ipc.pipeline, ipc.tapExec in JavaScript). */
    private static final Pattern STARTS_PROCESSES = Pattern.compile("spawn|exec|Exec|pipeline");
    /** Larger scripts are not scanned: reading them twice would cost more than it saves. */
    private static final long MAX_SCAN = 1 << 20;

    private LinkAhead() {}

    /** Starts linking when {@code script}, a regular file (a FIFO's text would be used up), names a process builtin. */
    public static void forScript(String file) {
        try {
            Path script = Path.of(file);
            if (!Files.isRegularFile(script) || Files.size(script) > MAX_SCAN) return;
            if (!STARTS_PROCESSES.matcher(Files.readString(script)).find()) return;
        } catch (IOException | RuntimeException e) {
            return; // running the script reports what is wrong with it
        }
        Thread t = new Thread(LinkAhead::link, "ipcsh-link-ahead");
        t.setDaemon(true);
        t.start();
    }

    private static void link() {
        try {
            LibC.get().linkAhead();
        } catch (RuntimeException | LinkageError e) {
            // nothing to report here: the call that needs the link fails the same way on its own thread
        }
    }
}
