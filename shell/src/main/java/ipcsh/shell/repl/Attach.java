package ipcsh.shell.repl;

import clojure.lang.EdnReader;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentHashMap;
import clojure.lang.RT;
import ipcsh.lang.Listing;
import ipcsh.lang.ReplServer;
import ipcsh.lang.TokenFile;
import ipcsh.os.LibC;
import org.jline.reader.Candidate;
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
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ipcsh --attach PATH}: the local line editor (history, multi-line forms, completion of
 * the remote session's names) over a {@link ReplServer} session in prepl form. Ctrl-C while a
 * form runs interrupts that form in the remote shell (not the shell); Ctrl-D detaches and the
 * remote shell goes on.
 */
public final class Attach {
    private static final Keyword TAG = Keyword.intern("tag"), VAL = Keyword.intern("val"),
            FORM = Keyword.intern("form"), EXCEPTION = Keyword.intern("exception"), NS = Keyword.intern("ns"),
            ROWS = Keyword.intern("rows");
    private static final Object CLOSED = new Object();

    private Attach() {}

    /** path: a unix socket path, or PORT / HOST:PORT of a tcp repl-server (then tokenFile's token is sent first). */
    public static int run(String path, String tokenFile, PrintStream err) {
        SocketChannel sc;
        java.util.regex.Matcher tcp = java.util.regex.Pattern.compile("(?:(.+):)?(\\d{1,5})").matcher(path);
        try {
            if (tcp.matches()) {
                if (tokenFile == null) {
                    err.println("ipcsh: --attach " + path + ": a tcp REPL needs --token-file FILE");
                    return 2;
                }
                byte[] token;
                try {
                    token = TokenFile.read("--attach " + path, tokenFile);
                } catch (ipcsh.IpcException e) {
                    err.println("ipcsh: " + e.getMessage());
                    return 2;
                }
                String host = tcp.group(1) == null ? "127.0.0.1" : tcp.group(1);
                sc = SocketChannel.open(new java.net.InetSocketAddress(host, Integer.parseInt(tcp.group(2))));
                send(sc, new String(token, StandardCharsets.UTF_8) + "\n");
            } else {
                sc = SocketChannel.open(StandardProtocolFamily.UNIX);
                sc.connect(UnixDomainSocketAddress.of(path));
            }
        } catch (IOException e) {
            err.println("ipcsh: --attach " + path + ": " + describe(e));
            return 1;
        }
        Terminal terminal;
        try {
            terminal = TerminalBuilder.builder().system(true).dumb(true).name("ipcsh").build();
        } catch (IOException e) {
            err.println("ipcsh: cannot open the terminal: " + e.getMessage());
            return 1;
        }
        AtomicReference<List<String>> names = new AtomicReference<>(List.of());
        // only a person at a terminal makes history; piped input is a script's
        boolean interactive = LibC.get().isatty(0);
        LineReaderBuilder builder = LineReaderBuilder.builder();
        if (interactive) builder.variable(LineReader.HISTORY_FILE, Repl.historyFile());
        LineReader reader = builder
                .terminal(terminal)
                .appName("ipcsh")
                .parser(new ClojureParser())
                .completer((r, line, candidates) -> {
                    for (String n : names.get()) candidates.add(new Candidate(n, n, null, null, null, null, true));
                })
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P  > ")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.INSERT_BRACKET, false)
                .build();
        boolean color = System.getenv("NO_COLOR") == null && !Terminal.TYPE_DUMB.equals(terminal.getType())
                && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
        LinkedBlockingQueue<Object> replies = new LinkedBlockingQueue<>();
        AtomicReference<String> refusal = new AtomicReference<>();
        Thread in = new Thread(() -> readReplies(sc, replies, refusal), "ipcsh-attach-reader");
        in.setDaemon(true);
        in.start();
        String[] ns = {"user"};
        try {
            try {
                send(sc, ReplServer.UPGRADE + "\n" + ReplServer.NAMES + "\n");
            } catch (IOException e) {
                // a refusal closes the connection at once: its reason may be there to read still
                joinQuietly(in);
                if (refusal.get() == null) return failed(terminal, err, "--attach " + path + ": the connection failed: " + describe(e));
            }
            if (!await(replies, reader, terminal, sc, names, ns, color)) {
                String why = refusal.get() != null ? "the shell refused the session: " + refusal.get()
                        : "the shell closed the connection before the session began";
                return failed(terminal, err, "--attach " + path + ": " + why);
            }
            terminal.writer().println(";; attached to " + path + "; Ctrl-C interrupts the remote form, Ctrl-D detaches");
            while (true) {
                String entry;
                try {
                    entry = reader.readLine(ns[0] + "=> ");
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    return detached(terminal, "detached; the shell goes on");
                }
                if (entry.isBlank()) continue;
                send(sc, entry + "\n" + ReplServer.NAMES + "\n");
                if (!await(replies, reader, terminal, sc, names, ns, color)) return detached(terminal, "the shell closed the session");
            }
        } catch (IOException e) {
            return detached(terminal, "the connection failed: " + describe(e));
        } finally {
            try {
                if (interactive) reader.getHistory().save();
                sc.close();
            } catch (IOException ignored) {
                // leaving anyway
            }
        }
    }

    /**
     * Prints replies until the names request's answer ends the entry; returns false when the
     * session closed. Ctrl-C meanwhile is sent on as an interrupt of the remote form.
     */
    @SuppressWarnings("unchecked")
    private static boolean await(LinkedBlockingQueue<Object> replies, LineReader reader, Terminal terminal,
                                 SocketChannel sc, AtomicReference<List<String>> names, String[] ns,
                                 boolean color) throws IOException {
        boolean[] ctrlC = {false};
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, s -> {
            ctrlC[0] = true;
            try {
                send(sc, String.valueOf((char) ReplServer.INTERRUPT));
            } catch (IOException ignored) {
                // the reply loop sees the closed session
            }
        });
        try {
            while (true) {
                Object o;
                try {
                    o = replies.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (o == null) continue;
                if (o == CLOSED) return false;
                if (ctrlC[0]) {
                    // the terminal echoed ^C: what comes next starts a line of its own
                    ctrlC[0] = false;
                    terminal.writer().println();
                }
                IPersistentMap m = (IPersistentMap) o;
                Object tag = m.valAt(TAG);
                String val = String.valueOf(m.valAt(VAL));
                if (tag == Keyword.intern("out") || tag == Keyword.intern("err")) {
                    terminal.writer().print(val);
                    terminal.writer().flush();
                    continue;
                }
                if (tag != Keyword.intern("ret")) continue;
                if (ReplServer.NAMES.equals(m.valAt(FORM))) {
                    Object list = RT.readString(val);
                    java.util.ArrayList<String> n = new java.util.ArrayList<>();
                    for (Object x = RT.seq(list); x != null; x = ((clojure.lang.ISeq) x).next()) {
                        n.add(String.valueOf(((clojure.lang.ISeq) x).first()));
                    }
                    names.set(n);
                    if (m.valAt(NS) != null) ns[0] = String.valueOf(m.valAt(NS));
                    return true;
                }
                Listing.Rows rows = m.valAt(ROWS) == null ? null : rows(m.valAt(ROWS));
                if (rows != null) {
                    // a listing: the table the local REPL would print, laid out for this terminal
                    int width = terminal.getWidth() > 0 ? terminal.getWidth() : 80;
                    for (AttributedString l : TablePrinter.table(rows, width, color)) {
                        terminal.writer().println(color ? l.toAnsi(terminal) : l.toString());
                    }
                } else if (Boolean.TRUE.equals(m.valAt(EXCEPTION))) {
                    terminal.writer().println(new AttributedString("error: " + cause(val),
                            AttributedStyle.DEFAULT.foreground(AttributedStyle.RED)).toAnsi(terminal));
                } else {
                    terminal.writer().println(val);
                }
                terminal.writer().flush();
            }
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
        }
    }

    /** The message of a Throwable->map as the REPL would show it. */
    private static String cause(String mapText) {
        try {
            Object m = RT.readString(mapText);
            if (m instanceof IPersistentMap map) {
                Object c = map.valAt(Keyword.intern("cause"));
                Object via = map.valAt(Keyword.intern("via"));
                String type = "";
                if (via != null && RT.count(via) > 0) {
                    Object first = RT.nth(via, RT.count(via) - 1);
                    if (first instanceof IPersistentMap f) type = String.valueOf(f.valAt(Keyword.intern("type")));
                }
                String simple = type.substring(type.lastIndexOf('.') + 1);
                boolean plain = type.startsWith("ipcsh.") || type.equals("clojure.lang.ExceptionInfo") || type.isEmpty();
                return plain ? String.valueOf(c) : simple + ": " + c;
            }
        } catch (RuntimeException ignored) {
            // not readable: show it as it came
        }
        return mapText;
    }

    /** A listing's rows as the server sent them (cells as text; a last {:ipcsh/more true} when some were left out). */
    private static Listing.Rows rows(Object v) {
        List<java.util.Map<?, ?>> rows = new java.util.ArrayList<>();
        boolean more = false;
        for (Object x = RT.seq(v); x != null; x = ((clojure.lang.ISeq) x).next()) {
            Object row = ((clojure.lang.ISeq) x).first();
            if (!(row instanceof java.util.Map<?, ?> m)) return null;
            if (m.containsKey(Listing.MORE)) more = true;
            else rows.add(m);
        }
        return rows.isEmpty() ? null : new Listing.Rows(rows, more);
    }

    private static void readReplies(SocketChannel sc, LinkedBlockingQueue<Object> replies, AtomicReference<String> refusal) {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        Object eof = new Object();
        IPersistentMap opts = PersistentHashMap.create(Keyword.intern("eof"), eof);
        try {
            while (true) {
                buf.clear();
                int n = sc.read(buf);
                if (n < 0) break;
                for (int i = 0; i < n; i++) {
                    byte b = buf.get(i);
                    if (b != '\n') {
                        line.write(b);
                        continue;
                    }
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    // the server's one line before it closes a connection it will not serve
                    if (text.startsWith(ReplServer.REFUSED) && refusal.get() == null) {
                        // shown on our terminal: no escape sequences from the other end
                        refusal.set(text.substring(ReplServer.REFUSED.length()).strip().replaceAll("\\p{Cntrl}", "?"));
                    }
                    // the line REPL's greeting and first prompt come before the upgrade to prepl
                    int start = text.indexOf("{:tag ");
                    if (start < 0) continue;
                    text = text.substring(start);
                    try {
                        Object m = EdnReader.readString(text, opts);
                        if (m instanceof IPersistentMap) replies.add(m);
                    } catch (RuntimeException ignored) {
                        // an :out message spans lines only inside its string; EDN lines are whole
                    }
                }
            }
        } catch (IOException ignored) {
            // the session is over
        }
        replies.add(CLOSED);
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The session never began: why, on stderr, and status 1. */
    private static int failed(Terminal terminal, PrintStream err, String why) {
        try {
            terminal.close();
        } catch (IOException ignored) {
            // leaving
        }
        err.println("ipcsh: " + why);
        return 1;
    }

    private static void send(SocketChannel sc, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) sc.write(b);
    }

    private static int detached(Terminal terminal, String why) {
        terminal.writer().println(";; " + why);
        terminal.writer().flush();
        try {
            terminal.close();
        } catch (IOException ignored) {
            // leaving
        }
        return 0;
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.net.SocketException && m != null && m.contains("No such file")) return "No such file or directory (ENOENT)";
        if (m != null && m.contains("Connection refused")) return "Connection refused (ECONNREFUSED): no shell serves a REPL there";
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
