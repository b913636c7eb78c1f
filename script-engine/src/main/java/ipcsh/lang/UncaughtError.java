package ipcsh.lang;

/**
 * An error that no handler of the script's own caught and that belongs to no callback: a
 * JavaScript Promise rejected with nobody to handle it (an async function's throw after an
 * await, a module's top level after an await, a .then() that throws). It ends a script as a
 * top-level error does, wherever the event loop met it; the REPL prints it and goes on.
 */
public final class UncaughtError extends RuntimeException {
    public UncaughtError(Throwable cause) {
        super(cause.getMessage(), cause);
    }
}
