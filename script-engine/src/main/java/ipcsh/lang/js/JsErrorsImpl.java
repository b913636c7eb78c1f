package ipcsh.lang.js;

import ipcsh.lang.ErrorReport;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;

/** {@link JsErrors}' work, on PolyglotException. */
final class JsErrorsImpl {
    private JsErrorsImpl() {}

    static String message(Throwable t) {
        PolyglotException e = (PolyglotException) t;
        if (e.isHostException()) return ErrorReport.message(e.asHostException());
        if (e.isInterrupted()) return "interrupted";
        String m = String.valueOf(e.getMessage());
        if (e.isSyntaxError()) {
            // "SyntaxError: f.js:1:8 Expected an operand but found ;\n<line>\n<caret>": keep the words only
            int nl = m.indexOf('\n');
            if (nl >= 0) m = m.substring(0, nl);
            m = m.replaceFirst("^(SyntaxError: )\\S+:\\d+:\\d+ ", "$1");
            return m;
        }
        Value g = guestObject(e);
        if (g != null && g.hasMember("name") && "IpcError".equals(String.valueOf(g.getMember("name")))
                && g.hasMember("message")) {
            return g.getMember("message").asString();
        }
        return m;
    }

    private static Value guestObject(PolyglotException e) {
        try {
            Value g = e.getGuestObject();
            return g == null || g.isNull() ? null : g;
        } catch (RuntimeException ex) {
            return null; // the context is gone
        }
    }

    static ErrorReport.Location locate(Throwable t, ErrorReport.Sources sources) {
        PolyglotException e = (PolyglotException) t;
        if (e.isSyntaxError() || e.isIncompleteSource()) {
            ErrorReport.Location loc = location(e.getSourceLocation(), sources);
            if (loc != null) return loc;
        }
        for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
            if (!f.isGuestFrame()) continue;
            ErrorReport.Location loc = location(f.getSourceLocation(), sources);
            if (loc != null) return loc;
        }
        return null;
    }

    private static ErrorReport.Location location(SourceSection s, ErrorReport.Sources sources) {
        if (s == null || !s.isAvailable()) return null;
        Source src = s.getSource();
        if (src.isInternal() || src.getName().equals(Bootstrap.NAME)) return null;
        String path = src.getPath() != null ? display(src.getPath()) : src.getName();
        TopLevelAwait.Wrapped wrapped = src.hasCharacters() ? TopLevelAwait.unwrap(src.getCharacters().toString()) : null;
        if (wrapped != null) {
            // an entry with top-level await ran wrapped: point into what the user typed
            sources.add(path, wrapped.original());
            int[] at = wrapped.originalPlace(s.getStartLine(), s.getStartColumn());
            return new ErrorReport.Location(path, at[0], at[1]);
        }
        if (src.hasCharacters()) sources.add(path, src.getCharacters().toString());
        return new ErrorReport.Location(path, s.getStartLine(), s.getStartColumn());
    }

    private static String display(String path) {
        return Js.started() ? Js.displayPath(path) : path;
    }
}
