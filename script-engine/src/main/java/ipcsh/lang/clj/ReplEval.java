package ipcsh.lang.clj;

import clojure.lang.Compiler;
import clojure.lang.Keyword;
import clojure.lang.LineNumberingPushbackReader;
import clojure.lang.LispReader;
import clojure.lang.Namespace;
import clojure.lang.RT;
import clojure.lang.Symbol;
import clojure.lang.Var;
import ipcsh.chan.Interrupts;
import ipcsh.lang.ErrorReport;
import ipcsh.lang.Listing;

import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * The Clojure side of a repl-server session: its own bindings (namespace, *1 *2 *3 *e, print
 * limits, *out* and *err* to the client), kept between entries, and its entries' forms run in
 * them on the interpreter thread, each answered on the session's {@link PreplWire}.
 */
public final class ReplEval {
    private final PreplWire wire;
    private final Thread interpreter;
    private final BooleanSupplier ended;
    private volatile boolean running;
    private Map<Var, Object> vars;

    public ReplEval(PreplWire wire, Thread interpreter, BooleanSupplier ended) {
        this.wire = wire;
        this.interpreter = interpreter;
        this.ended = ended;
    }

    /** Runs on the interpreter thread: each form of the entry, in this session's bindings. */
    public void evaluate(String text) {
        LineNumberingPushbackReader r = new LineNumberingPushbackReader(new StringReader(text));
        Object eof = new Object();
        pushBindings();
        try {
            while (!ended.getAsBoolean()) {
                Object form;
                String formText;
                try {
                    int start = offset(text, r);
                    form = LispReader.read(r, false, eof, false);
                    if (form == eof) break;
                    formText = text.substring(start, Math.min(text.length(), offset(text, r))).trim();
                } catch (RuntimeException e) {
                    report(e, text.trim());
                    break;
                }
                if (isUpgrade(form)) {
                    wire.upgrade();
                    continue;
                }
                if (wire.prepl() && PreplWire.NAMES.equals(RT.printString(form))) {
                    wire.ret(PreplWire.edn(names()), nsName(), formText, 0, false, null);
                    continue;
                }
                evalOne(form, formText);
            }
        } finally {
            popBindings();
        }
    }

    private void evalOne(Object form, String formText) {
        long t0 = System.nanoTime();
        Object v = null;
        Throwable failure = null;
        running = true;
        try {
            v = Compiler.eval(form);
        } catch (Throwable t) {
            failure = t;
        } finally {
            formEnded();
            Interrupts.clear();
        }
        flushOut();
        if (failure != null) {
            if (failure instanceof ipcsh.ExitRequest || ipcsh.ExitRequest.in(failure) != null) {
                throw failure instanceof RuntimeException re ? re : new RuntimeException(failure);
            }
            RT.var("clojure.core", "*e").set(failure);
            report(failure, formText);
            return;
        }
        Var one = RT.var("clojure.core", "*1");
        Var two = RT.var("clojure.core", "*2");
        RT.var("clojure.core", "*3").set(two.deref());
        two.set(one.deref());
        one.set(v);
        String shown = ClojureRuntime.print(v);
        // a listing's rows too, as text: an attached client shows them as the local REPL's table
        if (wire.prepl()) wire.ret(shown, nsName(), formText, (System.nanoTime() - t0) / 1_000_000, false, Listing.asText(v));
        else wire.send(shown + "\n");
    }

    /** From the reader thread: a Java interrupt must reach the form, never the loop after it. */
    public synchronized void interrupt() {
        if (!running) return;
        Interrupts.interrupt();
        interpreter.interrupt();
    }

    private synchronized void formEnded() {
        running = false;
        Thread.interrupted();
    }

    private void report(Throwable t, String formText) {
        if (wire.prepl()) {
            Object map = RT.var("clojure.core", "Throwable->map").invoke(t);
            wire.ret(PreplWire.edn(map), nsName(), formText, 0, true, null);
        } else {
            wire.send("error: " + ErrorReport.message(t) + "\n");
        }
    }

    private static boolean isUpgrade(Object form) {
        if (form instanceof Keyword k && k.getNamespace() == null && k.getName().equals("prepl")) return true;
        return PreplWire.UPGRADE.equals(RT.printString(form));
    }

    private void pushBindings() {
        if (vars == null) {
            vars = new HashMap<>();
            vars.put(RT.CURRENT_NS, ClojureRuntime.userNs());
            for (String v : List.of("*1", "*2", "*3", "*e")) vars.put(RT.var("clojure.core", v), null);
            vars.put(RT.var("clojure.core", "*print-length*"), RT.var("clojure.core", "*print-length*").deref());
            vars.put(RT.var("clojure.core", "*print-level*"), RT.var("clojure.core", "*print-level*").deref());
        }
        Object[] kvs = new Object[vars.size() * 2 + 4];
        int i = 0;
        for (Map.Entry<Var, Object> e : vars.entrySet()) {
            kvs[i++] = e.getKey();
            kvs[i++] = e.getValue();
        }
        Writer sessionOut = wire.out();
        Writer sessionErr = wire.err();
        kvs[i++] = RT.OUT;
        kvs[i++] = sessionOut;
        kvs[i++] = RT.ERR;
        kvs[i] = new java.io.PrintWriter(sessionErr, true);
        Var.pushThreadBindings(RT.mapUniqueKeys(kvs));
        // what builtins print for the person at the shell (hexdump, dump, expect's log) too
        ipcsh.Console.session(sessionOut, sessionErr);
    }

    private void popBindings() {
        ipcsh.Console.endSession();
        for (Map.Entry<Var, Object> e : vars.entrySet()) e.setValue(e.getKey().deref());
        Var.popThreadBindings();
    }

    /** The session's namespace's name, for the prompt and prepl's :ns. */
    public String nsName() {
        return currentNs().name.getName();
    }

    private Namespace currentNs() {
        Object ns = vars == null ? null : vars.get(RT.CURRENT_NS);
        return ns instanceof Namespace n ? n : ClojureRuntime.userNs();
    }

    private Object names() {
        TreeSet<String> names = new TreeSet<>();
        for (Object o : currentNs().getMappings()) {
            Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
            if (e.getKey() instanceof Symbol s && e.getValue() instanceof Var) names.add(s.getName());
        }
        return RT.seq(names.toArray());
    }

    private static void flushOut() {
        try {
            ((Writer) RT.OUT.deref()).flush();
        } catch (IOException ignored) {
            // the session went away
        }
    }

    private static int offset(String text, LineNumberingPushbackReader r) {
        // LineNumberingPushbackReader counts lines and columns; turn them back into an offset
        int line = r.getLineNumber(), col = r.getColumnNumber();
        int off = 0;
        for (int l = 1; l < line && off < text.length(); l++) {
            int nl = text.indexOf('\n', off);
            if (nl < 0) return text.length();
            off = nl + 1;
        }
        return Math.min(text.length(), off + col - 1);
    }
}
