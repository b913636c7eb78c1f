package ipcsh.shell.repl;

import clojure.lang.RT;
import ipcsh.ExitRequest;
import ipcsh.chan.Interrupts;
import ipcsh.lang.Session;
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
import java.util.concurrent.CompletableFuture;

/**
 * The interactive shell. The calling (main) thread is the interpreter thread and runs the
 * event loop; a line-reader thread runs JLine and posts each complete entry to the loop, so
 * callbacks keep running while the prompt waits, and print above it.
 */
public final class Repl {
    public static final String PROMPT = "ipcsh> ";

    private Repl() {}

    public static int start(boolean debug) {
        return start(debug, "clj");
    }

    /** lang: the language entries start in, "clj" or "js" (:js and :clj switch). */
    public static int start(boolean debug, String lang) {
        Terminal terminal;
        try {
            terminal = TerminalBuilder.builder().system(true).dumb(true).name("ipcsh").build();
        } catch (IOException e) {
            System.err.println("ipcsh: cannot open the terminal: " + e.getMessage());
            return 1;
        }
        Session session = new Session(debug, System.err);
        session.language(lang);
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("ipcsh")
                .parser(new ClojureParser())
                .completer(new NameCompleter())
                .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".ipcsh_history"))
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P  > ")
                .variable(LineReader.INDENTATION, 2)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.INSERT_BRACKET, false)
                .build();
        PrintAboveWriter out = new PrintAboveWriter(reader, terminal);
        RT.OUT.bindRoot(out);
        PrintStream err = new PrintStream(new PrintAboveWriter.Stream(out), true);
        terminal.handle(Terminal.Signal.INT, s -> {
            Interrupts.interrupt();
            ipcsh.lang.js.Js.interrupt();
        });
        EventLoop loop = session.loop();

        Thread lines = new Thread(() -> readLines(reader, session, loop, out, err), "ipcsh-line-reader");
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

    private static void readLines(LineReader reader, Session session, EventLoop loop, PrintAboveWriter out, PrintStream err) {
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
                try {
                    String printed = session.evalForRepl(entry);
                    out.flush();
                    reader.getTerminal().writer().println(printed);
                } catch (Throwable t) {
                    ExitRequest exit = exitIn(t);
                    if (exit != null) {
                        done.complete(null);
                        throw exit;
                    }
                    out.flush();
                    String msg = session.errors().oneLine(t);
                    reader.getTerminal().writer().println(
                            new AttributedString(msg, AttributedStyle.DEFAULT.foreground(AttributedStyle.RED))
                                    .toAnsi(reader.getTerminal()));
                } finally {
                    reader.getTerminal().writer().flush();
                    Interrupts.clear();
                    done.complete(null);
                }
            });
            done.join();
        }
    }

    private static ExitRequest exitIn(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof ExitRequest e) return e;
        return null;
    }
}
