package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.Keyword;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expect's dialogue matching over any channel: the patterns are tried against the channel's own
 * read buffer, so what arrives after a match simply stays there for the next read or expect.
 *
 * <p>Patterns are tried in order against the text received so far; the first that matches wins,
 * as in Expect, where the text present at any moment depends on how the data arrived. That is
 * also why a long buffer is searched in a growing window (8 KiB, doubling) rather than all at
 * once: a match found in the window is one that a slower arrival would have produced, and a
 * dialogue of many small matches does not rescan the whole buffer each time.
 *
 * <p>Where every byte is a character (binary, ISO-8859-1, ASCII in UTF-8) the text is the read
 * buffer itself, not a decoded copy; within a call each clause remembers how far it has ruled
 * out a match, so text is searched once however many reads it takes to arrive.
 */
public final class Expect {
    /** A pattern: exact text, a regex, or :eof / :timeout; f (may be null) gets the result map. */
    public record Clause(Object pattern, Function<Map<String, Object>, Object> f) {}

    /** Shell-wide defaults (expect-defaults): timeout 10 s, no log, 1 MiB match window. */
    private static volatile long defaultTimeout = 10_000;
    private static volatile boolean defaultLog;
    private static volatile int defaultMatchMax = 1 << 20;
    private static final int FIRST_WINDOW = 8192;

    private Expect() {}

