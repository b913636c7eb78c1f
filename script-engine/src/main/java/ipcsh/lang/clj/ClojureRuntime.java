package ipcsh.lang.clj;

import clojure.lang.AFn;
import clojure.lang.Compiler;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.LineNumberingPushbackReader;
import clojure.lang.MultiFn;
import clojure.lang.Namespace;
import clojure.lang.PersistentHashMap;
import clojure.lang.RT;
import clojure.lang.Symbol;
import clojure.lang.Var;
import ipcsh.chan.Channel;
import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;

import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;

/**
 * The Clojure side of the shell: the builtins as vars in {@code ipcsh.core}, referred into
 * {@code user} (shadowing clojure.core's read/flush, which they fall back to), a {@code doc}
 * that knows the builtins, channels printable and usable with clojure.java.io.
 * All evaluation happens on the interpreter thread.
 */
public final class ClojureRuntime {
    static {
        // Spec-checking every macro call loads clojure.spec on the first let or defn: ~200 ms of
        // each script's start-up. The macros' own checks still give clear errors. Read once, by
        // RT's static initialiser, so it must be set before any Clojure class initialises.
        if (System.getProperty("clojure.spec.skip-macros") == null) {
            System.setProperty("clojure.spec.skip-macros", "true");
        }
    }

    public static final String NS = "ipcsh.core";
    private static final Symbol USER = Symbol.intern("user");
    private static volatile boolean installed;
    /** *command-line-args* and Stdout's *out* root, kept until install() when it comes later. */
    private static List<String> args = List.of();
    private static java.io.Writer out;
    /** A run that began without Clojure (a JavaScript one): whether it wants, and has pushed, the script bindings. */
    private static final ThreadLocal<boolean[]> LATE = new ThreadLocal<>();

    private ClojureRuntime() {}

    /** Whether the runtime is made: before that, a JavaScript run touches no Clojure class's initialiser. */
    public static boolean installed() {
        return installed;
    }

    public static synchronized void install() {
        if (installed) return;
        installNow();
        if (out != null) RT.OUT.bindRoot(out);
        bindArgs();
        installed = true;
    }

    /** The shell's standard output as Clojure's *out* root: now, or when the runtime is made. */
    public static synchronized void stdout(java.io.Writer w) {
        out = w;
        if (installed) RT.OUT.bindRoot(w);
    }

    /**
     * Makes the runtime for a JavaScript run's first use of Clojure (ipc.clj, help) and, on a
     * thread running {@link #withLateBindings}, pushes the script bindings that a Clojure run
     * has from its start ({@link #withBindings}); they stay until that run ends, as there.
     */
    public static void ensure() {
        install();
        boolean[] late = LATE.get();
        if (late != null && !late[0]) {
            Var.pushThreadBindings(bindings(false));
            late[0] = true;
        }
    }

    /**
     * Runs a JavaScript script's body without making the Clojure runtime: bindings as
     * {@link #withBindings} gives are pushed by {@link #ensure} if the body comes to use
     * Clojure, and popped here. With the runtime made already, the same as withBindings.
     */
    public static <T> T withLateBindings(java.util.function.Supplier<T> body) {
        if (installed) return withBindings(body);
        boolean[] late = {false};
        boolean[] outer = LATE.get();
        LATE.set(late);
        try {
            return body.get();
        } finally {
            if (late[0]) Var.popThreadBindings();
            if (outer == null) LATE.remove(); else LATE.set(outer);
        }
    }

