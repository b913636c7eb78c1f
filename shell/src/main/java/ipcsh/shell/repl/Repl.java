package ipcsh.shell.repl;

import clojure.lang.RT;
import ipcsh.ExitRequest;
import ipcsh.chan.Interrupts;
import ipcsh.lang.Session;
import ipcsh.shell.Version;
import ipcsh.loop.EventLoop;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The interactive shell. The calling (main) thread is the interpreter thread and runs the
 * event loop; a line-reader thread runs JLine and posts each complete entry to the loop, so
 * callbacks keep running while the prompt waits, and print above it.
 */
public final class Repl {
    public static final String PROMPT = "ipcsh> ";
    /** Ctrl-C came while an entry ran: the terminal echoed ^C, so what follows starts a line. */
    private static final AtomicBoolean CTRL_C = new AtomicBoolean();
    /** A Clojure entry is being evaluated (not JS, not a callback, not the wait for events). */
    private static final AtomicBoolean CLOJURE_RUNNING = new AtomicBoolean();

    private Repl() {}

    /** The one line the REPL greets with (none with -q). */
    static String banner() {
        return "ipcsh " + Version.TEXT + " (Clojure " + RT.var("clojure.core", "clojure-version").invoke()
               + ", JDK " + Runtime.version().feature() + "." + Runtime.version().interim() + "." + Runtime.version().update()
               + "): (help) for help, Ctrl-D to exit";
    }

    /** lang: the language entries start in, "clj" or "js" (:js and :clj switch); quiet: no greeting. */
    public static int start(boolean debug, String lang, boolean quiet) {
        Terminal terminal;
        try {
            terminal = TerminalBuilder.builder().system(true).dumb(true).name("ipcsh").build();
        } catch (IOException e) {
            System.err.println("ipcsh: cannot open the terminal: " + e.getMessage());
            return 1;
        }
        ipcsh.groups.StdStreams.lineEditorOwnsTerminal(true);
        AtomicReference<Session> current = new AtomicReference<>();
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("ipcsh")
                .parser(new ClojureParser(() -> current.get().language().equals("js")))
                .completer(new NameCompleter(() -> current.get().language().equals("js"), new JsCompleter(EventLoop.main())))
                .variable(LineReader.HISTORY_FILE, historyFile())
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P  > ")
                .variable(LineReader.INDENTATION, 2)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.INSERT_BRACKET, false)
                .build();
        PrintAboveWriter out = new PrintAboveWriter(reader, terminal);
        ipcsh.Console.install(out); // tap logs and dumps print above the prompt too, from any thread
        RT.OUT.bindRoot(out);
        RT.ERR.bindRoot(new java.io.PrintWriter(out, true)); // *err* too: above the prompt
        PrintStream err = new PrintStream(new PrintAboveWriter.Stream(out), true);
        // errors of callbacks (the loop's error handler prints them) go above the prompt too
        Session session = new Session(debug, err);
        session.language(lang);
        current.set(session);
        ipcsh.lang.clj.ClojureRuntime.interruptibleSeqs();
        boolean color = System.getenv("NO_COLOR") == null && !Terminal.TYPE_DUMB.equals(terminal.getType())
                && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
        if (!quiet) {
            terminal.writer().println(banner());
            terminal.writer().flush();
        }
        Thread interpreter = Thread.currentThread();
        terminal.handle(Terminal.Signal.INT, s -> {
            CTRL_C.set(true);
            // a form in Thread/sleep, a lock or a future waits in Java, not in a verb's poll
            // (JavaScript has Context.interrupt, below)
            if (CLOJURE_RUNNING.get()) interpreter.interrupt();
            Interrupts.interrupt();
            ipcsh.lang.js.Js.interrupt();
        });
        EventLoop loop = session.loop();

        Thread lines = new Thread(() -> readLines(reader, session, loop, out, color), "ipcsh-line-reader");
        lines.setDaemon(true);
        lines.start();
        return session.withReplBindings(() -> {
            while (true) {
                try {
                    loop.runOnce(-1);
                } catch (ExitRequest e) {
                    out.flush();
                    try {
                        reader.getHistory().save();
                        terminal.close();
                    } catch (IOException ignored) {
                        // leaving anyway
                    }
                    return e.status();
                } catch (InterruptedException e) {
                    Thread.interrupted();
                }
            }
        });
    }

    private static void readLines(LineReader reader, Session session, EventLoop loop, PrintAboveWriter out, boolean color) {
        while (true) {
            String entry;
            try {
                entry = reader.readLine(session.language().equals("js") ? "ipcsh(js)> " : PROMPT);
            } catch (UserInterruptException e) {
                continue; // Ctrl-C at the prompt drops the line
            } catch (EndOfFileException e) {
                loop.post(() -> {
                    throw new ExitRequest(0);
                });
                return;
            }
            if (entry.isBlank()) continue;
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.post(() -> {
                CTRL_C.set(false);
                String word = entry.trim();
                CLOJURE_RUNNING.set(session.language().equals("clj") && !word.equals(":js") && !word.equals(":clj"));
                try {
                    out.interruptible(true);
                    Session.ReplResult r = session.evalEntry(entry);
                    Terminal t = reader.getTerminal();
                    List<AttributedString> table = r.value() == null ? null : TablePrinter.table(r.value(), t.getWidth() > 0 ? t.getWidth() : 80, color);
                    out.flush();
                    afterCtrlC(reader);
                    if (table != null) {
                        for (AttributedString l : table) t.writer().println(color ? l.toAnsi(t) : l.toString());
                    } else {
                        t.writer().println(r.printed());
                    }
                    if (r.after() != null) error(reader, session, r.after(), color);
                } catch (Throwable t) {
                    ExitRequest exit = ExitRequest.in(t);
                    if (exit != null) {
                        done.complete(null);
                        throw exit;
                    }
                    out.flush();
                    afterCtrlC(reader);
                    error(reader, session, t, color);
                } finally {
                    out.interruptible(false);
                    CLOJURE_RUNNING.set(false);
                    Thread.interrupted(); // a Ctrl-C that came as the entry ended
                    reader.getTerminal().writer().flush();
                    Interrupts.clear();
                    done.complete(null);
                }
            });
            done.join();
        }
    }

    private static void error(LineReader reader, Session session, Throwable t, boolean color) {
        String msg = session.errors().oneLine(t);
        reader.getTerminal().writer().println(color
                ? new AttributedString(msg, AttributedStyle.DEFAULT.foreground(AttributedStyle.RED)).toAnsi(reader.getTerminal())
                : msg);
    }

    /** ~/.ipcsh_history, ~ from $HOME like every shell (user.home is the passwd entry's). */
    static Path historyFile() {
        String home = System.getenv("HOME");
        if (home == null || home.isBlank()) home = System.getProperty("user.home");
        return Path.of(home, ".ipcsh_history");
    }

    private static void afterCtrlC(LineReader reader) {
        if (CTRL_C.getAndSet(false)) reader.getTerminal().writer().println();
    }
}
