package ipcsh.lang.clj;

import clojure.lang.LineNumberingPushbackReader;
import clojure.lang.LispReader;
import clojure.lang.RT;
import clojure.lang.Var;
import ipcsh.lang.ErrorReport;
import ipcsh.lang.SyntaxError;

import java.io.StringReader;

/**
 * Reads Clojure source without evaluating it, to find where it stops being readable before
 * any of it runs. Reading cannot know what evaluation would set up (aliases for {@code ::a/kw},
 * data readers, {@code #=}), so errors of that kind are left for the real load to report.
 */
public final class SyntaxCheck {
    /**
     * A place where reading fails.
     *
     * @param error    the error to report, located at the unclosed form's start or the bad character
     * @param unclosed whether the source ends inside a form (nothing of it should run)
     * @param readable how many characters from the start hold complete forms
     */
    public record Problem(SyntaxError error, boolean unclosed, int readable) {}

    private SyntaxCheck() {}

    /** The first problem in text (read as the file named path), or null when all of it reads. */
    public static Problem check(String text, String path) {
        int[] lineStarts = lineStarts(text);
        LineNumberingPushbackReader r = new LineNumberingPushbackReader(new StringReader(text));
        Object eof = new Object();
        int goodLine = 1, goodCol = 1;
        Var.pushThreadBindings(RT.map(RT.READEVAL, Boolean.FALSE));
        try {
            while (true) {
                goodLine = r.getLineNumber();
                goodCol = r.getColumnNumber();
                if (LispReader.read(r, false, eof, false) == eof) return null;
            }
        } catch (RuntimeException e) {
            Throwable c = e;
            while (c.getCause() != null) c = c.getCause();
            String m = String.valueOf(c.getMessage());
            if (m.contains("*read-eval*") || m.contains("EvalReader") || m.contains("No reader function")
                    || m.contains("::") || m.startsWith("No namespace") || m.contains("Invalid token: :")) {
                return null;
            }
            int good = offset(lineStarts, text, goodLine, goodCol);
            if (m.startsWith("EOF while reading")) {
                int start = significant(text, good);
                int line = lineOf(lineStarts, start);
                ErrorReport.Location at = new ErrorReport.Location(path, line, start - lineStarts[line - 1] + 1);
                String what = m.startsWith("EOF while reading string") ? "a string" : m.startsWith("EOF while reading character") ? "a character" : "a form";
                return new Problem(new SyntaxError("end of file inside " + what + ": this form is never closed", at), true, good);
            }
            ErrorReport.Location at = null;
            if (e instanceof LispReader.ReaderException re && re.line > 0) {
                at = new ErrorReport.Location(path, re.line, Math.max(1, re.column - 1));
            }
            return new Problem(new SyntaxError(m, at), false, good);
        } finally {
            Var.popThreadBindings();
        }
    }

    private static int[] lineStarts(String text) {
        java.util.List<Integer> starts = new java.util.ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) == '\n') starts.add(i + 1);
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int offset(int[] lineStarts, String text, int line, int col) {
        if (line < 1) return 0;
        if (line > lineStarts.length) return text.length();
        return Math.min(text.length(), lineStarts[line - 1] + Math.max(0, col - 1));
    }

    private static int lineOf(int[] lineStarts, int offset) {
        int line = 1;
        while (line < lineStarts.length && lineStarts[line] <= offset) line++;
        return line;
    }

    /** The first character from i that is not blank, a comma or in a comment. */
    private static int significant(String text, int i) {
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == ';') {
                int nl = text.indexOf('\n', i);
                i = nl < 0 ? text.length() : nl + 1;
            } else if (Character.isWhitespace(c) || c == ',') {
                i++;
            } else {
                break;
            }
        }
        return Math.min(i, Math.max(0, text.length() - 1));
    }
}