    private static void installNow() {
        Namespace core = Namespace.findOrCreate(Symbol.intern(NS));
        Namespace user = Namespace.findOrCreate(USER);
        // RT's own start-up has referred clojure.core into user already (~2 ms to do it again)
        if (!(user.getMapping(Symbol.intern("refer")) instanceof Var)) {
            Var.pushThreadBindings(RT.mapUniqueKeys(RT.CURRENT_NS, user));
            try {
                RT.var("clojure.core", "refer").invoke(Symbol.intern("clojure.core"));
            } finally {
                Var.popThreadBindings();
            }
        }
        for (Builtin b : Registry.standard().all()) {
            Symbol sym = Symbol.intern(b.name());
            Var v = Var.intern(core, sym, new BuiltinFn(b));
            v.setMeta(meta(b));
            refer(user, sym, v);
        }
        Var doc = Var.intern(core, Symbol.intern("doc"), new DocMacro());
        doc.setMeta(PersistentHashMap.create(Keyword.intern("doc"),
                "Prints the documentation of a builtin, a clojure.core function or macro.",
                Keyword.intern("arglists"), RT.readString("([name])"), Keyword.intern("macro"), true,
                Keyword.intern("name"), Symbol.intern("doc"), Keyword.intern("ns"), core));
        doc.setMacro();
        Var docStar = Var.intern(core, Symbol.intern("doc*"), new AFn() {
            @Override
            public Object invoke(Object sym) {
                printDoc((Symbol) sym);
                return null;
            }
        });
        ReplTools.install(user, doc);
        for (Builtin f : forms()) {
            Symbol sym = Symbol.intern(f.name());
            clojure.lang.IFn m = LockForms.macro(f.name());
            Var v = Var.intern(core, sym, m != null ? m : new WithSemMacro());
            v.setMeta(meta(f).assoc(Keyword.intern("macro"), true));
            v.setMacro();
            refer(user, sym, v);
        }
        installPrinting();
        installJavaIo();
    }

    /**
     * Forms that must be macros (they take a body), defined in Clojure itself. Each is a Builtin
     * record for (doc) and the man page, whose impl returns its source; it is in no registry,
     * since the registry's builtins are functions. JS has each as a function taking a fn (see
     * the js Bootstrap), whose arguments the record's JS arglists give.
     */
    public static List<Builtin> forms() {
        List<Builtin> all = new java.util.ArrayList<>(List.of(new Builtin("with-sem", "Message queues and semaphores", "([s & body])", """
                Waits on the semaphore s (sem-wait), evaluates body and posts s (sem-post) in a finally, \
                so the semaphore is given back even when body throws; returns body's value. A \
                cross-process mutex: (def lock (sem "/lock" {:create true})) then (with-sem lock \
                (shm-add ...)) in every process. From JavaScript: ipc.withSem(s, fn).""",
                a -> {
                    throw new ipcsh.IpcException("with-sem is a form, not a function: (with-sem s body...)");
                }, null).withJsArglists("([s f])").returning("any")));
        all.addAll(LockForms.forms());
        return all;
    }

    /**
     * (with-sem s body...) → (let [s# s] (ipcsh.core/sem-wait s#) (try body... (finally
     * (ipcsh.core/sem-post s#)))), built in Java so that start-up compiles nothing for it.
     */
    private static final class WithSemMacro extends clojure.lang.RestFn {
        @Override
        public int getRequiredArity() {
            return 3;
        }

        @Override
        protected Object doInvoke(Object form, Object env, Object s, Object body) {
            Symbol g = Symbol.intern("sem__" + RT.nextID() + "__auto__");
            Object post = RT.list(Symbol.intern("finally"), RT.list(Symbol.intern(NS, "sem-post"), g));
            Object tryForm = RT.cons(Symbol.intern("try"), RT.seq(clojure.lang.PersistentVector.create(
                    (clojure.lang.ISeq) body).cons(post)));
            return RT.list(Symbol.intern("clojure.core", "let"), clojure.lang.PersistentVector.create(g, s),
                    RT.list(Symbol.intern(NS, "sem-wait"), g), tryForm);
        }
    }

    private static void refer(Namespace ns, Symbol sym, Var v) {
        Object existing = ns.getMapping(sym);
        if (existing != null && existing != v) ns.unmap(sym);
        ns.refer(sym, v);
    }

    private static IPersistentMap meta(Builtin b) {
        return PersistentHashMap.create(Keyword.intern("doc"), b.doc(),
                Keyword.intern("arglists"), new ArglistsSeq(b.arglists()),
                Keyword.intern("name"), Symbol.intern(b.name()),
                Keyword.intern("ns"), Namespace.find(Symbol.intern(NS)),
                Keyword.intern("group"), b.group());
    }

