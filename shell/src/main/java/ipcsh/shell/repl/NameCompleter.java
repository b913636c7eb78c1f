package ipcsh.shell.repl;

import clojure.lang.Namespace;
import clojure.lang.Symbol;
import clojure.lang.Var;
import ipcsh.lang.clj.ClojureRuntime;
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
 * paths; in JavaScript mode JavaScript names instead ({@link JsCompleter}).
 */
@SuppressWarnings("deprecation")
final class NameCompleter implements Completer {
    private final FileNameCompleter files = new FileNameCompleter();
    private final BooleanSupplier js;
    private final JsCompleter jsNames;

    /** js: whether entries are JavaScript now; jsNames: what Tab offers then. */
    NameCompleter(BooleanSupplier js, JsCompleter jsNames) {
        this.js = js;
        this.jsNames = jsNames;
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
            jsNames.complete(w, candidates);
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

    private static int countQuotes(String s, int upTo) {
        int n = 0;
        for (int i = 0; i < upTo && i < s.length(); i++) if (s.charAt(i) == '"' && (i == 0 || s.charAt(i - 1) != '\\')) n++;
        return n;
    }
}
