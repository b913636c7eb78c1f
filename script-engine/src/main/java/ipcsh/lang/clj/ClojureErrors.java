package ipcsh.lang.clj;

import clojure.lang.Compiler;
import clojure.lang.ExceptionInfo;
import clojure.lang.IExceptionInfo;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import ipcsh.IpcException;
import ipcsh.lang.ErrorReport;
import ipcsh.lang.ErrorReport.Location;
import ipcsh.lang.ErrorReport.Sources;

import java.util.Map;

/**
 * Clojure's case of {@link ErrorReport}, the host language's: its compiler's and reader's
 * wrappers, ex-info's data in the message, and locations from the compiler's form data and
 * the JVM frames of loaded sources (Clojure compiles a script to JVM classes).
 */
public final class ClojureErrors implements ErrorReport.Language {
    private static final Keyword LINE = Keyword.intern("clojure.error", "line");
    private static final Keyword COLUMN = Keyword.intern("clojure.error", "column");
    private static final Keyword SOURCE = Keyword.intern("clojure.error", "source");

    /** For ServiceLoader. */
    public ClojureErrors() {}

    @Override
    public boolean host() {
        return true;
    }

    @Override
    public boolean raised(Throwable t) {
        return true;
    }

    @Override
    public boolean wraps(Throwable c) {
        return c instanceof Compiler.CompilerException
                || c.getClass().getName().equals("clojure.lang.LispReader$ReaderException")
                || (c instanceof ExceptionInfo ei && ei.getCause() instanceof IpcException)
                || (c.getClass() == RuntimeException.class && c.getMessage() != null
                    && c.getMessage().equals(String.valueOf(c.getCause())));
    }

    @Override
    public String message(Throwable c) {
        String m = c.getMessage();
        if (c instanceof IExceptionInfo) { // CompilerException too
            if (c instanceof ExceptionInfo ei && !(ei.getCause() instanceof IpcException)) {
                IPersistentMap data = ei.getData();
                if (data != null && data.count() > 0) m = m + " " + clojure.lang.RT.printString(data);
            }
            return String.valueOf(m);
        }
        // Clojure reports compile and read errors as plain RuntimeExceptions: the message says it all
        if (m != null && (c.getClass() == RuntimeException.class || c.getClass().getName().startsWith("clojure.lang.LispReader"))) {
            return m;
        }
        return null;
    }

    /**
     * The user's own frame nearest to the error in a known source file, else the compiler's
     * location of the top-level form.
     */
    @Override
    public Location locate(Throwable t, Sources sources) {
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
        Throwable root = ErrorReport.unwrap(t);
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

    /**
     * The user's frame of the registration trace, at the column of the registering call
     * ("(after" on that line) when it is there. With no frame of the user's, the top-level form
     * being loaded (the trace's cause), whose lines are searched.
     */
    @Override
    public Location registration(Throwable at, Sources sources) {
        Location loc = locate(at, sources);
        int lines = 1;
        if (loc == null && at.getCause() != null) {
            loc = locate(at.getCause(), sources);
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
}
