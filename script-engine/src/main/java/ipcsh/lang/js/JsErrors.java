package ipcsh.lang.js;

import ipcsh.lang.ErrorReport;

/**
 * JavaScript's case of {@link ErrorReport}: whether an error came from JS, its message and its
 * location. Mentions no GraalVM type, so ErrorReport can ask without loading one; the work is
 * in {@link JsErrorsImpl}, reached through the engine (whose loader knows the GraalVM types).
 */
public final class JsErrors implements ErrorReport.Language {
    private static final String POLYGLOT_EXCEPTION = "org.graalvm.polyglot.PolyglotException";

    /** For ServiceLoader. */
    public JsErrors() {}

    /** The JS error inside t (t itself or a cause), or null. */
    private static Throwable find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getClass().getName().equals(POLYGLOT_EXCEPTION)) return c;
        }
        return null;
    }

    @Override
    public boolean raised(Throwable t) {
        return find(t) != null;
    }

    @Override
    public boolean wraps(Throwable t) {
        return false;
    }

    /** "TypeError: x is not a function"; a builtin's error as its own message. */
    @Override
    public String message(Throwable t) {
        return t != null && t.getClass().getName().equals(POLYGLOT_EXCEPTION) ? Js.errorMessage(t) : null;
    }

    /**
     * Where in the user's JS the error happened: a syntax error's position, else the innermost
     * frame of a user source. Records the source's text in sources so the line can be quoted.
     */
    @Override
    public ErrorReport.Location locate(Throwable t, ErrorReport.Sources sources) {
        Throwable e = find(t);
        return e == null ? null : Js.errorLocation(e, sources);
    }

    /** The registration trace's cause is the JS stack where the callback was registered. */
    @Override
    public ErrorReport.Location registration(Throwable at, ErrorReport.Sources sources) {
        return locate(at, sources);
    }
}