    /** (doc x) → (ipcsh.core/doc* 'x): builtins from the registry, the rest from clojure.repl. */
    private static final class DocMacro extends AFn {
        @Override
        public Object invoke(Object form, Object env, Object name) {
            return RT.list(Symbol.intern(NS, "doc*"), RT.list(Symbol.intern("quote"), name));
        }
    }

    static void printDoc(Symbol sym) {
        Builtin b = sym.getNamespace() == null || sym.getNamespace().equals(NS)
                ? Registry.standard().get(sym.getName()) : null;
        if (b == null && (sym.getNamespace() == null || sym.getNamespace().equals(NS))) {
            b = forms().stream().filter(f -> f.name().equals(sym.getName())).findFirst().orElse(null);
        }
        PrintWriter out = new PrintWriter((java.io.Writer) RT.OUT.deref(), true);
        if (b != null) {
            out.print(DocText.render(b));
            out.flush();
            return;
        }
        clojure.lang.IFn original = (clojure.lang.IFn) ReplTools.original("doc");
        StringWriter shown = new StringWriter();
        Var.pushThreadBindings(RT.map(RT.OUT, shown));
        try {
            eval(original.invoke(RT.list(Symbol.intern("doc"), sym), null, sym));
        } finally {
            Var.popThreadBindings();
        }
        if (shown.getBuffer().isEmpty()) {
            out.println("nothing is named " + sym + " here; (apropos \"" + sym.getName() + "\") searches names and summaries");
        } else {
            out.print(shown);
        }
        out.flush();
    }

