package ipcsh.lang.js;

import ipcsh.lang.ErrorReport;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The JavaScript entry point the rest of the shell sees. Nothing here mentions a GraalVM type,
 * so a Clojure-only run never loads one: the polyglot {@code Context} is made by
 * {@link JsEngine} on the first JS use (lazy holder, through {@link JsLoader}), and used only on
 * the interpreter thread.
 *
 * <p>Values returned here are the builtins' plain Java (String, Long, Double, Boolean, byte[],
 * List, Map with String keys, Channel, Callback), as {@code ipcsh.registry.Args} describes.
 */
public final class Js {
    private static volatile PrintStream err = System.err;
    private static volatile ErrorReport.Sources sources = new ErrorReport.Sources();
    private static volatile boolean debug;
    private static volatile List<String> args = List.of();
    private static volatile boolean started;
    private static volatile java.util.concurrent.FutureTask<JsRuntime> early;
    private static volatile JsRuntime made;

    private Js() {}

    /** Where console.error and engine output go, and where loaded sources are recorded. Cheap: loads nothing. */
    public static void configure(ErrorReport.Sources sources, PrintStream err, boolean debug) {
        Js.sources = sources;
        Js.err = err;
        Js.debug = debug;
    }

    /**
     * Starts making the engine on a thread of its own, for a run known to be JavaScript before
     * its session exists: the Context, the realm and the bootstrap take most of a one-line
     * script's start, and the shell's own start (the session, the registry, reading the
     * script) and the JIT's threads get the other core meanwhile. The first use joins it; what
     * the making throws is thrown there, as when the first use makes the engine itself.
     */
    public static void startEarly(boolean debug) {
        if (early != null) return;
        Js.debug = debug;
        java.util.concurrent.FutureTask<JsRuntime> task = new java.util.concurrent.FutureTask<>(JsLoader::engine);
        early = task;
        Thread t = new Thread(task, "ipcsh-js-start");
        t.setDaemon(true);
        t.start();
    }

    /** The script's arguments, as {@code ipc.args}. */
    public static void args(List<String> args) {
        Js.args = List.copyOf(args);
        if (started) Holder.ENGINE.setArgs(Js.args);
    }

    /** Whether the JS engine has been started in this process. */
    public static boolean started() {
        return started;
    }

    /**
     * Ctrl-C: stops the JS running on the interpreter thread (a loop that never calls a builtin
     * too), if JS has started. Called from the signal handler's thread; waits at most 0.5 s.
     */
    public static void interrupt() {
        if (started) Holder.ENGINE.interrupt();
    }

    /** Where the JavaScript that called the running builtin is, as a throwable; null when none did. */
    public static Throwable stackHere() {
        return started ? Holder.ENGINE.stackHere() : null;
    }

    /** Runs a .js or .mjs file: as an ES module when it ends in .mjs or uses import/export or top-level await. */
    public static void runFile(Path file, String text) {
        Holder.ENGINE.runFile(file, text);
    }

    /** Runs a script that is not a file (standard input): a module when it uses import/export or top-level await. */
    public static void runText(String name, String text) {
        Holder.ENGINE.runText(name, text);
    }

    /** Evaluates code as a script named name; returns the value as plain Java. */
    public static Object eval(String code, String name) {
        return Holder.ENGINE.evalToJava(code, name);
    }

    /** Evaluates a REPL entry or -e string and returns the value as the REPL prints it. */
    public static String evalAndShow(String code, String name) {
        return Holder.ENGINE.evalAndShow(code, name);
    }

    /**
     * A REPL entry's result: the value as the REPL prints it, and rows when the value is a
     * non-empty array of plain objects (a List of Maps with String keys), else null.
     */
    public record Shown(String shown, Object rows) {}

    /** Evaluates a REPL entry: its printed form and, for a listing, its rows for a table. */
    public static Shown evalForRepl(String code, String name) {
        return Holder.ENGINE.evalForRepl(code, name);
    }