    public static Map<String, Object> defaults() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timeout", defaultTimeout);
        m.put("log", defaultLog);
        m.put("match-max", (long) defaultMatchMax);
        return m;
    }

    public static void setDefaults(Long timeout, Boolean log, Long matchMax) {
        if (timeout != null) defaultTimeout = timeout;
        if (log != null) defaultLog = log;
        if (matchMax != null) defaultMatchMax = (int) (long) matchMax;
    }

    public static long defaultTimeout() {
        return defaultTimeout;
    }

    public static boolean defaultLog() {
        return defaultLog;
    }

    public static int defaultMatchMax() {
        return defaultMatchMax;
    }

    /**
     * Waits until a clause matches and returns its result: the function's value, or
     * {:match :groups :before} ({:eof true :before} / {:timeout true :before} for those clauses).
     * Without an :eof or :timeout clause, end of stream or the timeout is an error.
     */
    public static Object expect(Channel ch, List<Clause> clauses, long timeoutMs, boolean log, int matchMax) {
        if (ch.isClosed()) throw new IpcException(what(ch) + ": channel is closed", Map.of("channel", ch.id(), "errno", "EBADF"));
        ExpectView view = ch.expectView();
        long deadline = Waiter.deadline(timeoutMs);
        Search[] searches = new Search[clauses.size()];
        for (int k = 0; k < searches.length; k++) searches[k] = new Search(clauses.get(k).pattern());
        Decoded decoded = new Decoded();
        int window = FIRST_WINDOW;
        int logged = 0;
        boolean ended = false;
        while (true) {
            int avail = ch.bufferedBytes();
            if (avail > 0) {
                CharSequence text = text(view, Math.min(avail, window), decoded);
                if (log && text.length() > logged) {
                    err(what(ch) + ": received " + quote(text.subSequence(logged, text.length()).toString()));
                    logged = text.length();
                }
                for (int k = 0; k < searches.length; k++) {
                    Search s = searches[k];
                    if (!s.find(text)) continue;
                    Map<String, Object> m = s.result(text);
                    if (text instanceof ByteChars) view.consume(s.end);
                    else if (text == decoded.text) view.consumeUtf8(s.end);
                    else view.consumeText((String) text, s.end);
                    Clause c = clauses.get(k);
                    if (log) err(what(ch) + ": matched " + describe(c.pattern()) + " with " + quote((String) m.get("match")));
                    return c.f() == null ? m : c.f().apply(m);
                }
                if (window < avail) {
                    window = (int) Math.min(avail, window * 2L);
                    continue;
                }
                if (avail > matchMax) {
                    // Expect's match_max: a match is looked for in the last matchMax bytes only.
                    String dropped = view.peekText(avail - matchMax / 2);
                    view.consumeText(dropped, dropped.length());
                    for (Search s : searches) s.dropped(dropped.length());
                    decoded.clear();
                    if (log) err(what(ch) + ": forgot " + dropped.length() + " characters (more than :match-max " + matchMax + " unmatched)");
                    logged = 0;
                }
            }
            if (ended || ch.eof()) return end(ch, view, clauses, Keyword.of("eof"), what(ch), log, timeoutMs);
            int r = ch.readMore(deadline, what(ch));
            if (r == -1) return end(ch, view, clauses, Keyword.of("timeout"), what(ch), log, timeoutMs);
            ended = r == 0;
            window = Integer.MAX_VALUE;
        }
    }

    /** What errors and the log call this expect; built when needed, as a dialogue makes many calls. */
    private static String what(Channel ch) {
        return "expect " + ch.describe();
    }

    /**
     * The first n buffered bytes as text: in place, one char per byte, when every byte is its own
     * character (binary, ISO-8859-1, ASCII read as UTF-8 or US-ASCII); else decoded, UTF-8 once
     * per call and byte.
     */
    private static CharSequence text(ExpectView view, int n, Decoded decoded) {
        Charset cs = view.charset();
        boolean oneToOne = cs == null || cs.equals(StandardCharsets.ISO_8859_1)
                || (cs.equals(StandardCharsets.UTF_8) || cs.equals(StandardCharsets.US_ASCII)) && view.asciiPrefix(n) == n;
        if (oneToOne) return new ByteChars(view.buffer(), view.bufferStart(), n);
        return cs.equals(StandardCharsets.UTF_8) ? decoded.upTo(view, n) : view.peekText(n);
    }

    /**
     * The UTF-8 text an expect call has decoded: what each read adds is decoded once and
     * appended, where decoding the whole buffer after every read made a long wait on small reads
     * (a pty's) quadratic.
     */
    private static final class Decoded {
        final StringBuilder text = new StringBuilder();
        private int bytes;

        CharSequence upTo(ExpectView view, int n) {
            if (n > bytes) {
                text.append(view.peekUtf8(bytes, n));
                bytes = view.peekedBytes();
            }
            return text;
        }

        /** The text's start moved (match-max): decode again from there. */
        void clear() {
            text.setLength(0);
            bytes = 0;
        }
    }

    private static Object end(Channel ch, ExpectView view, List<Clause> clauses, Keyword kind, String what, boolean log, long timeoutMs) {
        String rest = view.peekText(view.bufferedBytes());
        for (Clause c : clauses) {
            if (!kind.equals(c.pattern())) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(kind.name(), true);
            m.put("before", rest);
            if (kind.name().equals("eof")) view.consumeText(rest, rest.length());
            if (log) err(what + ": matched " + kind);
            return c.f() == null ? m : c.f().apply(m);
        }
        String tail = rest.length() > 80 ? "…" + rest.substring(rest.length() - 80) : rest;
        if (kind.name().equals("eof")) {
            throw new IpcException(what + ": end of stream before any pattern matched (unmatched: " + quote(tail) + ")",
                    Map.of("channel", ch.id(), "before", rest));
        }
        TimeoutError e = new TimeoutError(what + " (unmatched: " + quote(tail) + ")", timeoutMs);
        e.data().put("before", rest);
        throw e;
    }

    /** A log line: on stderr, or in a repl-server session on the session's *err*. */
    private static void err(String line) {
        ipcsh.Console.printErr(line + "\n");
    }

    /**
     * One clause's search through one expect call. The text only grows during a call (its start
     * stays put until a match consumes it), so the search remembers where a match could still
     * start ({@code from}) and looks at new text only: a long wait or a large buffer is scanned
     * once, not once per read.
     */
    private static final class Search {
        private final String literal;   // a string pattern, or the text a regex's matches start with ("" when none)
        private final byte[] literalBytes; // literal one byte per char; null when a char is over 0xff (no such byte)
        private final Pattern regex;     // null for a string pattern
        private Matcher matcher;
        private int from;                // no match starts before this char
        private int start, end;          // the match found

        Search(Object pattern) {
            regex = pattern instanceof Pattern p ? p : null;
            literal = pattern instanceof String s ? s : regex != null ? LiteralPrefix.of(regex) : null;
            byte[] b = null;
            if (literal != null && !literal.isEmpty()) {
                b = new byte[literal.length()];
                for (int i = 0; i < b.length && b != null; i++) {
                    char c = literal.charAt(i);
                    if (c > 0xff) b = null;
                    else b[i] = (byte) c;
                }
            }
            literalBytes = b;
        }

        /** Looks for a match in text; false for :eof and :timeout, which end() handles. */
        boolean find(CharSequence text) {
            if (literal == null) return false;
            int len = text.length();
            if (from > len) from = len;
            if (regex == null) {
                int i = literal.isEmpty() ? from : indexOf(text, from);
                if (i < 0) {
                    from = Math.max(from, len - literal.length() + 1);
                    return false;
                }
                start = i;
                end = i + literal.length();
                return true;
            }
            if (matcher == null) {
                // transparent: lookbehind and \b see the text before a candidate; not anchoring: ^ is
                // the text's start (or a line start with (?m)), not the candidate's
                matcher = regex.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
            } else {
                matcher.reset(text);
            }
            if (literal.isEmpty()) {
                if (matcher.find(from)) return found();
                // a search that never looked at the end fails the same way on a longer text
                if (!matcher.hitEnd()) from = len;
                return false;
            }
            int unsure = -1;
            for (int i = indexOf(text, from); i >= 0; i = indexOf(text, i + 1)) {
                matcher.region(i, len);
                if (matcher.lookingAt()) return found();
                if (unsure < 0 && matcher.hitEnd()) unsure = i; // more text may still make this one match
            }
            from = unsure >= 0 ? unsure : Math.max(from, len - literal.length() + 1);
            return false;
        }

        private boolean found() {
            start = matcher.start();
            end = matcher.end();
            return true;
        }

        private int indexOf(CharSequence text, int at) {
            if (text instanceof ByteChars b) {
                if (literalBytes == null) return -1;
                int i = ByteScan.indexOf(b.array(), b.offset() + at, b.offset() + b.length(), literalBytes);
                return i < 0 ? -1 : i - b.offset();
            }
            return text instanceof StringBuilder b ? b.indexOf(literal, at) : ((String) text).indexOf(literal, at);
        }

        /** {:match :groups :before} of the match found. */
        Map<String, Object> result(CharSequence text) {
            List<Object> groups = new ArrayList<>();
            if (regex != null) for (int g = 1; g <= matcher.groupCount(); g++) groups.add(matcher.group(g));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("match", text.subSequence(start, end).toString());
            m.put("groups", groups);
            m.put("before", text.subSequence(0, start).toString());
            return m;
        }

        /** n chars were dropped from the text's start (match-max). */
        void dropped(int n) {
            from = Math.max(0, from - n);
        }
    }

    private static String describe(Object pattern) {
        return pattern instanceof Pattern p ? "#\"" + p.pattern() + "\"" : pattern instanceof String s ? quote(s) : String.valueOf(pattern);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) b.append(String.format("\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
