package ipcsh.shell.repl;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * When a JavaScript entry is complete: brackets balanced outside strings, comments, regular
 * expressions and template text, no template literal or block comment left open, no string
 * continued with a trailing backslash. Anything else (a syntax error too) is complete, for
 * the engine to run or report; the scan runs on the line-reader thread, the engine may not.
 */
final class JsInput {
    private static final Set<String> REGEX_AFTER = Set.of("return", "typeof", "instanceof", "in", "of", "new",
            "delete", "void", "throw", "case", "do", "else", "yield", "await");

    private JsInput() {}

    static boolean complete(String s) {
        // '(' '[' '{': open brackets; '`': inside template text; '$': inside a template's ${...}
        Deque<Character> open = new ArrayDeque<>();
        char prev = 0;          // the last significant character outside strings and comments
        String word = "";       // the identifier or keyword that ended there, if any
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (!open.isEmpty() && open.peek() == '`') {
                if (c == '\\') {
                    i += 2;
                } else if (c == '`') {
                    open.pop();
                    prev = '`';
                    word = "";
                    i++;
                } else if (c == '$' && i + 1 < n && s.charAt(i + 1) == '{') {
                    open.push('$');
                    prev = '{';
                    word = "";
                    i += 2;
                } else {
                    i++;
                }
                continue;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
                continue;
            }
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                if (end < 0) return false;
                i = end + 2;
                continue;
            }
            if (c == '\'' || c == '"') {
                i++;
                while (i < n && s.charAt(i) != c && s.charAt(i) != '\n') {
                    if (s.charAt(i) == '\\') {
                        if (i + 1 >= n) return false; // a backslash at the end continues the string
                        i++;
                    }
                    i++;
                }
                i++;
                prev = c;
                word = "";
                continue;
            }
            if (c == '/' && regexMayStart(prev, word)) {
                i = ipcsh.lang.js.JsText.skipRegex(s, i);
                prev = 'a'; // a value: a '/' after it divides
                word = "";
                continue;
            }
            if (c == '`') {
                open.push('`');
                i++;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                open.push(c);
            } else if (c == ')' || c == ']' || c == '}') {
                Character top = open.peek();
                char want = c == ')' ? '(' : c == ']' ? '[' : '{';
                if (top == null || (top != want && !(c == '}' && top == '$'))) return true; // the engine says what is wrong
                open.pop();
                if (top == '$') {
                    i++;
                    continue; // back in the template's text
                }
            }
            if (Character.isJavaIdentifierPart(c)) {
                int start = i;
                while (i < n && Character.isJavaIdentifierPart(s.charAt(i))) i++;
                word = s.substring(start, i);
                prev = 'a';
                continue;
            }
            prev = c;
            word = "";
            i++;
        }
        return open.isEmpty();
    }

    /** A '/' starts a regular expression where a value is expected, else it divides. */
    private static boolean regexMayStart(char prev, String word) {
        if (prev == 0) return true;
        if (prev == 'a') return REGEX_AFTER.contains(word);
        return prev != ')' && prev != ']' && prev != '\'' && prev != '"' && prev != '`';
    }
}
