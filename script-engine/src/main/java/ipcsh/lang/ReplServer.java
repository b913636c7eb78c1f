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
import ipcsh.os.FileId;

import java.io.Closeable;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
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

    private static final AtomicInteger SERIAL = new AtomicInteger();
    private static final Set<ReplServer> OPEN = ConcurrentHashMap.newKeySet();

    private final Path path;
    /** The socket file as made (st_dev, st_ino): what the clean-up may remove. */
    private FileId made;
    private final ServerSocketChannel server;
    private final boolean preplOnly;
    private final EventLoop loop = EventLoop.main();
    private final Thread interpreter;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final String id = "repl-server" + SERIAL.incrementAndGet();
    private volatile boolean closed;
    private boolean holding = true;

    /** For the tcp form: the first line a client sends must be this token (read from a 0600 file). */
    private final byte[] token;

    private ReplServer(Path path, ServerSocketChannel server, boolean preplOnly, byte[] token) {
        this.token = token;
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
        if (Files.isDirectory(p)) throw new IpcException("repl-server \"" + path + "\": is a directory");
        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) clearStale(p, path);
        Path dir = p.getParent();
        Path tmp;
        try {
            // bound inside a private directory, made 0600, then renamed into place: nobody can
            // connect in the moment between bind and chmod
            tmp = Files.createTempDirectory(dir, ".ipcsh-repl-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new IpcException("repl-server \"" + path + "\": cannot create a socket in " + dir + ": " + reason(e));
        }
        Path inner = tmp.resolve("s");
        ServerSocketChannel ssc = null;
        try {
            ssc = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ssc.bind(UnixDomainSocketAddress.of(inner), 16);
            Files.setPosixFilePermissions(inner, PosixFilePermissions.fromString("rw-------"));
            Files.move(inner, p, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            closeQuietly(ssc);
            throw new IpcException("repl-server \"" + path + "\": " + reason(e));
        } finally {
            try {
                Files.deleteIfExists(inner);
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover empty private directory is harmless
            }
        }
        ReplServer rs = new ReplServer(p, ssc, preplOnly, null);
        rs.made = FileId.at(path);
        AtExit.register(rs, rs::removeFile);
        return rs.serve();
    }

    /**
     * The tcp form: loopback only, and every client must first send the token read from
     * tokenFile, a file of the shell's user that nobody else may read (mode 0600 or stricter).
     */
    public static ReplServer startTcp(String host, int port, String tokenFile, boolean preplOnly) {
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
        byte[] token = readToken(where, Path.of(tokenFile));
        ServerSocketChannel ssc = null;
        try {
            ssc = ServerSocketChannel.open();
            ssc.bind(new java.net.InetSocketAddress(addr, port), 16);
        } catch (IOException e) {
            closeQuietly(ssc);
            throw new IpcException(where + ": " + reason(e));
        }
        return new ReplServer(null, ssc, preplOnly, token).serve();
    }

    private static byte[] readToken(String where, Path file) {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            for (java.nio.file.attribute.PosixFilePermission p : perms) {
                if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                    throw new IpcException(where + ": token file " + file + " is readable by others ("
                            + PosixFilePermissions.toString(perms) + "); chmod 600 it");
                }
            }
            if (!Files.getOwner(file).equals(ownUser())) {
                throw new IpcException(where + ": token file " + file + " belongs to " + Files.getOwner(file).getName()
                        + ", not to the shell's user");
            }
            String t = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (t.length() < 16) throw new IpcException(where + ": the token in " + file + " is shorter than 16 characters");
            return t.getBytes(StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IpcException(where + ": token file " + file + ": No such file or directory (ENOENT)");
        } catch (IOException e) {
            throw new IpcException(where + ": token file " + file + ": " + reason(e));
        }
    }

    /** The tcp form's port (useful with port 0); -1 for a unix socket. */
    public int port() {
        try {
            return server.getLocalAddress() instanceof java.net.InetSocketAddress a ? a.getPort() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private ReplServer serve() {
        ReplServer rs = this;
        OPEN.add(rs);
        rs.loop.hold();
        Thread t = new Thread(rs::acceptLoop, rs.id + "-accept");
        t.setDaemon(true);
        t.start();
        return rs;
    }

    private String where() {
        return path != null ? path.toString() : "127.0.0.1:" + port();
    }

    private static void clearStale(Path p, String path) {
        if (!"socket".equals(fileType(p))) {
            throw new IpcException("repl-server \"" + path + "\": File exists (EEXIST): not a socket, left alone");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
            throw new IpcException("repl-server \"" + path + "\": Address already in use (EADDRINUSE): a live socket is already bound there");
        } catch (IOException refused) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new IpcException("repl-server \"" + path + "\": cannot remove the stale socket file: " + reason(e));
            }
        }
    }

    private static String fileType(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return (((Integer) mode) & 0170000) == 0140000 ? "socket" : "other";
        } catch (IOException | UnsupportedOperationException e) {
            return "other";
        }
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
        UserPrincipal me = ownUser();
        while (!closed) {
            SocketChannel sc;
            try {
                sc = server.accept();
            } catch (IOException e) {
                if (!closed) loop.post(() -> loop.report(new IpcException(id + " " + where() + ": accept failed: " + reason(e))));
                return;
            }
            UserPrincipal peer = token != null ? me : peerUser(sc);
            if (me == null || peer == null || !me.equals(peer)) {
                String who = peer == null ? "an unknown user" : "user " + peer.getName();
                System.err.println("ipcsh: repl-server " + where() + ": refused a connection from " + who
                        + " (only " + (me == null ? "the shell's user" : me.getName()) + " may attach)");
                writeQuietly(sc, "refused: this REPL belongs to another user\n");
                closeQuietly(sc);
                continue;
            }
            Session s = new Session(sc);
            sessions.add(s);
            Thread t = new Thread(s::readLoop, id + "-session");
            t.setDaemon(true);
            t.start();
        }
    }

    private static UserPrincipal ownUser() {
        try {
            return Files.getOwner(Path.of("/proc/self"));
        } catch (IOException e) {
            return null;
        }
    }

    private static UserPrincipal peerUser(SocketChannel sc) {
        try {
            return sc.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Stops accepting and ends every session; the socket file goes. Closing twice does nothing. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closeQuietly(server);
        removeFile();
        AtExit.cancel(this);
        OPEN.remove(this);
        for (Session s : sessions) s.end();
        holdsLoop(false);
    }

    private void removeFile() {
        // only the very socket file this server made: never a file renamed into its place since
        if (path == null || made == null || !made.isAt(path.toString())) return;
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // gone already
        }
    }

    @Override
    public String toString() {
        return "#<" + id + " " + where() + (closed ? " closed" : " " + sessions.size() + " sessions") + ">";
    }

    /** One connected client: its reader thread, its bindings, its wire form. */
    private final class Session {
        private final SocketChannel sc;
        private final Writer out;
        private volatile boolean prepl = preplOnly;
        private volatile boolean running, ended;
        private Map<Var, Object> vars;

        Session(SocketChannel sc) {
            this.sc = sc;
            this.out = new SocketWriter(sc);
        }

        void readLoop() {
            boolean authenticated = token == null;
            if (authenticated) loop.post(this::greet);
            StringBuilder entry = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            try {
                while (!ended) {
                    buf.clear();
                    int n = sc.read(buf);
                    if (n < 0) break;
                    for (int i = 0; i < n; i++) {
                        byte b = buf.get(i);
                        if (b == INTERRUPT) {
                            interruptForm();
                            entry.setLength(0);
                            line.reset();
                            continue;
                        }
                        line.write(b);
                        if (b != '\n') continue;
                        if (!authenticated) {
                            String typed = line.toString(StandardCharsets.UTF_8).strip();
                            byte[] given = typed.getBytes(StandardCharsets.UTF_8);
                            line.reset();
                            if (!java.security.MessageDigest.isEqual(given, token)) {
                                System.err.println("ipcsh: repl-server " + where() + ": refused a connection with a wrong token");
                                send("refused: wrong token\n");
                                end();
                                return;
                            }
                            authenticated = true;
                            loop.post(this::greet);
                            continue;
                        }
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
            } catch (ClosedChannelException e) {
                // ended by close
            } catch (IOException e) {
                // the client went away
            }
            loop.post(this::end);
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
                        sendTagged("ret", edn(names()), formText, 0, false);
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
                if (failure instanceof ipcsh.ExitRequest || ipcsh.lang.Session.exitIn(failure) != null) {
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
            if (prepl) sendTagged("ret", shown, formText, (System.nanoTime() - t0) / 1_000_000, false);
            else send(shown + "\n");
        }

        private void report(Throwable t, String formText) {
            if (prepl) {
                Object map = RT.var("clojure.core", "Throwable->map").invoke(t);
                sendTagged("ret", edn(map), formText, 0, true);
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
        }

        private void popBindings() {
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

        private void sendTagged(String tag, String val, String form, long ms, boolean exception) {
            Object[] kv = exception
                    ? new Object[] {kw("tag"), kw(tag), kw("val"), val, kw("ns"), currentNs().name.getName(), kw("ms"), ms,
                            kw("form"), form, kw("exception"), true}
                    : new Object[] {kw("tag"), kw(tag), kw("val"), val, kw("ns"), currentNs().name.getName(), kw("ms"), ms,
                            kw("form"), form};
            send(edn(new PersistentArrayMap(kv)) + "\n");
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
            closeQuietly(sc);
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

    private static String reason(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void writeQuietly(SocketChannel sc, String s) {
        try {
            sc.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException ignored) {
            // it is being refused anyway
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Writes to a socket channel with write(2) itself: NIO's stream adapters lock reads and writes together. */
    private static final class SocketWriter extends Writer {
        private final SocketChannel sc;
        private final StringWriter pending = new StringWriter();

        SocketWriter(SocketChannel sc) {
            this.sc = sc;
        }

        @Override
        public void write(char[] c, int off, int len) {
            pending.write(c, off, len);
        }

        @Override
        public void flush() throws IOException {
            StringBuffer b = pending.getBuffer();
            if (b.isEmpty()) return;
            ByteBuffer bytes = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
            b.setLength(0);
            // a pending Ctrl-C interrupt would make NIO close the session's socket
            boolean interrupted = Thread.interrupted();
            try {
                while (bytes.hasRemaining()) sc.write(bytes);
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
