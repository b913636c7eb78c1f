package ipcsh.lang.clj;

import clojure.lang.AFn;
import clojure.lang.ArraySeq;
import clojure.lang.ISeq;
import clojure.lang.Keyword;
import clojure.lang.Namespace;
import clojure.lang.PersistentTreeSet;
import clojure.lang.RT;
import clojure.lang.RestFn;
import clojure.lang.Symbol;
import clojure.lang.Var;
import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * clojure.repl's tools referred into {@code user} as {@code clj} does (apropos, find-doc, pst,
 * source, dir), without loading clojure.repl (and clojure.spec with it, ~200 ms) before one is
 * used: the vars are clojure.repl's own, holding a stub until then, so a later
 * {@code (require '[clojure.repl :refer :all])} refers the very same vars. doc is ipcsh's
 * (builtins from the registry, and a word when nothing has the name), and apropos also
 * searches the builtins' summaries (first sentences) and groups, as {@code man -k} searches descriptions.
 */
final class ReplTools {
    private static final Symbol REPL = Symbol.intern("clojure.repl");
    private static final String[] FNS = {"apropos", "find-doc", "pst"};
    private static final String[] MACROS = {"source", "dir"};

    private ReplTools() {}

    /** clojure.repl's own definitions, once loaded, by name: ipcsh's versions build on them. */
    private static final java.util.Map<String, Object> ORIGINALS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * docMacro: ipcsh's doc, which becomes clojure.repl/doc's root (ipcsh.core/doc stays too), so
     * referring all of clojure.repl replaces nothing.
     */
    static void install(Namespace user, Var docMacro) {
        Namespace repl = Namespace.findOrCreate(REPL);
        Var doc = Var.intern(repl, Symbol.intern("doc"));
        keep(doc, docMacro.getRawRoot(), o -> (clojure.lang.IFn) docMacro.getRawRoot(), true);
        doc.setMeta(docMacro.meta());
        doc.setMacro();
        Object existing = user.getMapping(Symbol.intern("doc"));
        if (existing != null && existing != doc) user.unmap(Symbol.intern("doc"));
        user.refer(Symbol.intern("doc"), doc);
        keep(Var.intern(repl, Symbol.intern("apropos")), null, Apropos::new, false);
        for (String name : FNS) {
            Var v = Var.intern(repl, Symbol.intern(name));
            if (!v.hasRoot() || v.getRawRoot() instanceof Stub || v.getRawRoot() instanceof Apropos) v.bindRoot(new Stub(v));
            user.refer(Symbol.intern(name), v);
        }
        for (String name : MACROS) {
            Var v = Var.intern(repl, Symbol.intern(name));
            if (!v.hasRoot() || v.getRawRoot() instanceof MacroStub) {
                v.bindRoot(new MacroStub(name));
                v.setMacro();
            }
            user.refer(Symbol.intern(name), v);
        }
    }

    /**
     * Keeps ipcsh's version as v's root: when clojure.repl's definition arrives (however it is
     * loaded), it is remembered as the original and wrapped (wrap) again. ours: the root until then, or null.
     */
    private static void keep(Var v, Object ours, java.util.function.Function<Object, clojure.lang.IFn> wrap, boolean macro) {
        if (ours != null) v.bindRoot(ours);
        v.addWatch(Keyword.intern("ipcsh", "keep"), new AFn() {
            @Override
            public Object invoke(Object key, Object ref, Object old, Object now) {
                if (now instanceof Stub || now instanceof Apropos || now == ours || now == null) return null;
                ORIGINALS.put(v.sym.getName(), now);
                v.bindRoot(wrap.apply(now));
                if (macro) v.setMacro();
                return null;
            }
        });
    }

    /** clojure.repl's own definition of name (loading clojure.repl first). */
    static Object original(String name) {
        load();
        return ORIGINALS.get(name);
    }

    /** Loads clojure.repl: its defs replace the stubs' roots, and {@link #keep} wraps what ipcsh widens. */
    private static synchronized void load() {
        if (!ORIGINALS.isEmpty()) return;
        RT.var("clojure.core", "require").invoke(REPL);
    }

    /** A clojure.repl function before clojure.repl is loaded. */
    private static final class Stub extends RestFn {
        private final Var var;

        Stub(Var var) {
            this.var = var;
        }

        @Override
        public int getRequiredArity() {
            return 0;
        }

        @Override
        protected Object doInvoke(Object args) {
            load();
            return var.applyTo((ISeq) args);
        }
    }

    /** A clojure.repl macro before clojure.repl is loaded: expands to the real one. */
    private static final class MacroStub extends RestFn {
        private final String name;

        MacroStub(String name) {
            this.name = name;
        }

        @Override
        public int getRequiredArity() {
            return 2;
        }

        @Override
        protected Object doInvoke(Object form, Object env, Object args) {
            load();
            return RT.cons(Symbol.intern("clojure.repl", name), args);
        }
    }

    /** clojure.repl's apropos, plus the builtins whose summary or group mentions the text. */
    private static final class Apropos extends AFn {
        private final Object original;

        Apropos(Object original) {
            this.original = original;
        }

        @Override
        public Object invoke(Object what) {
            Object found = ((clojure.lang.IFn) original).invoke(what);
            Pattern p = what instanceof Pattern q ? q
                    : Pattern.compile(Pattern.quote(String.valueOf(what)), Pattern.CASE_INSENSITIVE);
            java.util.List<Object> all = new java.util.ArrayList<>();
            for (ISeq s = RT.seq(found); s != null; s = s.next()) all.add(s.first());
            for (Builtin b : Registry.standard().all()) {
                if (p.matcher(b.name()).find() || p.matcher(ipcsh.lang.HelpBuiltins.firstSentence(b.doc())).find()
                        || p.matcher(b.group().toLowerCase(Locale.ROOT)).find() || p.matcher(b.group()).find()) {
                    all.add(Symbol.intern(ClojureRuntime.NS, b.name()));
                }
            }
            return RT.seq(PersistentTreeSet.create(ArraySeq.create(all.toArray())));
        }
    }

    /**
     * For the interactive REPL: the infinite sequence makers of clojure.core check for Ctrl-C
     * at each element, so (doall (range)) or (count (repeat 1)) can be interrupted. The JVM
     * cannot stop other code that computes without waiting; only these (and every wait, and
     * printing) are interruptible. Calls from user code go through the vars; clojure.core's
     * own (direct-linked) calls keep the originals.
     */
    static void interruptibleSeqs() {
        ClojureRuntime.eval(RT.readString("""
                (let [check (fn [] (when (ipcsh.chan.Interrupts/pending)
                                     (throw (ipcsh.chan.Interrupts$InterruptedError. "evaluation"))))
                      iterate* clojure.core/iterate
                      repeatedly* clojure.core/repeatedly]
                  (alter-var-root #'clojure.core/range
                    (fn [f] (fn ([] (iterate* (fn [x] (check) (inc' x)) 0))
                                ([end] (f end)) ([start end] (f start end)) ([start end step] (f start end step)))))
                  (alter-var-root #'clojure.core/iterate
                    (fn [f] (fn [g x] (f (fn [v] (check) (g v)) x))))
                  (alter-var-root #'clojure.core/repeat
                    (fn [f] (fn ([x] (repeatedly* (fn [] (check) x))) ([n x] (f n x)))))
                  (alter-var-root #'clojure.core/repeatedly
                    (fn [f] (fn ([g] (f (fn [] (check) (g)))) ([n g] (f n g)))))
                  (alter-var-root #'clojure.core/cycle
                    (fn [f] (fn [coll] (map (fn [x] (check) x) (f coll))))))
                """));
    }
}
