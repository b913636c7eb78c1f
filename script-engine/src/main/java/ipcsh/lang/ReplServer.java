package ipcsh.lang;

import ipcsh.IpcException;
import ipcsh.lang.clj.ClojureRuntime;
import ipcsh.lang.clj.PreplWire;
import ipcsh.loop.EventLoop;
import ipcsh.os.AtExit;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 *
 * <p>This class listens ({@link ReplListener}), admits (the peer's user, or {@link ReplAuth}'s
 * token for the tcp form) and keeps the sessions; a {@link ReplSession} reads one client.
 * The Clojure side is in ipcsh.lang.clj: {@link ipcsh.lang.clj.ReplEval} runs a session's forms
 * in its own bindings, {@link PreplWire} is what it sends.
 */
public final class ReplServer implements Closeable {
    /** Sent by {@code ipcsh --attach} for Ctrl-C; never part of Clojure source. */
    public static final int INTERRUPT = ReplSession.INTERRUPT;
    /** The form a client evaluates to switch its session to prepl messages (clojure.core.server's own). */
    public static final String UPGRADE = PreplWire.UPGRADE;
    /** A prepl request the attach client uses for completion: answered with the session's names, *1 untouched. */
    public static final String NAMES = PreplWire.NAMES;
    /** How a refusal's one line starts (then the reason); the server closes the connection after it. */
    public static final String REFUSED = ReplConn.REFUSED;

    private static final AtomicInteger SERIAL = new AtomicInteger();

    private final Path path;
    private final ReplListener server;
    private final boolean preplOnly;
    private final EventLoop loop = EventLoop.main();
    private final Thread interpreter;
    private final Set<ReplSession> sessions = ConcurrentHashMap.newKeySet();
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
        AtExit.wakeAtEnd(t, rs.server::shutdown);
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
                    c.refuse("this REPL belongs to " + myName + ", not to " + peer.describe());
                    continue;
                }
            } else if (!auth.admit(c)) {
                continue;
            }
            ReplSession s = new ReplSession(c, auth, preplOnly, interpreter, sessions::remove);
            sessions.add(s);
            Thread t = new Thread(() -> {
                s.readLoop();
                AtExit.cancelWake(Thread.currentThread());
            }, id + "-session");
            t.setDaemon(true);
            AtExit.wakeAtEnd(t, s::end);
            t.start();
        }
        server.close();
        AtExit.cancelWake(Thread.currentThread());
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
        for (ReplSession s : sessions) s.end();
        holdsLoop(false);
    }

    @Override
    public String toString() {
        return "#<" + id + " " + where() + (closed ? " closed" : " " + sessions.size() + " sessions") + ">";
    }
}
