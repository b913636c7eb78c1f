package ipcsh;

/**
 * {@code (exit n)}: unwinds to the shell, which exits with the status. An Error, so that a
 * script's {@code (catch Exception e)} does not swallow it.
 */
public final class ExitRequest extends Error {
    private final int status;

    public ExitRequest(int status) {
        super("exit " + status, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The (exit n) inside t or its causes, or null: Clojure and GraalJS wrap what a form throws, and (exit n) deep inside must still exit. */
    public static ExitRequest in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof ExitRequest e) return e;
        return null;
    }
}
