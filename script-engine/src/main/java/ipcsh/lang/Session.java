package ipcsh.lang;

import ipcsh.ExitRequest;
import ipcsh.chan.Interrupts;
import ipcsh.lang.clj.ClojureRuntime;
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
        this.errors = new ErrorReport(sources, debug);
        this.err = err;
        ClojureRuntime.install();
        ipcsh.lang.js.Js.configure(sources, err, debug);
        loop.onError(this::callbackFailed);
        ipcsh.loop.CallbackError.languageStack(() -> {
            Throwable js = ipcsh.lang.js.Js.stackHere();
            return js != null ? js : ClojureRuntime.topLevelForm();
        });
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
            return run(() -> {
                ipcsh.lang.js.Js.runFile(file, text);
                return null;
            }, true);
        }
        return run(() -> {
            ClojureRuntime.load(new StringReader(text), path, file.getFileName().toString());
            return null;
        }, true);
    }

    /** -e: evaluates the forms and prints the last value unless it is nil. */
    public int evalAndPrint(String code, List<String> args, PrintStream out) {
        sources.add("<expr>", code);
        ClojureRuntime.commandLineArgs(args);
        if (language.equals("js")) {
            ipcsh.lang.js.Js.args(args);
            return run(() -> {
                String shown = ipcsh.lang.js.Js.evalAndShow(code, "<expr>");
                if (!shown.equals("undefined") && !shown.equals("null")) out.println(shown);
                return null;
            }, true);
        }
        return run(() -> {
            Object v = ClojureRuntime.evalString(code, "<expr>");
            if (v != null) out.println(ClojureRuntime.print(v));
            return null;
        }, true);
    }

    private int run(java.util.function.Supplier<Object> body, boolean serveEvents) {
        script = true;
        return ClojureRuntime.withBindings(() -> {
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
                ExitRequest exit = exitIn(t);
                flushOut();
                if (exit != null) return exit.status();
                err.print(errors.render(t));
                err.flush();
                return 1;
            }
        });
    }

    /** Clojure wraps what a form throws; (exit n) deep inside must still exit. */
    static ExitRequest exitIn(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof ExitRequest e) return e;
        return null;
    }

    private static void flushOut() {
        try {
            ((java.io.Writer) clojure.lang.RT.OUT.deref()).flush();
            ((java.io.Writer) clojure.lang.RT.ERR.deref()).flush(); // a (print) to *err* waits in its buffer too
        } catch (IOException ignored) {
            // stdout gone (a closed pipe): nothing left to tell
        }
        System.out.flush();
    }

    /** REPL entry: evaluates one complete entry; returns the printed value (null for errors, printed already). */
    public String evalForRepl(String code) {
        Interrupts.clear();
        String word = code.trim();
        if (word.equals(":js") || word.equals(":clj")) {
            language(word.substring(1));
            return word.equals(":js") ? "JavaScript; :clj returns to Clojure" : "Clojure; :js switches to JavaScript";
        }
        sources.add("repl", code);
        if (language.equals("js")) {
            String shown = ipcsh.lang.js.Js.evalAndShow(code, "repl");
            flushOut();
            return shown;
        }
        Object v = ClojureRuntime.evalString(code, "repl");
        flushOut();
        return ClojureRuntime.print(v);
    }

    public <T> T withReplBindings(java.util.function.Supplier<T> body) {
        return ClojureRuntime.withBindings(body);
    }
}
