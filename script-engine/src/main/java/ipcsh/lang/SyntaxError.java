package ipcsh.lang;

/**
 * Source that does not read to its end: an unclosed form, a stray delimiter. Found before any
 * of a script runs, so it carries its place itself (the unclosed form's start, or the stray
 * character) for {@link ErrorReport} to quote.
 */
public final class SyntaxError extends RuntimeException {
    private final ErrorReport.Location location;

    public SyntaxError(String message, ErrorReport.Location location) {
        super(message, null, false, false);
        this.location = location;
    }

    public ErrorReport.Location location() {
        return location;
    }
}
