package ipcsh.lang.js;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Top-level await for a REPL entry or -e, as Node's REPL does it: the entry becomes the body of
 * an async arrow function whose Promise the engine settles, the value of its last expression
 * statement is returned, and its top-level declarations become assignments to globals, so
 * {@code const s = await ch.gets()} leaves {@code s} for the next entry. Statements are found
 * at bracket depth 0, ended by ';' or a line end; strings, comments, templates and regular
 * expressions are skipped. Lines keep their numbers, so error locations stay right.
 */
final class TopLevelAwait {
    private static final Pattern DECLARATION = Pattern.compile("^(const|let|var)\\s+(?=[\\[{A-Za-z_$])");
    private static final Pattern FUNCTION = Pattern.compile("^(async\\s+)?(function\\*?|class)\\s+([A-Za-z_$][\\w$]*)");
    private static final Set<String> STATEMENTS = Set.of("if", "for", "while", "do", "switch", "try", "throw", "return",
            "break", "continue", "const", "let", "var", "function", "class", "import", "export");

    /** Wrapped entries by their text, so errors can point into what the user typed (the last few). */
    private static final java.util.Map<String, Wrapped> WRAPPED = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Wrapped> e) {
                    return size() > 32;
                }
            });

    /**
     * An entry and its wrapped text; anchors pair offsets in the wrapped text with the offsets
     * in the original where the text between edits is the same.
     */
    record Wrapped(String original, String text, List<int[]> anchors) {
        /** The original's line and column for a wrapped line and column (1-based). */
        int[] originalPlace(int line, int column) {
            int w = offset(text, line, column), o = 0;
            for (int[] a : anchors) {
                if (a[0] <= w) o = a[1] + (w - a[0]);
            }
            o = Math.max(0, Math.min(o, original.length()));
            int l = 1, start = 0;
            for (int i = 0; i < o; i++) {
                if (original.charAt(i) == '\n') {
                    l++;
                    start = i + 1;
                }
            }
            return new int[] {l, o - start + 1};
        }

        private static int offset(String s, int line, int column) {
            int i = 0;
            for (int l = 1; l < line && i < s.length(); i++) if (s.charAt(i) == '\n') l++;
            return i + Math.max(0, column - 1);
        }
    }

    /** The entry that was wrapped into this text, or null. */
    static Wrapped unwrap(String text) {
        return WRAPPED.get(text);
    }

    private TopLevelAwait() {}

    static String wrap(String code) {
        List<int[]> statements = statements(code);
        TreeMap<Integer, String[]> edits = new TreeMap<>(); // position → {characters to drop, text to insert}
        int[] last = null;
        boolean lastIsExpression = false;
        for (int[] st : statements) {
            String text = code.substring(st[0], st[1]);
            Matcher d = DECLARATION.matcher(text);
            Matcher f = FUNCTION.matcher(text);
            if (d.find()) {
                boolean object = text.charAt(d.end()) == '{';
                edits.put(st[0], new String[] {String.valueOf(d.end()), object ? "(" : ""});
                if (object) edits.put(st[1], new String[] {"0", ")"});
            } else if (f.find()) {
                edits.put(st[0], new String[] {"0", f.group(3) + " = "});
            }
            last = st;
            lastIsExpression = !text.startsWith("{") && !STATEMENTS.contains(firstWord(text)) && !f.lookingAt();
        }
        if (last != null && lastIsExpression) {
            edits.put(last[0], new String[] {"0", "return ("});
            edits.put(last[1], new String[] {"0", ")"});
        }
        StringBuilder sb = new StringBuilder("(async () => { ");
        List<int[]> anchors = new ArrayList<>();
        anchors.add(new int[] {sb.length(), 0});
        int at = 0;
        for (var e : edits.entrySet()) {
            int pos = e.getKey();
            sb.append(code, at, pos);
            sb.append(e.getValue()[1]);
            at = pos + Integer.parseInt(e.getValue()[0]);
            anchors.add(new int[] {sb.length(), at});
        }
        sb.append(code.substring(at)).append("\n})()");
        String text = sb.toString();
        WRAPPED.put(text, new Wrapped(code, text, anchors));
        return text;
    }

    private static String firstWord(String s) {
        int i = 0;
        while (i < s.length() && Character.isJavaIdentifierPart(s.charAt(i))) i++;
        return s.substring(0, i);
    }

    /** The [start, end) of each top-level statement, trimmed. */
    static List<int[]> statements(String s) {
        List<int[]> out = new ArrayList<>();
        int depth = 0, start = 0, n = s.length();
        char prev = 0;
        for (int i = 0; i < n; ) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? n : nl;
                continue;
            }
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                i = skipString(s, i, c);
                prev = 'a';
                continue;
            }
            if (c == '/' && (prev == 0 || "(,=:[!&|?{};+-*%<>~^\n".indexOf(prev) >= 0)) {
                i = JsText.skipRegex(s, i);
                prev = 'a';
                continue;
            }
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') depth--;
            if (depth == 0 && (c == ';' || c == '\n')) {
                add(out, s, start, i);
                start = i + 1;
            }
            if (!Character.isWhitespace(c) || c == '\n') prev = Character.isJavaIdentifierPart(c) || c == ')' || c == ']' ? 'a' : c;
            i++;
        }
        add(out, s, start, n);
        return out;
    }

    private static void add(List<int[]> out, String s, int start, int end) {
        while (start < end && Character.isWhitespace(s.charAt(start))) start++;
        while (end > start && Character.isWhitespace(s.charAt(end - 1))) end--;
        if (start < end) out.add(new int[] {start, end});
    }

    private static int skipString(String s, int i, char q) {
        int n = s.length();
        i++;
        int depth = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (q == '`' && c == '$' && i + 1 < n && s.charAt(i + 1) == '{') {
                depth++;
                i += 2;
                continue;
            }
            if (q == '`' && depth > 0 && c == '}') depth--;
            else if (c == q && depth == 0) return i + 1;
            i++;
        }
        return n;
    }

}
