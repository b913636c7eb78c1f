package ipcsh.lang;

import clojure.lang.Compiler;
import clojure.lang.Keyword;
import clojure.lang.LineNumberingPushbackReader;
import clojure.lang.LispReader;
import clojure.lang.Namespace;
import clojure.lang.PersistentArrayMap;
import clojure.lang.RT;
import clojure.lang.Symbol;
import clojure.lang.Var;
import ipcsh.IpcException;
import ipcsh.chan.Interrupts;
import ipcsh.lang.clj.ClojureRuntime;
import ipcsh.loop.EventLoop;
import ipcsh.os.AtExit;

import java.io.Closeable;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * REPL sessions for a running shell over a unix socket only its own user can open (0600, and
 * the peer's SO_PEERCRED user must be the shell's). Each session has a thread that reads its
 * socket and posts complete entries to the event loop, so forms run on the interpreter thread
 * between events (the one-thread rule) and see the script's vars, channels and handlers;
 * *out* and *err* go to the session. A session speaks Clojure's line REPL ("user=> ") until it
 * evaluates {@code (clojure.core.server/io-prepl)} (Clojure's own upgrade form) or sends
 * {@code :prepl}; from then on it gets prepl messages ({:tag :ret :val … :ns … :ms … :form …}).
 * A byte 0x03 (what {@code ipcsh --attach} sends for Ctrl-C) interrupts the session's running form.
 */
public final class ReplServer implements Closeable {
    /** Sent by {@code ipcsh --attach} for Ctrl-C; never part of Clojure source. */
    public static final int INTERRUPT = 3;
    /** The form a client evaluates to switch its session to prepl messages (clojure.core.server's own). */
    public static final String UPGRADE = "(clojure.core.server/io-prepl)";
    /** A prepl request the attach client uses for completion: answered with the session's names, *1 untouched. */
    public static final String NAMES = "(ipcsh.attach/names)";
    /** How a refusal's one line starts (then the reason); the server closes the connection after it. */
    public static final String REFUSED = "refused: ";

    private static final AtomicInteger SERIAL = new AtomicInteger();

    private final Path path;
    private final ReplListener server;
    private final boolean preplOnly;
    private final EventLoop loop = EventLoop.main();
    private final Thread interpreter;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final String id = "repl-server" + SERIAL.incrementAndGet();
    private volatile boolean closed;
    private boolean holding = true;

    /** For the tcp form: the first line a client sends must be the token (read from a 0600 file). */
    private ReplAuth auth;

    private ReplServer(Path path, ReplListener server, boolean preplOnly, ReplAuth auth) {
        this.auth = auth;
        this.path = path;
        this.server = server;
        this.preplOnly = preplOnly;
        this.interpreter = Thread.currentThread();
    }

    /**
     * Serves sessions on a new socket file at path (a stale socket file nobody listens on is
     * replaced; anything else there is an error). Call on the interpreter thread.
     */
    public static ReplServer start(String path, boolean preplOnly) {
        // Clojure initialises here, on the interpreter thread, before any session thread reads forms
        ClojureRuntime.install();
        Path p = Path.of(path).toAbsolutePath();
        ReplServer rs = new ReplServer(p, ReplListener.unix(p, path), preplOnly, null);
        AtExit.register(rs, rs.server::removeFile);
        return rs.serve();
    }

    /**
     * The tcp form: loopback only, and every client must first send the token read from
     * tokenFile, a file of the shell's user that nobody else may read (mode 0600 or stricter).
     */
    public static ReplServer startTcp(String host, int port, String tokenFile, long authTimeoutMs, boolean preplOnly) {
        ClojureRuntime.install();
        String where = "repl-server " + host + ":" + port;
        java.net.InetAddress addr;
        try {
            addr = java.net.InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new IpcException(where + ": unknown host");
        }
        if (!addr.isLoopbackAddress()) {
            throw new IpcException(where + ": a tcp REPL listens on loopback only (127.0.0.1, ::1 or localhost)");
        }
        if (tokenFile == null) throw new IpcException(where + ": the tcp form needs {:token-file path} (a 0600 file holding the token)");
        byte[] token = TokenFile.read(where, tokenFile);
        ReplServer rs = new ReplServer(null, ReplListener.tcp(addr, port, where), preplOnly, null);
        rs.auth = new ReplAuth(token, authTimeoutMs, rs.where());
        return rs.serve();
    }

    /** The tcp form's port (useful with port 0); -1 for a unix socket. */
    public int port() {
        return server.port();
    }

    private ReplServer serve() {
        ReplServer rs = this;
        rs.loop.hold();
        Thread t = new Thread(rs::acceptLoop, rs.id + "-accept");
        t.setDaemon(true);
        t.start();
        return rs;
    }

    private String where() {
        return path != null ? path.toString() : "127.0.0.1:" + port();
    }

    /**
     * Whether the server keeps a script running (the builtin's: the user asked for a server) or
     * not (--repl-server: the script ends when its own work does). Call on the interpreter thread.
     */
    public ReplServer holdsLoop(boolean hold) {
        if (hold != holding && !(hold && closed)) {
            if (hold) loop.hold();
            else loop.release();
            holding = hold;
        }
        return this;
    }

    public Path path() {
        return path;
    }

    /** The open sessions' count. */
    public int sessions() {
        return sessions.size();
    }

    private void acceptLoop() {
        int me = ownUid();
        String myName = ownName();
        while (true) {
            ReplConn c = server.accept();
            if (c == null) break;
            if (closed) {
                c.close();
                break;
            }
            if (auth == null) {
                ReplConn.Peer peer = c.peer();
                if (peer.uid() != me) {
                    System.err.println("ipcsh: repl-server " + where() + ": refused a connection from " + peer.describe()
                            + " (only " + myName + " may attach)");
                    refuse(c, "this REPL belongs to " + myName + ", not to " + peer.describe());
                    continue;
                }
            } else if (!auth.admit(c)) {
                continue;
            }
            Session s = new Session(c);
            sessions.add(s);
            Thread t = new Thread(s::readLoop, id + "-session");
            t.setDaemon(true);
            t.start();
        }
        server.close();
    }

    private static int ownUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new IllegalStateException("cannot stat /proc/self", e);
        }
    }

    private static String ownName() {
        try {
            return "user " + Files.getOwner(Path.of("/proc/self")).getName();
        } catch (IOException e) {
            return "the shell's user";
        }
    }

    /** Stops accepting and ends every session; the socket file goes. Closing twice does nothing. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        server.shutdown();
        server.removeFile();
        AtExit.cancel(this);
        for (Session s : sessions) s.end();
        holdsLoop(false);
    }

    @Override
    public String toString() {
        return "#<" + id + " " + where() + (closed ? " closed" : " " + sessions.size() + " sessions") + ">";
    }

    /** One connected client: its reader thread, its bindings, its wire form. */
    private final class Session {
        private final ReplConn conn;
        private final Writer out;
        private volatile boolean prepl = preplOnly;
        private volatile boolean running, ended;
        private final java.util.concurrent.CountDownLatch over = new java.util.concurrent.CountDownLatch(1);
        private Map<Var, Object> vars;
        /** The entry so far and its last line (reader thread only). */
        private final StringBuilder entry = new StringBuilder();
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        Session(ReplConn conn) {
            this.conn = conn;
            this.out = new SocketWriter(conn);
        }

        void readLoop() {
            ByteBuffer first = auth == null ? ByteBuffer.allocate(0) : auth.authenticate(conn);
            if (first == null) {
                // refused and closed; end() only forgets it
                loop.post(this::end);
                return;
            }
            loop.post(this::greet);
            consume(first);
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (!ended) {
                buf.clear();
                if (conn.read(buf) < 0) break; // the client went away (or half-closed), or end() shut it down
                consume(buf.flip());
            }
            // the entries posted before the end of input still run and answer (socat sends its
            // input, then half-closes); then end() shuts the socket and this thread frees it
            loop.post(this::end);
            try {
                over.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            conn.close();
        }

        /** The client's bytes: complete entries go to the interpreter thread; 0x03 interrupts. */
        private void consume(ByteBuffer buf) {
            while (buf.hasRemaining()) {
                byte b = buf.get();
                if (b == INTERRUPT) {
                    interruptForm();
                    entry.setLength(0);
                    line.reset();
                    continue;
                }
                line.write(b);
                if (b != '\n') continue;
                entry.append(line.toString(StandardCharsets.UTF_8));
                line.reset();
                String text = entry.toString();
                if (text.isBlank()) {
                    entry.setLength(0);
                    if (!prepl) loop.post(this::prompt);
                    continue;
                }
                if (ClojureRuntime.complete(text)) {
                    entry.setLength(0);
                    loop.post(() -> evaluate(text));
                }
            }
        }

        /** From the reader thread: a Java interrupt must reach the form, never the loop after it. */
        private synchronized void interruptForm() {
            if (!running) return;
            Interrupts.interrupt();
            interpreter.interrupt();
        }

        private synchronized void formEnded() {
            running = false;
            Thread.interrupted();
        }

        private void greet() {
            if (!prepl) {
                send(";; ipcsh REPL attached to pid " + ProcessHandle.current().pid()
                        + "; Ctrl-D detaches, the shell goes on\n");
                prompt();
            }
        }

        private void prompt() {
            if (!prepl && !ended) send(currentNs().name + "=> ");
        }

        /** Runs on the interpreter thread: each form of the entry, in this session's bindings. */
        private void evaluate(String text) {
            if (ended) return;
            LineNumberingPushbackReader r = new LineNumberingPushbackReader(new StringReader(text));
            Object eof = new Object();
            pushBindings();
            try {
                while (!ended) {
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
                        prepl = true;
                        continue;
                    }
                    if (prepl && NAMES.equals(RT.printString(form))) {
                        sendTagged("ret", edn(names()), formText, 0, false, null);
                        continue;
                    }
                    evalOne(form, formText);
                }
            } finally {
                popBindings();
                prompt();
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
            if (prepl) sendTagged("ret", shown, formText, (System.nanoTime() - t0) / 1_000_000, false, Listing.asText(v));
            else send(shown + "\n");
        }

        private void report(Throwable t, String formText) {
            if (prepl) {
                Object map = RT.var("clojure.core", "Throwable->map").invoke(t);
                sendTagged("ret", edn(map), formText, 0, true, null);
            } else {
                send("error: " + ErrorReport.message(t) + "\n");
            }
        }

        private boolean isUpgrade(Object form) {
            if (form instanceof Keyword k && k.getNamespace() == null && k.getName().equals("prepl")) return true;
            return UPGRADE.equals(RT.printString(form));
        }

        private void pushBindings() {
            if (vars == null) {
                vars = new java.util.HashMap<>();
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
            Writer sessionOut = prepl ? new TaggedWriter("out") : out;
            Writer sessionErr = prepl ? new TaggedWriter("err") : out;
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

        private Namespace currentNs() {
            Object ns = vars == null ? null : vars.get(RT.CURRENT_NS);
            return ns instanceof Namespace n ? n : ClojureRuntime.userNs();
        }

        private Object names() {
            java.util.TreeSet<String> names = new java.util.TreeSet<>();
            for (Object o : currentNs().getMappings()) {
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
                if (e.getKey() instanceof Symbol s && e.getValue() instanceof Var) names.add(s.getName());
            }
            return RT.seq(names.toArray());
        }

        private void flushOut() {
            try {
                ((Writer) RT.OUT.deref()).flush();
            } catch (IOException ignored) {
                // the session went away
            }
        }

        private void sendTagged(String tag, String val, String form, long ms, boolean exception, Object rows) {
            java.util.List<Object> kv = new java.util.ArrayList<>(List.of(kw("tag"), kw(tag), kw("val"), val,
                    kw("ns"), currentNs().name.getName(), kw("ms"), ms, kw("form"), form));
            if (exception) kv.addAll(List.of(kw("exception"), true));
            if (rows != null) kv.addAll(List.of(kw("rows"), rows));
            send(edn(new PersistentArrayMap(kv.toArray())) + "\n");
        }

        void send(String s) {
            try {
                out.write(s);
                out.flush();
            } catch (IOException e) {
                end();
            }
        }

        void end() {
            if (ended) return;
            ended = true;
            sessions.remove(this);
            conn.shutdown(); // the session's thread wakes and closes it
            over.countDown();
        }

        /** *out* of a prepl session: each flush is one {:tag :out :val "…"} message. */
        private final class TaggedWriter extends Writer {
            private final String tag;
            private final StringBuilder pending = new StringBuilder();

            TaggedWriter(String tag) {
                this.tag = tag;
            }

            @Override
            public void write(char[] c, int off, int len) {
                pending.append(c, off, len);
                if (pending.indexOf("\n") >= 0) flush();
            }

            @Override
            public void flush() {
                if (pending.isEmpty()) return;
                String v = pending.toString();
                pending.setLength(0);
                send(edn(new PersistentArrayMap(new Object[] {kw("tag"), kw(tag), kw("val"), v})) + "\n");
            }

            @Override
            public void close() {
                flush();
            }
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

    private static Keyword kw(String s) {
        return Keyword.intern(s);
    }

    /** EDN text of a message, readable whatever the printing bindings of the moment (println binds them off). */
    private static String edn(Object v) {
        Var.pushThreadBindings(RT.mapUniqueKeys(RT.var("clojure.core", "*print-readably*"), true, RT.var("clojure.core", "*print-length*"), null,
                RT.var("clojure.core", "*print-level*"), null));
        try {
            return RT.printString(v);
        } finally {
            Var.popThreadBindings();
        }
    }


    /**
     * The refusal a client reads before the connection closes: one line "refused: why". The
     * attach client shows why and exits non-zero.
     */
    static void refuse(ReplConn c, String why) {
        try {
            c.write(REFUSED + why + "\n");
        } catch (IOException ignored) {
            // it is being refused anyway
        }
        c.close();
    }


    /** A session's *out*: what is written goes to the client at each flush. */
    private static final class SocketWriter extends Writer {
        private final ReplConn conn;
        private final StringWriter pending = new StringWriter();

        SocketWriter(ReplConn conn) {
            this.conn = conn;
        }

        @Override
        public void write(char[] c, int off, int len) {
            pending.write(c, off, len);
        }

        @Override
        public void flush() throws IOException {
            StringBuffer b = pending.getBuffer();
            if (b.isEmpty()) return;
            String text = b.toString();
            b.setLength(0);
            conn.write(text);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
