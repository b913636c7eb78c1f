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
}
