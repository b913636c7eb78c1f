package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.Keyword;

import java.io.PrintStream;
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
        String what = "expect " + ch.describe();
        if (ch.isClosed()) throw new IpcException(what + ": channel is closed", Map.of("channel", ch.id(), "errno", "EBADF"));
        PrintStream err = System.err;
        long deadline = Waiter.deadline(timeoutMs);
        int window = FIRST_WINDOW;
        int logged = 0;
        boolean ended = false;
        while (true) {
            int avail = ch.bufferedBytes();
            if (avail > 0) {
                String text = ch.peekText(Math.min(avail, window));
                if (log && text.length() > logged) {
                    err.println(what + ": received " + quote(text.substring(logged)));
                    logged = text.length();
                }
                for (Clause c : clauses) {
                    Map<String, Object> m = match(c.pattern(), text);
                    if (m == null) continue;
                    ch.consumeText(text, (Integer) m.remove("end"));
                    if (log) err.println(what + ": matched " + describe(c.pattern()) + " with " + quote((String) m.get("match")));
                    return c.f() == null ? m : c.f().apply(m);
                }
                if (window < avail) {
                    window = (int) Math.min(avail, window * 2L);
                    continue;
                }
                if (avail > matchMax) {
                    // Expect's match_max: a match is looked for in the last matchMax bytes only.
                    String dropped = ch.peekText(avail - matchMax / 2);
                    ch.consumeText(dropped, dropped.length());
                    if (log) err.println(what + ": forgot " + dropped.length() + " characters (more than :match-max " + matchMax + " unmatched)");
                    logged = 0;
                }
            }
            if (ended || ch.eof()) return end(ch, clauses, Keyword.of("eof"), what, log, timeoutMs);
            int r = ch.readMore(deadline, what);
            if (r == -1) return end(ch, clauses, Keyword.of("timeout"), what, log, timeoutMs);
            ended = r == 0;
            window = Integer.MAX_VALUE;
        }
    }

    private static Object end(Channel ch, List<Clause> clauses, Keyword kind, String what, boolean log, long timeoutMs) {
        String rest = ch.peekText(ch.bufferedBytes());
        for (Clause c : clauses) {
            if (!kind.equals(c.pattern())) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(kind.name(), true);
            m.put("before", rest);
            if (kind.name().equals("eof")) ch.consumeText(rest, rest.length());
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

    private static void err(String line) {
        System.err.println(line);
    }

    /** {:match :groups :before} plus "end" (chars consumed), or null. */
    private static Map<String, Object> match(Object pattern, String text) {
        int start, end;
        List<Object> groups = new ArrayList<>();
        if (pattern instanceof String s) {
            start = text.indexOf(s);
            if (start < 0) return null;
            end = start + s.length();
        } else if (pattern instanceof Pattern p) {
            Matcher m = p.matcher(text);
            if (!m.find()) return null;
            start = m.start();
            end = m.end();
            for (int g = 1; g <= m.groupCount(); g++) groups.add(m.group(g));
        } else {
            return null; // :eof and :timeout are looked at by end()
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("match", text.substring(start, end));
        m.put("groups", groups);
        m.put("before", text.substring(0, start));
        m.put("end", end);
        return m;
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
