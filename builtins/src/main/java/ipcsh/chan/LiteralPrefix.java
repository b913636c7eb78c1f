package ipcsh.chan;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.regex.Pattern;

/**
 * The text every match of a regex starts with, read off the pattern's leading literal
 * characters (as grep and RE2 do): a search then jumps from one occurrence of it to the next
 * and runs the regex only there. Conservative: "" (no prefix) for case-insensitive, comments or
 * canonical-equivalence patterns, for an alternation at the top level, and past the first
 * character that is not plainly literal ASCII; a literal followed by ?, * or {n,m} is left out.
 */
final class LiteralPrefix {
    private static final String SPECIAL = "[](){}.*+?^$|";

    /** Patterns are immutable and a script's loop passes the same one each time: read each once. */
    private static final Map<Pattern, String> KNOWN = Collections.synchronizedMap(new WeakHashMap<>());

    private LiteralPrefix() {}

    static String of(Pattern p) {
        String known = KNOWN.get(p);
        if (known != null) return known;
        String prefix = read(p);
        KNOWN.put(p, prefix);
        return prefix;
    }

    private static String read(Pattern p) {
        if ((p.flags() & (Pattern.CASE_INSENSITIVE | Pattern.COMMENTS | Pattern.CANON_EQ)) != 0) return "";
        String src = p.pattern();
        if ((p.flags() & Pattern.LITERAL) != 0) {
            int i = 0;
            while (i < src.length() && src.charAt(i) < 0x80) i++;
            return src.substring(0, i);
        }
        if (alternatesAtTop(src)) return "";
        StringBuilder b = new StringBuilder();
        int i = 0, n = src.length();
        while (i < n) {
            char c = src.charAt(i), lit;
            int next = i + 1;
            if (c == '\\') {
                if (next >= n) break;
                lit = escaped(src.charAt(next));
                next++;
                if (lit == 0) break;
            } else if (c >= 0x80 || SPECIAL.indexOf(c) >= 0) {
                break;
            } else {
                lit = c;
            }
            if (next < n) {
                char q = src.charAt(next);
                if (q == '?' || q == '*' || q == '{') break; // this character may be absent
                if (q == '+') { // present at least once
                    b.append(lit);
                    break;
                }
            }
            b.append(lit);
            i = next;
        }
        return b.toString();
    }

    /** The character an escape stands for when it is a plain one, else 0 (a class, an anchor, \Q...). */
    private static char escaped(char e) {
        return switch (e) {
            case 't' -> '\t';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 'f' -> '\f';
            case 'a' -> '\u0007';
            case 'e' -> '\u001b';
            default -> e < 0x80 && !Character.isLetterOrDigit(e) ? e : 0;
        };
    }

    /** Whether an unescaped | stands outside every group and character class. */
    private static boolean alternatesAtTop(String src) {
        int depth = 0, classes = 0, n = src.length();
        for (int i = 0; i < n; i++) {
            char c = src.charAt(i);
            if (c == '\\') {
                if (i + 1 < n && src.charAt(i + 1) == 'Q') {
                    int e = src.indexOf("\\E", i + 2);
                    if (e < 0) return false;
                    i = e + 1;
                } else {
                    i++;
                }
            } else if (c == '[') {
                classes++;
                // a ] right after [ or [^ is a literal one
                if (i + 1 < n && src.charAt(i + 1) == '^') i++;
                if (i + 1 < n && src.charAt(i + 1) == ']') i++;
            } else if (classes > 0) {
                if (c == ']') classes--;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                return true;
            }
        }
        return false;
    }
}