    private static void installPrinting() {
        MultiFn printMethod = (MultiFn) RT.var("clojure.core", "print-method").deref();
        AFn printer = new AFn() {
            @Override
            public Object invoke(Object x, Object w) {
                try {
                    ((java.io.Writer) w).write(x.toString());
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
                return null;
            }
        };
        printMethod.addMethod(Channel.class, printer);
        printMethod.addMethod(ipcsh.loop.EventLoop.Timer.class, printer);
        printMethod.addMethod(ipcsh.shm.Segment.class, printer);
        printMethod.addMethod(ipcsh.ipc.Semaphore.class, printer);
        printMethod.addMethod(ipcsh.ipc.SysvQueue.class, printer);
        printMethod.addMethod(ipcsh.lock.FileLock.class, printer);
        printMethod.addMethod(ipcsh.shm.Mutex.class, printer);
        printMethod.addMethod(ipcsh.Handle.class, printer);
    }

    private static void installJavaIo() {
        Var protocol = RT.var("clojure.java.io", "IOFactory");
        IPersistentMap defaults = (IPersistentMap) RT.var("clojure.java.io", "default-streams-impl").deref();
        IPersistentMap impl = defaults
                .assoc(Keyword.intern("make-input-stream"), new AFn() {
                    @Override
                    public Object invoke(Object ch, Object opts) {
                        return ((Channel) ch).inputStream();
                    }
                })
                .assoc(Keyword.intern("make-output-stream"), new AFn() {
                    @Override
                    public Object invoke(Object ch, Object opts) {
                        return ((Channel) ch).outputStream();
                    }
                });
        RT.var("clojure.core", "extend").invoke(Channel.class, protocol.deref(), impl);
    }

    /** Binds *command-line-args* (when the runtime is made, if it is not yet). */
    public static synchronized void commandLineArgs(List<String> args) {
        ClojureRuntime.args = List.copyOf(args);
        if (installed) bindArgs();
    }

    private static void bindArgs() {
        RT.var("clojure.core", "*command-line-args*").bindRoot(RT.seq(args.toArray()));
    }

    /** What the interactive REPL prints of a long or deep value by default (scripts print all). */
    public static final long PRINT_LENGTH = 100, PRINT_LEVEL = 10;

    /** Runs body with the script thread bindings (*ns* user, *1 *2 *3 *e, warn flags) in place. */
    public static <T> T withBindings(java.util.function.Supplier<T> body) {
        return withBindings(false, body);
    }

    /**
     * The same; for the interactive REPL (interactive) *print-length* and *print-level* are
     * bound too, so (range) prints its first items instead of filling the memory, and
     * (set! *print-length* nil) works.
     */
    public static <T> T withBindings(boolean interactive, java.util.function.Supplier<T> body) {
        Var.pushThreadBindings(bindings(interactive));
        try {
            return body.get();
        } finally {
            Var.popThreadBindings();
        }
    }

    private static clojure.lang.Associative bindings(boolean interactive) {
        return RT.mapUniqueKeys(
                RT.var("clojure.core", "*print-length*"), interactive ? PRINT_LENGTH : RT.var("clojure.core", "*print-length*").deref(),
                RT.var("clojure.core", "*print-level*"), interactive ? PRINT_LEVEL : RT.var("clojure.core", "*print-level*").deref(),
                RT.CURRENT_NS, Namespace.findOrCreate(USER),
                RT.var("clojure.core", "*1"), null,
                RT.var("clojure.core", "*2"), null,
                RT.var("clojure.core", "*3"), null,
                RT.var("clojure.core", "*e"), null,
                RT.var("clojure.core", "*warn-on-reflection*"), false,
                RT.UNCHECKED_MATH, RT.UNCHECKED_MATH.deref(),
                Compiler.LOADER, RT.makeClassLoader());
    }

    public static Object eval(Object form) {
        return Compiler.eval(form);
    }

    /**
     * Reads and evaluates every form of source, like a file named name; returns the last value.
     * Errors keep Clojure's CompilerException with file, line and column.
     */
    public static Object load(Reader source, String path, String name) {
        return Compiler.load(source, path, name);
    }

    /**
     * Where the top-level form being loaded starts, as a one-frame trace; null outside a load.
     * Code Clojure interprets rather than compiles (a def's init) leaves no frame of the user's
     * file on the Java stack, so a callback registered there is placed by its top-level form.
     */
    public static Throwable topLevelForm() {
        Object source = Compiler.SOURCE.deref();
        if (!(Compiler.LINE_BEFORE.deref() instanceof Number line) || line.intValue() <= 0 || source == null) return null;
        Throwable t = new Throwable("top-level form");
        t.setStackTrace(new StackTraceElement[] {new StackTraceElement("user", "eval", String.valueOf(source), line.intValue())});
        return t;
    }

    /** Evaluates the forms of a REPL entry or -e string, remembering *1 *2 *3 and *e. */
    public static Object evalString(String code, String name) {
        try {
            Object v = Compiler.load(new StringReader(code), name, name);
            Var one = RT.var("clojure.core", "*1");
            Var two = RT.var("clojure.core", "*2");
            RT.var("clojure.core", "*3").set(two.deref());
            two.set(one.deref());
            one.set(v);
            return v;
        } catch (RuntimeException e) {
            RT.var("clojure.core", "*e").set(e);
            throw e;
        }
    }

    /** The readable form of a value, as the REPL prints it; Ctrl-C (Interrupts) stops a long one. */
    public static String print(Object v) {
        StringWriter w = new StringWriter() {
            @Override
            public void write(String str) {
                if (ipcsh.chan.Interrupts.pending()) throw new ipcsh.chan.Interrupts.InterruptedError("printing");
                super.write(str);
            }

            @Override
            public void write(int c) {
                if (ipcsh.chan.Interrupts.pending()) throw new ipcsh.chan.Interrupts.InterruptedError("printing");
                super.write(c);
            }
        };
        try {
            RT.print(v, w);
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
        return w.toString();
    }

    /** Whether text holds only complete forms (the REPL continues the line otherwise). */
    public static boolean complete(String text) {
        LineNumberingPushbackReader r = new LineNumberingPushbackReader(new StringReader(text));
        Object eof = new Object();
        try {
            while (true) {
                Object form = clojure.lang.LispReader.read(r, false, eof, false);
                if (form == eof) return true;
            }
        } catch (RuntimeException e) {
            Throwable c = e;
            while (c.getCause() != null) c = c.getCause();
            String m = String.valueOf(c.getMessage());
            return !m.startsWith("EOF while reading");
        }
    }

    /** For the interactive REPL: Ctrl-C stops infinite sequences being realised (see {@link ReplTools}). */
    public static void interruptibleSeqs() {
        ReplTools.interruptibleSeqs();
    }

    public static Namespace userNs() {
        return Namespace.findOrCreate(USER);
    }
}
