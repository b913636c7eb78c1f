package ipcsh.lang;

import ipcsh.lang.clj.ClojureRuntime;
import ipcsh.lang.clj.PreplWire;
import ipcsh.lang.clj.ReplEval;
import ipcsh.loop.EventLoop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * One client of a repl-server: its thread reads the socket (after the token, for the tcp
 * form) and posts each complete entry to the event loop, where {@link ReplEval} runs it on the
 * interpreter thread; a byte {@link #INTERRUPT} interrupts the running form. Ends when the
 * client goes away or the server closes; the entries posted before still run and answer.
 */
final class ReplSession {
    /** Sent by {@code ipcsh --attach} for Ctrl-C; never part of Clojure source. */
    static final int INTERRUPT = 3;

    private final ReplConn conn;
    private final ReplAuth auth;
    private final EventLoop loop = EventLoop.main();
    private final PreplWire wire;
    private final ReplEval eval;
    private final Consumer<ReplSession> forget;
    private volatile boolean ended;
    private final CountDownLatch over = new CountDownLatch(1);
    /** The entry so far and its last line (reader thread only). */
    private final StringBuilder entry = new StringBuilder();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    /** auth: the tcp form's token check, null for a unix socket; forget: the server's, at the end. */
    ReplSession(ReplConn conn, ReplAuth auth, boolean prepl, Thread interpreter, Consumer<ReplSession> forget) {
        this.conn = conn;
        this.auth = auth;
        this.forget = forget;
        this.wire = new PreplWire(new SocketWriter(conn), prepl, this::end);
        this.eval = new ReplEval(wire, interpreter, () -> ended);
    }

    /** The session's thread. */
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
                eval.interrupt();
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
                if (!wire.prepl()) loop.post(this::prompt);
                continue;
            }
            if (ClojureRuntime.complete(text)) {
                entry.setLength(0);
                loop.post(() -> evaluate(text));
            }
        }
    }

    private void greet() {
        if (!wire.prepl()) {
            wire.send(";; ipcsh REPL attached to pid " + ProcessHandle.current().pid()
                    + "; Ctrl-D detaches, the shell goes on\n");
            prompt();
        }
    }

    private void prompt() {
        if (!wire.prepl() && !ended) wire.send(eval.nsName() + "=> ");
    }

    /** On the interpreter thread. */
    private void evaluate(String text) {
        if (ended) return;
        try {
            eval.evaluate(text);
        } finally {
            prompt();
        }
    }

    /** Ends the session from any thread; its own thread then closes the connection. */
    void end() {
        if (ended) return;
        ended = true;
        forget.accept(this);
        conn.shutdown(); // the session's thread wakes and closes it
        over.countDown();
    }

    /** The session's socket as a Writer: what is written goes to the client at each flush. */
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