    /**
     * The ipc object's members as Bootstrap makes them, each with its summary: every builtin
     * and form (ipc.withSem) by its JS name, a Promise form by its own, and the binding's
     * extras. Known without starting the engine.
     */
    public static java.util.Map<String, String> ipcMembers() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (ipcsh.registry.Builtin b : ipcsh.lang.HelpBuiltins.documented(ipcsh.registry.Registry.standard())) {
            out.put(b.jsName(), b.summary());
            if (b.js().promise() != null) out.put(b.js().promise(), b.js().promiseSummary());
        }
        for (JsExtras.Member m : JsExtras.IPC) out.put(m.name(), m.summary());
        return out;
    }

    /** The methods of channel objects (ch.gets()), each with its summary. */
    public static java.util.Map<String, String> channelMethods() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (ipcsh.registry.Builtin b : ipcsh.registry.Registry.standard().all()) {
            if (b.channelMethod()) out.putIfAbsent(b.jsName(), b.summary());
        }
        for (JsExtras.Member m : JsExtras.CHANNEL) out.put(m.name(), m.summary());
        return out;
    }

    /** What a chain of names holds, for completion: whether it is a channel, and its member names. */
    public record Members(boolean channel, List<String> names) {}

    /**
     * The members of what a chain of names (a.b.c) holds in the session now; null when the text
     * is not such a chain or names nothing. Starts the engine if need be. Interpreter thread only.
     */
    public static Members membersOf(String chain) {
        return Holder.ENGINE.membersOf(chain);
    }

    /** The session's global names (top-level const and let too). Starts the engine if need be. Interpreter thread only. */
    public static List<String> globalNames() {
        return Holder.ENGINE.globalNames();
    }

    // The engine's side of this package may be in a loader of its own (JsLoader): what it asks
    // of this side is public.

    public static String displayPath(String path) {
        return Holder.ENGINE.displayPath(path);
    }

    public static PrintStream err() {
        return err;
    }

    static ErrorReport.Sources sources() {
        return sources;
    }

    public static boolean debug() {
        return debug;
    }

    public static List<String> currentArgs() {
        return args;
    }

    /**
     * The engine, from the start of its making (an error while it makes its context is reported
     * through it too, before the lazy holder has it).
     */
    public static void making(JsRuntime engine) {
        made = engine;
    }

    /** JsErrors' work on a PolyglotException (there is one only once the engine is being made). */
    static String errorMessage(Throwable polyglotException) {
        JsRuntime e = made;
        return e == null ? null : e.errorMessage(polyglotException);
    }

    static ErrorReport.Location errorLocation(Throwable polyglotException, ErrorReport.Sources sources) {
        JsRuntime e = made;
        return e == null ? null : e.errorLocation(polyglotException, sources);
    }

    /** The lazy holder: the engine is made on the first call that needs it. */
    private static final class Holder {
        static final JsRuntime ENGINE = start();

        private static JsRuntime start() {
            java.util.concurrent.FutureTask<JsRuntime> task = early;
            JsRuntime e = task == null ? JsLoader.engine() : joined(task);
            started = true;
            ipcsh.loop.QuitReport.install(); // the start of a JavaScript run ends here (see Session)
            return e;
        }

        /** The engine startEarly made, with the arguments set since (its thread may have read them before). */
        private static JsRuntime joined(java.util.concurrent.FutureTask<JsRuntime> task) {
            boolean interrupted = false;
            // done here while the engine's thread builds the Context: the registry, and BigDecimal,
            // which GraalJS's context initializes (JSDurationFormat's constants) with ~20 ms of
            // BigInteger squaring in the bytecode interpreter (a JDK class: no lock order to share)
            ipcsh.registry.Registry.standard();
            java.math.BigDecimal.valueOf(1);
            try {
                while (true) {
                    try {
                        JsRuntime e = task.get();
                        e.setArgs(args);
                        return e;
                    } catch (InterruptedException ie) {
                        interrupted = true; // the engine is needed either way: its making is not cancelled
                    } catch (java.util.concurrent.ExecutionException ee) {
                        Throwable cause = ee.getCause();
                        if (cause instanceof RuntimeException r) throw r;
                        if (cause instanceof Error err) throw err;
                        throw new IllegalStateException(cause);
                    }
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }
    }
}
