package ipcsh.lang;

import ipcsh.RegisteredAt;
import ipcsh.ExitRequest;
import ipcsh.chan.Interrupts;
import ipcsh.lang.clj.ClojureRuntime;
import ipcsh.lang.clj.SyntaxCheck;
import ipcsh.loop.EventLoop;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * One shell: the languages, the event loop and the error renderer, used by the script
 * runner, {@code -e} and the REPL. Everything here runs on the interpreter thread.
 */
public final class Session {
    private final EventLoop loop = EventLoop.main();
    private final ErrorReport.Sources sources = new ErrorReport.Sources();
    private final ErrorReport errors;
    private final PrintStream err;
    private volatile String language = "clj";
    private final Thread interpreter = Thread.currentThread();
    /** A script or -e is running (not the REPL): an uncaught error ends it. */
    private volatile boolean script;
    private volatile boolean strict;
    /** A callback of the script failed: it goes on serving, and ends with status 1. */
    private volatile boolean callbackFailed;

    /** Made on the interpreter thread. */
    public Session(boolean debug, PrintStream err) {
        this(debug, err, false);
    }

    /**
     * For a JavaScript script or -e: the Clojure runtime is made only if the script comes to
     * use it (ipc.clj, help), since making it is a fifth of a JavaScript start-up (issue 21).
     */
    public static Session forJavaScript(boolean debug, PrintStream err) {
        return new Session(debug, err, true);
    }

    private Session(boolean debug, PrintStream err, boolean clojureOnDemand) {
        this.errors = new ErrorReport(sources, debug);
        this.err = err;
        if (!clojureOnDemand) ClojureRuntime.install();
        ipcsh.lang.js.Js.configure(sources, err, debug);
        loop.onError(this::callbackFailed);
        ipcsh.RegisteredAt.languageStack(() -> {
            Throwable js = ipcsh.lang.js.Js.stackHere();
            return js != null || !ClojureRuntime.installed() ? js : ClojureRuntime.topLevelForm();
        });
        ipcsh.loop.CallbackError.locator(t -> {
            ErrorReport.Location loc = errors.registration(t);
            return loc == null ? null : loc.toString();
        });
        ipcsh.loop.Pending.interpreter(interpreter);
        // a JavaScript run takes SIGQUIT over once its engine is made (Js): linking the native calls
        // that takes (~0.1 s of CPU) would otherwise fall in the engine's start, on the core it needs
        if (!clojureOnDemand) ipcsh.loop.QuitReport.install();
        ipcsh.chan.drivers.StdioDriver.beforeOutput(() -> {
            flushOut();
            err.flush();
        });
    }

    /** --strict: the first failing callback ends a script at once, with status 1. */
    public void strict(boolean on) {
        strict = on;
    }

    /**
     * The event loop's error handler: a failing callback is reported with where it was
     * registered and the script goes on (status 1 at its end), or ends at once under --strict;
     * an {@link UncaughtError} ends a script as a top-level error does. The REPL goes on.
     */
    private void callbackFailed(Throwable t) {
        err.print(errors.render(t));
        err.flush();
        callbackFailed = true;
        if (!script) return;
        boolean uncaught = false;
        for (Throwable c = t; c != null; c = c.getCause()) uncaught |= c instanceof UncaughtError;
        if (!strict && !uncaught) return;
        if (Thread.currentThread() == interpreter) throw new ExitRequest(1);
        loop.post(() -> {
            throw new ExitRequest(1);
        });
    }

    public EventLoop loop() {
        return loop;
    }

    public ErrorReport errors() {
        return errors;
    }

    /** The language of -e and REPL entries: "clj" or "js". */
    public String language() {
        return language;
    }

    public void language(String lang) {
        if (!lang.equals("clj") && !lang.equals("js")) throw new IllegalArgumentException("unknown language " + lang);
        language = lang;
    }

