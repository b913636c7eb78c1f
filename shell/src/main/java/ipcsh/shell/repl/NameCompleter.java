package ipcsh.shell.repl;

import clojure.lang.Namespace;
import clojure.lang.Symbol;
import clojure.lang.Var;
import ipcsh.lang.clj.ClojureRuntime;
import ipcsh.lang.js.Js;
import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.jline.reader.impl.completer.FileNameCompleter;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Completes builtin names (with their summaries), the user's and clojure.core's names, and
 * paths; in JavaScript mode the members of {@code ipc} (from the registry's JS names) after
 * "ipc." and channel methods after any other "x.".
 */
@SuppressWarnings("deprecation")
final class NameCompleter implements Completer {
    private final FileNameCompleter files = new FileNameCompleter();
    private final BooleanSupplier js;

    NameCompleter() {
        this(() -> false);
    }

    /** js: whether entries are JavaScript now. */
    NameCompleter(BooleanSupplier js) {
        this.js = js;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        String w = line.word();
        if (w.startsWith("/") || w.startsWith("./") || w.startsWith("~") || w.startsWith("../")
                || line.line().lastIndexOf('"', line.cursor() - 1) > line.line().lastIndexOf(' ', line.cursor() - 1)
                   && countQuotes(line.line(), line.cursor()) % 2 == 1) {
            files.complete(reader, line, candidates);
            return;
        }
        if (js.getAsBoolean()) {
            javaScript(w, candidates);
            return;
        }
        for (Builtin b : Registry.standard().all()) {
            candidates.add(new Candidate(b.name(), b.name(), "builtins", b.summary(), null, null, true));
        }
        Namespace user = ClojureRuntime.userNs();
        for (Object o : user.getMappings()) {
            Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
            if (e.getValue() instanceof Var v && e.getKey() instanceof Symbol s
                    && !v.ns.name.getName().equals(ClojureRuntime.NS)) {
                candidates.add(new Candidate(s.getName(), s.getName(), null, null, null, null, true));
            }
        }
    }

    /** "ipc." → the ipc object's members; "r." (any other object) → channel methods; a bare word → ipc. */
    static void javaScript(String word, List<Candidate> candidates) {
        int dot = word.lastIndexOf('.');
        if (dot < 0) {
            candidates.add(new Candidate("ipc.", "ipc", null, "the builtins", null, null, false));
            return;
        }
        String target = word.substring(0, dot + 1);
        boolean ipc = target.equals("ipc.");
        for (Builtin b : Registry.standard().all()) {
            if (ipc || Js.isChannelMethod(b)) {
                String name = ipc && b.name().equals("sleep") ? "sleep" : b.jsName();
                String summary = ipc && b.name().equals("sleep") ? "a Promise resolved after ms milliseconds" : b.summary();
                candidates.add(new Candidate(target + name, name, ipc ? "ipc" : "channel methods", summary, null, null, true));
            }
        }
        for (String extra : ipc ? Js.IPC_EXTRAS : Js.CHANNEL_EXTRAS) {
            candidates.add(new Candidate(target + extra, extra, ipc ? "ipc" : "channel methods", null, null, null, true));
        }
    }

    private static int countQuotes(String s, int upTo) {
        int n = 0;
        for (int i = 0; i < upTo && i < s.length(); i++) if (s.charAt(i) == '"' && (i == 0 || s.charAt(i - 1) != '\\')) n++;
        return n;
    }
}
