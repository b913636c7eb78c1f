package ipcsh.lang;

import clojure.lang.Compiler;
import clojure.lang.ExceptionInfo;
import clojure.lang.IExceptionInfo;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import ipcsh.IpcException;
import ipcsh.loop.CallbackError;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * The one renderer for every error the user sees (Babashka's error handler): the message,
 * {@code file:line:col}, the source line, and with --debug the whole Java trace.
 */
public final class ErrorReport {
    private static final Keyword LINE = Keyword.intern("clojure.error", "line");
    private static final Keyword COLUMN = Keyword.intern("clojure.error", "column");
    private static final Keyword SOURCE = Keyword.intern("clojure.error", "source");

    private final Sources sources;
    private final boolean debug;

    public ErrorReport(Sources sources, boolean debug) {
        this.sources = sources;
        this.debug = debug;
    }

    /** Where an error happened. */
    public record Location(String file, int line, int column) {
        @Override
        public String toString() {
            return file + ":" + line + (column > 0 ? ":" + column : "");
        }
    }

    /**
     * The full block for a script: message, location, source line. A callback's error shows
     * where it was thrown and where the callback was registered.
     */
    public String render(Throwable t) {
        StringBuilder sb = new StringBuilder();
        CallbackError ce = callbackError(t);
        Throwable subject = subject(t, ce);
        ipcsh.Palette p = ipcsh.Console.errorPalette();
        sb.append(p.error("error:")).append(' ').append(ce != null ? ce.description() + " failed: " : "").append(message(subject)).append('\n');
        quote(sb, "at", locate(subject));
        if (ce != null && ce.registeredAt() != null) quote(sb, "registered at", registration(ce.registeredAt()));
        if (debug) sb.append(trace(t));
        return sb.toString();
    }

    private void quote(StringBuilder sb, String label, Location loc) {
        if (loc == null) return;
        ipcsh.Palette p = ipcsh.Console.errorPalette();
        sb.append(p.dim("  " + label + " " + loc)).append('\n');
        String line = sources.line(loc.file(), loc.line());
        if (line != null) {
            String num = String.valueOf(loc.line());
            sb.append("  ").append(num).append(" | ").append(line).append('\n');
            if (loc.column() > 0) {
                sb.append("  ").append(" ".repeat(num.length())).append(" | ")
                        .append(" ".repeat(Math.max(0, loc.column() - 1))).append(p.error("^")).append('\n');
            }
        }
    }

    /** The callback error t is, or null: an {@link UncaughtError} inside one is the script's own. */
    private static CallbackError callbackError(Throwable t) {
        CallbackError found = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UncaughtError) return null;
            if (found == null && c instanceof CallbackError ce) found = ce;
        }
        return found;
    }

    /** What an error is about: a callback's own error, a JavaScript rejection, or t itself. */
    private static Throwable subject(Throwable t, CallbackError ce) {
        if (ce != null && ce.getCause() != null) return ce.getCause();
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof UncaughtError) return c;
        return t;
    }

    /**
     * Where a callback was registered: the user's frame of the registration trace; in Clojure
     * the column of the registering call ("(after" on that line) when it is there.
     */
    Location registration(Throwable at) {
        Location loc = locate(at);
        if (loc != null && ipcsh.lang.js.JsErrors.isJs(at)) return loc;
        // no frame of the user's: the top-level form being loaded, whose lines are searched
        int lines = 1;
        if (loc == null && at.getCause() != null) {
            loc = locate(at.getCause());
            lines = 50;
        }
        if (loc == null) return null;
        String call = "(" + String.valueOf(at.getMessage()).split(" ", 2)[0];
        int first = loc.line();
        if (lines > 1) { // the reader's position before the form: comments and blank lines may come first
            for (String l; (l = sources.line(loc.file(), first)) != null && (l.isBlank() || l.strip().startsWith(";")); ) first++;
        }
        for (int n = first; n < first + lines; n++) {
            String line = sources.line(loc.file(), n);
            if (line == null || (n > first && line.startsWith("("))) break; // the next top-level form
            int i = line.indexOf(call);
            if (i >= 0) return new Location(loc.file(), n, i + 1);
        }
        return first == loc.line() ? loc : new Location(loc.file(), first, 1);
    }

    /** One line, for the REPL: the message and, when known, where. */
    public String oneLine(Throwable t) {
        CallbackError ce = callbackError(t);
        Throwable subject = subject(t, ce);
        Location loc = locate(subject);
        String m = (ce != null ? ce.description() + " failed: " : "") + message(subject);
        return "error: " + m + (loc != null && !loc.file().startsWith("repl") ? " (" + loc + ")" : "")
                + (debug ? "\n" + trace(t) : "");
    }

    /** The user's message: the innermost meaningful cause, without Clojure's wrapping. */
    public static String message(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof SyntaxError) return c.getMessage();
        if (ipcsh.lang.js.JsErrors.isJsError(c)) return ipcsh.lang.js.JsErrors.message(c);
        String m = c.getMessage();
        if (c instanceof IpcException || c instanceof IExceptionInfo) {
            if (c instanceof ExceptionInfo ei && !(ei.getCause() instanceof IpcException)) {
                IPersistentMap data = ei.getData();
                if (data != null && data.count() > 0) m = m + " " + clojure.lang.RT.printString(data);
            }
            return m;
        }
        if (c instanceof Compiler.CompilerException) return m;
        if (c instanceof java.util.regex.PatternSyntaxException p) {
            // its own message spans lines (pattern, caret): one line says the same
            return "invalid regex \"" + p.getPattern() + "\": " + p.getDescription() + " at index " + p.getIndex();
        }
        String name = c.getClass().getSimpleName();
        if (m == null) return name;
        // Clojure reports compile and read errors as plain RuntimeExceptions: the message says it all
        if (c.getClass() == RuntimeException.class || c.getClass().getName().startsWith("clojure.lang.LispReader")) return m;
        return (name.isEmpty() ? c.getClass().getName() : name) + ": " + m;
    }

    /** Peels CompilerException and Clojure's reader wrappers down to the real error. */
    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && (c instanceof Compiler.CompilerException || c instanceof UncaughtError
                || c.getClass().getName().equals("clojure.lang.LispReader$ReaderException")
                || (c instanceof ExceptionInfo ei && ei.getCause() instanceof IpcException)
                || (c.getClass() == RuntimeException.class && c.getMessage() != null
                    && c.getMessage().equals(String.valueOf(c.getCause()))))) {
            c = c.getCause();
        }
        return c;
    }

    /**
     * The user's own frame nearest to the error in a known source file, else the compiler's
     * location of the top-level form.
     */
    public Location locate(Throwable t) {
        if (t instanceof SyntaxError se) return se.location();
        if (ipcsh.lang.js.JsErrors.isJs(t)) return ipcsh.lang.js.JsErrors.locate(t, sources);
        Location fromCompiler = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof Compiler.CompilerException ce && ce.getData() != null) {
                Map<?, ?> d = (Map<?, ?>) ce.getData();
                Object line = d.get(LINE), col = d.get(COLUMN), src = d.get(SOURCE);
                if (line instanceof Number n && src != null) {
                    fromCompiler = new Location(String.valueOf(src), n.intValue(), col instanceof Number k ? k.intValue() : 0);
                }
            }
        }
        Throwable root = unwrap(t);
        for (StackTraceElement e : root.getStackTrace()) {
            String f = e.getFileName();
            if (f != null && e.getLineNumber() > 0 && sources.knows(f)) {
                if (fromCompiler != null && fromCompiler.line() == e.getLineNumber()) return fromCompiler;
                return new Location(sources.pathOf(f), e.getLineNumber(), sources.firstColumn(f, e.getLineNumber()));
            }
        }
        if (fromCompiler != null) {
            String f = fromCompiler.file();
            if (sources.knows(f)) return new Location(sources.pathOf(f), fromCompiler.line(), fromCompiler.column());
            return fromCompiler;
        }
        return null;
    }

    private static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /** Source texts the shell has loaded, so errors can quote the offending line. */
    public static final class Sources {
        private final Map<String, String> pathByName = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, List<String>> lines = new java.util.concurrent.ConcurrentHashMap<>();

        public void add(String path, String text) {
            String name = java.nio.file.Path.of(path).getFileName().toString();
            pathByName.put(name, path);
            pathByName.put(path, path);
            lines.put(path, text.lines().toList());
        }

        boolean knows(String nameOrPath) {
            return pathByName.containsKey(nameOrPath);
        }

        String pathOf(String nameOrPath) {
            return pathByName.getOrDefault(nameOrPath, nameOrPath);
        }

        String line(String nameOrPath, int line) {
            List<String> l = lines.get(pathOf(nameOrPath));
            return l == null || line < 1 || line > l.size() ? null : l.get(line - 1);
        }

        int firstColumn(String nameOrPath, int line) {
            String s = line(nameOrPath, line);
            if (s == null) return 0;
            int i = 0;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            return i + 1;
        }
    }
}