    /**
     * Runs a script, then serves events while anything is registered (like Node).
     * Returns the exit status: (exit n), 0, or 1 after an uncaught error.
     */
    public int runScript(Path file, List<String> args) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            err.println("error: cannot run \"" + file + "\": No such file or directory (ENOENT)");
            return 1;
        } catch (IOException e) {
            err.println("error: cannot run \"" + file + "\": " + e.getMessage());
            return 1;
        }
        String path = file.toString();
        sources.add(path, text);
        ClojureRuntime.commandLineArgs(args);
        if (path.endsWith(".js") || path.endsWith(".mjs")) {
            ipcsh.lang.js.Js.args(args);
            return runJs(() -> ipcsh.lang.js.Js.runFile(file, text));
        }
        return runClojure(text, path, file.getFileName().toString());
    }

    /** The name errors give a script read from standard input. */
    public static final String STDIN = "<stdin>";

    /** {@code ipcsh -} (or piped input and no script): the script is standard input, in the session's language. */
    public int runStdin(List<String> args) {
        String text;
        try {
            text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("error: cannot read the script from standard input: " + e.getMessage());
            return 1;
        }
        sources.add(STDIN, text);
        ClojureRuntime.commandLineArgs(args);
        if (language.equals("js")) {
            ipcsh.lang.js.Js.args(args);
            return runJs(() -> ipcsh.lang.js.Js.runText(STDIN, text));
        }
        return runClojure(text, STDIN, STDIN);
    }

    /** A Clojure script runs only when all of it reads: a form left open at the end runs nothing. */
    private int runClojure(String text, String path, String name) {
        ClojureRuntime.install();
        SyntaxCheck.Problem problem = SyntaxCheck.check(text, path);
        if (problem != null) {
            err.print(errors.render(problem.error()));
            err.flush();
            return 1;
        }
        return run(() -> {
            ClojureRuntime.load(new StringReader(text), path, name);
            return null;
        }, true);
    }

    /**
     * -e: evaluates the forms and prints the last value unless it is nil. A form left open
     * runs nothing; a stray closing delimiter is reported after the forms before it ran.
     */
    public int evalAndPrint(String code, List<String> args, PrintStream out) {
        sources.add(EXPR, code);
        ClojureRuntime.commandLineArgs(args);
        if (language.equals("js")) {
            ipcsh.lang.js.Js.args(args);
            return runJs(() -> {
                String shown = ipcsh.lang.js.Js.evalAndShow(code, EXPR);
                if (!shown.equals("undefined") && !shown.equals("null")) out.println(shown);
            });
        }
        ClojureRuntime.install();
        SyntaxCheck.Problem problem = SyntaxCheck.check(code, EXPR);
        if (problem != null && problem.unclosed()) {
            err.print(errors.render(problem.error()));
            err.flush();
            return 1;
        }
        return run(() -> {
            Object v = ClojureRuntime.evalString(problem == null ? code : code.substring(0, problem.readable()), EXPR);
            if (v != null) out.println(ClojureRuntime.print(v));
            if (problem != null) throw problem.error();
            return null;
        }, true);
    }

    private static final String EXPR = "<expr>";

    /** A JavaScript run: Clojure's script bindings are pushed only if it comes to use Clojure. */
    private int runJs(Runnable body) {
        return run(() -> {
            body.run();
            return null;
        }, true, true);
    }

    private int run(java.util.function.Supplier<Object> body, boolean serveEvents) {
        return run(body, serveEvents, false);
    }

    private int run(java.util.function.Supplier<Object> body, boolean serveEvents, boolean js) {
        script = true;
        java.util.function.Supplier<Integer> inBindings = () -> {
            try {
                body.get();
                if (serveEvents) loop.run();
                flushOut();
                return callbackFailed ? 1 : 0;
            } catch (ExitRequest e) {
                flushOut();
                return e.status();
            } catch (InterruptedException e) {
                return 130;
            } catch (Throwable t) {
                ExitRequest exit = ExitRequest.in(t);
                flushOut();
                if (exit != null) return exit.status();
                err.print(errors.render(t));
                err.flush();
                return 1;
            }
        };
        return js ? ClojureRuntime.withLateBindings(inBindings) : ClojureRuntime.withBindings(inBindings);
    }

    private static void flushOut() {
        try {
            if (!ClojureRuntime.installed()) {
                System.out.flush();
                return;
            }
            ((java.io.Writer) clojure.lang.RT.OUT.deref()).flush();
            System.out.flush();
            ((java.io.Writer) clojure.lang.RT.ERR.deref()).flush(); // a (print) to *err* waits in its buffer too
        } catch (IOException | ExitRequest ignored) {
            // stdout gone (a closed pipe): nothing left to tell
        }
    }

    /**
     * What one REPL entry gave: its value (for the table printer; for JavaScript only a listing,
     * as a List of Maps), the value as the REPL
     * prints it, and an error to show after it (a stray closing delimiter after the forms that
     * read), or null.
     */
    public record ReplResult(Object value, String printed, RuntimeException after) {}

    /**
     * REPL entry: evaluates one complete entry and returns the value as printed. A stray
     * closing delimiter after the forms is thrown (after they ran); {@link #evalEntry} gives
     * the value and that error both.
     */
    public String evalForRepl(String code) {
        ReplResult r = evalEntry(code);
        if (r.after() != null) throw r.after();
        return r.printed();
    }

    /** REPL entry: evaluates one complete entry; a bare {@code help} is {@code (help)}. */
    public ReplResult evalEntry(String code) {
        Interrupts.clear();
        String word = code.trim();
        if (word.equals(":js") || word.equals(":clj")) {
            language(word.substring(1));
            return new ReplResult(null, word.equals(":js") ? "JavaScript; :clj returns to Clojure" : "Clojure; :js switches to JavaScript", null);
        }
        ClojureRuntime.install();
        boolean js = language.equals("js");
        if (word.equals("help")) code = js ? "ipc.help()" : "(help)";
        sources.add("repl", code);
        if (js) {
            ipcsh.lang.js.Js.Shown shown = ipcsh.lang.js.Js.evalForRepl(code, "repl");
            flushOut();
            return new ReplResult(shown.rows(), shown.shown(), null);
        }
        SyntaxCheck.Problem problem = SyntaxCheck.check(code, "repl");
        if (problem != null && code.substring(0, problem.readable()).isBlank()) throw problem.error();
        Object v = ClojureRuntime.evalString(problem == null ? code : code.substring(0, problem.readable()), "repl");
        flushOut();
        return new ReplResult(v, ClojureRuntime.print(v), problem == null ? null : problem.error());
    }

    public <T> T withReplBindings(java.util.function.Supplier<T> body) {
        ClojureRuntime.install();
        return ClojureRuntime.withBindings(true, body);
    }
}
