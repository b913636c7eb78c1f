package ipcsh.lang.js;

import ipcsh.ExitRequest;
import ipcsh.lang.UncaughtError;
import org.graalvm.polyglot.PolyglotException;

import java.util.function.Supplier;

/**
 * Running JS from the host: what comes out of the engine as the shell's own exceptions. (exit n)
 * inside comes out as {@link ExitRequest}, JS errors as PolyglotException (ErrorReport renders
 * them through {@link JsErrors}).
 */
final class JsRun {
    private JsRun() {}

    static <T> T unwrapping(Supplier<T> body) {
        try {
            return body.get();
        } catch (PolyglotException e) {
            if (e.isExit()) throw new ExitRequest(e.getExitStatus());
            // console.log to a closed stdout: the engine reports the exit as its own internal error
            if (ipcsh.lang.Stdout.failed() != 0) throw new ExitRequest(ipcsh.lang.Stdout.failed());
            if (e.isHostException() && e.asHostException() instanceof ExitRequest exit) throw exit;
            throw e;
        }
    }

    /**
     * A host call into JS that cannot throw by itself (settling a Promise): what comes out is
     * an unhandled rejection raised by the jobs run after it.
     */
    static void runJobs(Supplier<Object> call) {
        try {
            unwrapping(call);
        } catch (PolyglotException e) {
            if (e.isInterrupted()) throw e;
            throw new UncaughtError(e);
        }
    }
}
