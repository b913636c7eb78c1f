package ipcsh.lang;

import ipcsh.IpcException;
import ipcsh.loop.CallbackError;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * The one renderer for every error the user sees (Babashka's error handler): the message,
 * {@code file:line:col}, the source line, and with --debug the whole Java trace. What is a
 * language's own (its errors, their wrapping, their locations) each language says through a
 * {@link Language}.
 */
public final class ErrorReport {
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

    /** Where a callback was registered, from its registration trace; null when unknown. */
    Location registration(Throwable at) {
        Language l = languageOf(at);
        return l == null ? null : l.registration(at, sources);
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

    /** The user's message: the innermost meaningful cause, without a language's wrapping. */
    public static String message(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof SyntaxError) return c.getMessage();
        for (Language l : Languages.ALL) {
            String m = l.message(c);
            if (m != null) return m;
        }
        String m = c.getMessage();
        if (c instanceof IpcException) return m;
        if (c instanceof java.util.regex.PatternSyntaxException p) {
            // its own message spans lines (pattern, caret): one line says the same
            return "invalid regex \"" + p.getPattern() + "\": " + p.getDescription() + " at index " + p.getIndex();
        }
        String name = c.getClass().getSimpleName();
        if (m == null) return name;
        return (name.isEmpty() ? c.getClass().getName() : name) + ": " + m;
    }

    /** Peels the languages' wrappers (and {@link UncaughtError}) down to the real error. */
    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && (c instanceof UncaughtError || wrapped(c))) c = c.getCause();
        return c;
    }

    private static boolean wrapped(Throwable t) {
        for (Language l : Languages.ALL) if (l.wraps(t)) return true;
        return false;
    }

    /** Where in the user's source t happened: a syntax error's place, else what its language says. */
    public Location locate(Throwable t) {
        if (t instanceof SyntaxError se) return se.location();
        Language l = languageOf(t);
        return l == null ? null : l.locate(t, sources);
    }

    private static Language languageOf(Throwable t) {
        for (Language l : Languages.ALL) if (l.raised(t)) return l;
        return null;
    }

    private static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /**
     * One language's part of error reporting: which errors are its own, their message and
     * where they happened in the user's source. Each language binding provides one through
     * ServiceLoader (META-INF/services/ipcsh.lang.ErrorReport$Language), so this class names
     * none of them.
     */
    public interface Language {
        /**
         * Whether t, or an error inside it, is this language's: then this language alone says
         * where t happened. The host language raises every error no other one does.
         */
        boolean raised(Throwable t);

        /** Whether t is one of this language's wrappers around the real error (its cause). */
        boolean wraps(Throwable t);

        /** The user's message for t, already unwrapped; null when t itself is not this language's error. */
        String message(Throwable t);

        /** Where in the user's source t happened; null when unknown. Asked only when it raised t. */
        Location locate(Throwable t, Sources sources);

        /** Where a callback was registered, from its registration trace; asked only when it raised that. */
        Location registration(Throwable at, Sources sources);

        /** The host language (Clojure, whose frames are the JVM's) is asked last. */
        default boolean host() {
            return false;
        }
    }

    /** The languages, the host last; loaded at the first error. */
    private static final class Languages {
        static final List<Language> ALL = load();

        private static List<Language> load() {
            List<Language> all = new java.util.ArrayList<>();
            for (Language l : java.util.ServiceLoader.load(Language.class, ErrorReport.class.getClassLoader())) all.add(l);
            all.sort(java.util.Comparator.comparing(Language::host));
            return List.copyOf(all);
        }
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

        public boolean knows(String nameOrPath) {
            return pathByName.containsKey(nameOrPath);
        }

        public String pathOf(String nameOrPath) {
            return pathByName.getOrDefault(nameOrPath, nameOrPath);
        }

        /** The text of line (1-based) of a loaded source, or null. */
        public String line(String nameOrPath, int line) {
            List<String> l = lines.get(pathOf(nameOrPath));
            return l == null || line < 1 || line > l.size() ? null : l.get(line - 1);
        }

        /** The column of the first non-blank character of that line (1-based), 0 when unknown. */
        public int firstColumn(String nameOrPath, int line) {
            String s = line(nameOrPath, line);
            if (s == null) return 0;
            int i = 0;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            return i + 1;
        }
    }
}
