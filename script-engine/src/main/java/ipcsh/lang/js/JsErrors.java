package ipcsh.lang.js;

import ipcsh.lang.ErrorReport;

/**
 * JavaScript's case of {@link ErrorReport}: whether an error came from JS, its message and its
 * location. Mentions no GraalVM type, so ErrorReport can ask without loading one; the work is
 * in {@link JsErrorsImpl}, loaded only when the error is a JS one.
 */
public final class JsErrors {
    private static final String POLYGLOT_EXCEPTION = "org.graalvm.polyglot.PolyglotException";

    private JsErrors() {}

    /** The JS error inside t (t itself or a cause), or null. */
    public static Throwable find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getClass().getName().equals(POLYGLOT_EXCEPTION)) return c;
        }
        return null;
    }

    /** Whether t itself is a JS error (not one wrapping a JS error). */
    public static boolean isJsError(Throwable t) {
        return t != null && t.getClass().getName().equals(POLYGLOT_EXCEPTION);
    }

    public static boolean isJs(Throwable t) {
        return find(t) != null;
    }

    /** The user's message: "TypeError: x is not a function"; a builtin's error as its own message. */
    public static String message(Throwable t) {
        return JsErrorsImpl.message(find(t));
    }

    /**
     * Where in the user's JS the error happened: a syntax error's position, else the innermost
     * frame of a user source. Records the source's text in sources so the line can be quoted.
     */
    public static ErrorReport.Location locate(Throwable t, ErrorReport.Sources sources) {
        return JsErrorsImpl.locate(find(t), sources);
    }
}
