package ipcsh.groups;

import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.Expect;
import ipcsh.registry.Args;
import ipcsh.Callback;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Expect's dialogues, on every channel kind. */
public final class ExpectBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "Dialogues (expect)";
    }

    @Override
    public void register(Registry r) {
        r.add("expect", "([ch & clauses])", """
                Waits until what ch sends matches one of the clauses and returns the result (Expect's \
                expect, on any channel: process, pty, socket, FIFO, pipe, message queue). Each clause is a \
                pattern and an optional function: a string (exact text), a regex (#"(\\d+) items"; use (?m) \
                for ^ and $ at line ends; a RegExp in JavaScript), :eof or :timeout (in JavaScript the \
                strings ":eof" and ":timeout"). Patterns are tried in order on the text \
                received so far; the first that matches wins. The result is {:match "…" :groups [...] \
                :before "…"} (:before is the text ahead of the match, consumed with it), or the clause \
                function's value when it has one: (f result). What arrived after the match stays in the \
                channel for the next read or expect. At end of stream the :eof clause gives {:eof true \
                :before rest}; when the time is up the :timeout clause gives {:timeout true :before \
                received} (nothing consumed); without those clauses either is an error quoting what was \
                received. An options map anywhere among the clauses: :timeout (ms, default 10000), :log \
                (true: what was received and what matched, on stderr) and :match-max (bytes searched when \
                nothing matches, default 1 MiB; older text is then forgotten, as Expect's match_max); \
                (expect-defaults) sets them for the whole shell. On a pty lines end with \\r\\n.""",
                a -> {
                    if (a.size() < 2) throw a.usage();
                    Channel ch = a.channel(0);
                    List<Expect.Clause> clauses = new ArrayList<>();
                    Options o = null;
                    for (int i = 1; i < a.size(); i++) {
                        Object v = a.get(i);
                        if (v instanceof Map<?, ?>) {
                            if (o != null) throw a.wrongType(i, "a pattern (only one options map)");
                            o = a.options(i).only("timeout", "log", "match-max");
                            continue;
                        }
                        Object pattern = pattern(a, i);
                        Callback f = a.get(i + 1) instanceof Callback cb ? cb : null;
                        if (f != null) i++;
                        clauses.add(new Expect.Clause(pattern, f == null ? null : m -> f.call(m)));
                    }
                    if (clauses.isEmpty()) throw a.usage();
                    if (o == null) o = a.options(a.size());
                    long timeout = o.duration("timeout", Expect.defaultTimeout());
                    long max = o.size("match-max", Expect.defaultMatchMax(), 1, ipcsh.ArgCheck.MAX_BUFFER);
                    return Expect.expect(ch, clauses, timeout, o.flag("log", Expect.defaultLog()), (int) max);
                }).returns("any");
        r.add("send-line", "([ch s])", """
                Writes s and the Enter key to ch and flushes: a carriage return on a pty (as a person's \
                Enter, which the terminal turns into a newline), a newline on every other channel. \
                Returns nil.""",
                a -> {
                    Channel ch = a.arity(2, 2).channel(0);
                    Object s = a.get(1);
                    if (!(s instanceof String) && !(s instanceof byte[])) throw a.wrongType(1, "a string");
                    boolean pty = ch.driver().terminal();
                    if (s instanceof String str) ch.write(str + (pty ? "\r" : "\n"));
                    else {
                        ch.write(s);
                        ch.write(pty ? "\r" : "\n");
                    }
                    ch.flush();
                    if (Expect.defaultLog()) ipcsh.Console.printErr("send-line " + ch.describe() + ": " + s + "\n");
                    return null;
                }).returns("void");
        r.add("expect-defaults", "([] [opts])", """
                The shell-wide defaults of expect: {:timeout 10000 :log false :match-max 1048576}; with a \
                map, sets those it names (:log true also logs what send-line sends) and returns them all.""",
                a -> {
                    a.arity(0, 1);
                    Options o = a.options(0).only("timeout", "log", "match-max");
                    Long t = o.has("timeout") ? (Long) o.duration("timeout", 0) : null;
                    Long max = o.has("match-max") ? (Long) o.size("match-max", 0, 1, ipcsh.ArgCheck.MAX_BUFFER) : null;
                    Expect.setDefaults(t, o.has("log") ? o.flag("log", false) : null, max);
                    return Expect.defaults();
                }).returns("any");
    }

    private static Object pattern(Args a, int i) {
        Object v = a.get(i);
        if (v instanceof String s && (s.equals(":eof") || s.equals(":timeout"))) return Keyword.of(s.substring(1)); // JS has no keywords
        if (v instanceof String || v instanceof Pattern) return v;
        if (v instanceof Keyword k && (k.name().equals("eof") || k.name().equals("timeout"))) return k;
        throw a.wrongType(i, "a pattern (a string, a regex, :eof or :timeout)");
    }
}
