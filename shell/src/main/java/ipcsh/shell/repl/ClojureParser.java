package ipcsh.shell.repl;

import clojure.lang.RT;
import clojure.lang.Var;
import ipcsh.lang.clj.ClojureRuntime;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Splits a line into Clojure tokens for completion, and asks for more lines while the
 * forms are unbalanced (Enter on "(gets r" continues the entry); in JavaScript mode by
 * JavaScript's rules ({@link JsInput}).
 */
final class ClojureParser implements Parser {
    private static final String DELIMS = "()[]{}'`~@^,;";
    private static final String JS_DELIMS = "=+-*/%!<>&|?:";
    private final BooleanSupplier js;

    ClojureParser() {
        this(() -> false);
    }

    /** js: whether entries are JavaScript now. */
    ClojureParser(BooleanSupplier js) {
        this.js = js;
    }

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        if (context == ParseContext.ACCEPT_LINE && !line.isBlank() && !complete(line)) {
            throw new EOFError(-1, -1, "unbalanced form", "form");
        }
        List<String> words = new ArrayList<>();
        int wordIndex = -1, wordCursor = 0, start = -1;
        boolean js = this.js.getAsBoolean(), quoted = false;
        for (int i = 0; i <= line.length(); i++) {
            char c = i < line.length() ? line.charAt(i) : ' ';
            boolean quote = c == '"' || js && (c == '\'' || c == '`');
            // in JavaScript an operator ends a name too (a=ipc.co completes ipc.co), but not a path in a string
            boolean sep = Character.isWhitespace(c) || DELIMS.indexOf(c) >= 0 || (quote && start < 0)
                    || js && !quoted && JS_DELIMS.indexOf(c) >= 0;
            if (quote && start < 0) {
                // a string starts a word of its own: completes paths
                if (i + 1 <= line.length() && cursor > i) {
                    start = i + 1;
                    quoted = true;
                    continue;
                }
            }
            if (sep || quote) {
                if (start >= 0) {
                    if (cursor >= start && cursor <= i) {
                        wordIndex = words.size();
                        wordCursor = cursor - start;
                    }
                    words.add(line.substring(start, i));
                    start = -1;
                    quoted = false;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        if (wordIndex < 0) {
            wordIndex = words.size();
            words.add("");
            wordCursor = 0;
        }
        return new Line(line, cursor, words, wordIndex, wordCursor);
    }

    /** Whether Enter ends the entry. */
    boolean complete(String line) {
        String word = line.trim();
        if (word.equals(":js") || word.equals(":clj")) return true;
        if (js.getAsBoolean()) return JsInput.complete(line);
        // reading must not evaluate: #=(...) would run here, on the line-reader thread, and again
        // when the entry is evaluated; with *read-eval* off it is just complete
        Var.pushThreadBindings(RT.map(RT.READEVAL, Boolean.FALSE));
        try {
            return ClojureRuntime.complete(line);
        } finally {
            Var.popThreadBindings();
        }
    }

    private record Line(String line, int cursor, List<String> words, int wordIndex, int wordCursor)
            implements CompletingParsedLine {
        @Override public String word() { return words.get(wordIndex); }
        @Override public CharSequence escape(CharSequence candidate, boolean complete) { return candidate; }
        @Override public int rawWordCursor() { return wordCursor; }
        @Override public int rawWordLength() { return word().length(); }
    }
}
