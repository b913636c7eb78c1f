package ipcsh.debug;

import ipcsh.Console;
import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.FrameDecoder;
import ipcsh.chan.Framing;
import ipcsh.chan.drivers.Sockets;
import ipcsh.loop.CallbackError;
import ipcsh.loop.EventLoop;
import ipcsh.loop.Reactor;
import ipcsh.os.AtExit;
import ipcsh.os.LibC;
import ipcsh.os.SockAddr;
import ipcsh.Callback;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A transparent proxy that logs: a listener; for each connection it accepts, a connection to
 * the target and a relay of both directions. Accepting and relaying run on the reactor thread
 * ({@link Reactor#watchHere}), connecting to the target on a short-lived thread of its own, so
 * forwarding never needs the interpreter thread: a script may tap a server and, in the same
 * script, talk to it through the tap with a blocking gets. Each chunk goes to the {@link TapLog}
 * thread and, as a posted call, to the :on-chunk callback; when either has more than
 * {@link #BACKLOG} bytes waiting (a log file slower than the traffic, an interpreter busy
 * elsewhere), the relay stops reading until it has caught up: nothing is dropped except on a
 * terminal log, which counts what it drops.
 */
public final class Tap implements Closeable {
    /** How a tap shows chunks: text or hex, or the frames of a channel framing. */
    public record Spec(Object listen, Object to, LogFormat format, Framing framing, String logFile, boolean logOff,
                       Callback onChunk) {}

    /** Bytes of :on-chunk calls that may wait for the interpreter before the relay stops reading. */
    static final long BACKLOG = 64L << 20;
    private static final int CHUNK = 64 * 1024;

    private final Spec spec;
    private final Channel listener;
    private final TapLog log;
    private final EventLoop loop = Reactor.get().loop();
    /** Guards everything below and every connection's state: the reactor, connect threads and the interpreter meet here. */
    private final Object lock = new Object();
    private final List<Conn> conns = new ArrayList<>();
    private final Throwable registeredAt;
    private final AtomicLong chunkBacklog = new AtomicLong();
    private Reactor.Interest accepting;
    private EventLoop.Keeper keeper;
    private final Object address;
    private long nextConn = 1;
    private boolean closed;

    private Tap(Spec spec, Channel listener, Throwable registeredAt) {
        this.spec = spec;
        this.listener = listener;
        this.registeredAt = registeredAt;
        this.address = spec.listen() instanceof String p ? p
                : List.of(tcpHost(spec.listen(), "127.0.0.1"), (long) SockAddr.port(LibC.get().getsockname(listener.readFd())));
        TapLog l = null;
        if (!spec.logOff()) {
            try {
                l = new TapLog(spec.format(), spec.logFile(), BACKLOG, this::resume);
            } catch (RuntimeException e) {
                listener.close();
                throw e;
            }
        }
        this.log = l;
    }

    /** Checks the target, listens, and starts serving; the tap holds the event loop until closed. */
    public static Tap start(Spec spec, Throwable registeredAt) {
        checkTarget(spec.to());
        Channel srv;
        try {
            srv = spec.listen() instanceof String path ? Sockets.listenUnix(path, 128)
                    : Sockets.listenTcp(tcpHost(spec.listen(), "127.0.0.1"), tcpPort(spec.listen()), 128);
        } catch (IpcException e) {
            throw new IpcException("tap: " + e.getMessage(), e.data(), e);
        }
        Tap t = new Tap(spec, srv, registeredAt);
        t.accepting = Reactor.get().watchHere(srv.readFd(), false, t::acceptAll);
        t.keeper = t.loop.hold("tap", t, registeredAt);
        AtExit.register(t, t::closeLog);
        return t;
    }

    /** The address this tap listens on: the path, "@name", or ["127.0.0.1" port]. */
    public Object address() {
        return address;
    }

    /** Where the script made this tap (for listings and errors). */
    public Throwable registeredAt() {
        return registeredAt;
    }

    private static String tcpHost(Object a, String dflt) {
        return a instanceof List<?> l ? (String) l.get(0) : dflt;
    }

    private static int tcpPort(Object a) {
        return ((Number) (a instanceof List<?> l ? l.get(1) : a)).intValue();
    }
    /**
     * Fails early and clearly when nobody listens at the target, without connecting to it (a
     * probe connection would be one more client the debugged program sees).
     */
    private static void checkTarget(Object to) {
        if (to instanceof String path) {
            if (!path.startsWith("@")) {
                Path p = Path.of(path);
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IpcException("tap: target \"" + path + "\": No such file or directory (ENOENT): nothing listens there",
                            Map.of("call", "tap", "path", path, "errno", "ENOENT"));
                }
                if (Files.isDirectory(p)) {
                    throw new IpcException("tap: target \"" + path + "\": is a directory, not a socket",
                            Map.of("call", "tap", "path", path, "errno", "EISDIR"));
                }
            }
            String abs = path.startsWith("@") ? path : Path.of(path).toAbsolutePath().normalize().toString();
            if (SocketTable.list(null, null, null, true, "unix").stream().noneMatch(r -> abs.equals(r.get("path")) || path.equals(r.get("path")))) {
                throw new IpcException("tap: target \"" + path + "\": no process listens on this socket (ECONNREFUSED)",
                        Map.of("call", "tap", "path", path, "errno", "ECONNREFUSED"));
            }
            return;
        }
        String host = tcpHost(to, "127.0.0.1");
        int port = tcpPort(to);
        boolean local = host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("0.0.0.0");
        if (local && SocketTable.list(null, null, (long) port, true, "tcp").isEmpty()) {
            throw new IpcException("tap: target " + host + ":" + port + ": no process listens on this port (ECONNREFUSED)",
                    Map.of("call", "tap", "path", host + ":" + port, "errno", "ECONNREFUSED"));
        }
    }

    /** On the reactor thread: takes every waiting client; a thread per client connects it to the target. */
    private void acceptAll() {
        synchronized (lock) {
            if (closed) return;
            Sockets.acceptPending(listener, 64, (client, peer) -> {
                long id = nextConn++;
                Thread t = new Thread(() -> connect(id, client, peer), "ipcsh-tap-connect");
                t.setDaemon(true);
                t.start();
            });
        }
    }

    /** Connects a client to the target (this may wait up to 5 s, so not on the reactor) and starts its relay. */
    private void connect(long id, Channel client, Object peer) {
        Channel server;
        try {
            server = spec.to() instanceof String p ? Sockets.connectUnix(p, 5000)
                    : Sockets.connectTcp(tcpHost(spec.to(), "127.0.0.1"), tcpPort(spec.to()), 5000);
        } catch (RuntimeException e) {
            event(id, "connect to the target failed: " + e.getMessage() + "; client closed");
            closeQuietly(client);
            return;
        }
        synchronized (lock) {
            if (closed) {
                closeQuietly(client);
                closeQuietly(server);
                return;
            }
            event(id, "open: " + (peer == null ? "client" : String.valueOf(peer)) + " -> " + target());
            Conn c = new Conn(id, client, server);
            conns.add(c);
            c.pump(0);
            c.pump(1);
        }
    }

    private String target() {
        return spec.to() instanceof List<?> l ? l.get(0) + ":" + l.get(1) : String.valueOf(spec.to());
    }

    private void event(long conn, String text) {
        if (log != null) log.add(new TapLog.Entry(conn, false, System.currentTimeMillis(), null, 0, null, text));
    }

    /** Whether the log or the :on-chunk calls have more waiting than the relay lets pile up. */
    private boolean backlogged() {
        return (log != null && log.full()) || chunkBacklog.get() > BACKLOG;
    }

    /** The log or the callbacks caught up: the relays that stopped for them read again. */
    private void resume() {
        synchronized (lock) {
            if (closed || backlogged()) return;
            for (Conn c : new ArrayList<>(conns)) {
                for (int dir = 0; dir < 2; dir++) {
                    if (c.paused[dir]) {
                        c.paused[dir] = false;
                        c.pump(dir);
                    }
                }
            }
        }
    }

    /**
     * One proxied connection: per direction a buffer, the bytes read but not yet written, and a
     * one-shot reactor interest in whichever side it waits for; for framed logs, a decoder. All
     * of it under the tap's lock.
     */
    private final class Conn {
        final long id;
        final Channel client, server;
        final byte[][] bufs = new byte[2][];
        final int[] off = new int[2], len = new int[2];
        final Reactor.Interest[] waiting = new Reactor.Interest[2];
        final boolean[] paused = new boolean[2], ended = new boolean[2];
        final FrameDecoder[] decoders = new FrameDecoder[2];
        final long[] offsets = new long[2];
        final boolean observe = log != null || spec.onChunk() != null;
        boolean closed;

        Conn(long id, Channel client, Channel server) {
            this.id = id;
            this.client = client;
            this.server = server;
            if (spec.framing() != null) {
                decoders[0] = new FrameDecoder(spec.framing(), false);
                decoders[1] = new FrameDecoder(spec.framing(), false);
            }
        }

        /** Moves what it can of one direction without waiting, then waits for the side that is not ready. */
        void pump(int dir) {
            if (closed || ended[dir]) return;
            if (waiting[dir] != null) waiting[dir].cancel();
            waiting[dir] = null;
            Channel from = dir == 0 ? client : server, to = dir == 0 ? server : client;
            if (bufs[dir] == null) bufs[dir] = new byte[CHUNK];
            byte[] buf = bufs[dir];
            try {
                for (int k = 0; k < 16; k++) {
                    if (len[dir] > 0) {
                        int w = to.driver().write(buf, off[dir], len[dir]);
                        if (w == LibC.WOULD_BLOCK) {
                            waiting[dir] = Reactor.get().watchHere(to.writeFd(), true, () -> resumeDir(dir));
                            return;
                        }
                        off[dir] += w;
                        len[dir] -= w;
                        continue;
                    }
                    if (observe && backlogged()) {
                        paused[dir] = true; // resume() goes on once the log and the callbacks caught up
                        return;
                    }
                    int r = from.driver().read(buf, 0, CHUNK);
                    if (r == 0) {
                        finished(dir, null);
                        return;
                    }
                    if (r == LibC.WOULD_BLOCK) break;
                    if (observe) chunk(dir, buf, r);
                    off[dir] = 0;
                    len[dir] = r;
                }
                // waiting for input, or after 16 chunks: other descriptors get their turn first
                waiting[dir] = len[dir] > 0 ? Reactor.get().watchHere(to.writeFd(), true, () -> resumeDir(dir))
                        : Reactor.get().watchHere(from.readFd(), false, () -> resumeDir(dir));
            } catch (RuntimeException e) {
                finished(dir, e);
            }
        }

        void resumeDir(int dir) {
            synchronized (lock) {
                pump(dir);
            }
        }

        void chunk(int dir, byte[] buf, int n) {
            long now = System.currentTimeMillis();
            byte[] data = Arrays.copyOfRange(buf, 0, n);
            long at = offsets[dir];
            offsets[dir] += n;
            if (decoders[dir] != null) {
                List<Object> frames = new ArrayList<>();
                try {
                    decoders[dir].feed(data, frames);
                } catch (RuntimeException e) {
                    decoders[dir] = null;
                    event(id, dirName(dir) + " framing lost (" + e.getMessage() + "); logging raw chunks from here");
                    emit(dir, now, data, at, null);
                }
                for (Object f : frames) emit(dir, now, null, at, f);
                return;
            }
            emit(dir, now, data, at, null);
        }

        void emit(int dir, long now, byte[] data, long at, Object frame) {
            if (log != null) log.add(new TapLog.Entry(id, dir == 0, now, data, at, frame, null));
            Callback f = spec.onChunk();
            if (f == null) return;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("conn", id);
            m.put("dir", Keyword.of(dirName(dir)));
            m.put("time", now);
            m.put("data", frame != null ? frame : new String(data, StandardCharsets.UTF_8));
            m.put("len", frame == null ? (long) data.length : frame instanceof String s ? (long) s.getBytes(StandardCharsets.UTF_8).length : null);
            long size = data != null ? data.length : 64;
            chunkBacklog.addAndGet(size);
            // the callback runs on the interpreter thread; the relay has moved on already
            loop.post(() -> {
                try {
                    f.call(m);
                } catch (ExitRequest e) {
                    throw e;
                } catch (Throwable t) {
                    loop.report(new CallbackError("on-chunk of tap " + address(), t, registeredAt));
                } finally {
                    long left = chunkBacklog.addAndGet(-size);
                    if (left <= BACKLOG && left + size > BACKLOG) resume();
                }
            });
        }

        /** One direction met end of stream (error null) or failed. */
        void finished(int dir, Throwable error) {
            if (closed) return;
            ended[dir] = true;
            if (decoders[dir] != null) {
                List<Object> frames = new ArrayList<>();
                try {
                    decoders[dir].end(frames);
                } catch (RuntimeException e) {
                    event(id, dirName(dir) + " ended inside a frame (" + e.getMessage() + ")");
                }
                for (Object f : frames) emit(dir, System.currentTimeMillis(), null, offsets[dir], f);
            }
            if (error != null) {
                event(id, dirName(dir) + " " + error.getMessage() + "; connection closed");
                end();
                return;
            }
            // end of stream one way: pass it on (half-close), the other way may go on
            try {
                (dir == 0 ? server : client).close("write");
            } catch (RuntimeException ignored) {
                // the peer is gone already: the other direction will tell
            }
            if (ended[0] && ended[1]) end();
        }

        void end() {
            if (closed) return;
            closed = true;
            for (int dir = 0; dir < 2; dir++) {
                if (waiting[dir] != null) waiting[dir].cancel();
                waiting[dir] = null;
            }
            closeQuietly(client);
            closeQuietly(server);
            conns.remove(this);
            event(id, "closed (c->s " + offsets[0] + " bytes, s->c " + offsets[1] + " bytes)");
        }
    }

    private static String dirName(int dir) {
        return dir == 0 ? "c->s" : "s->c";
    }

    private static void closeQuietly(Channel ch) {
        try {
            ch.close();
        } catch (RuntimeException ignored) {
            // closing a reset connection: nothing left to tell
        }
    }

    /** Stops listening, closes the proxied connections, writes out the log. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
            accepting.cancel();
            closeQuietly(listener);
            for (Conn c : new ArrayList<>(conns)) c.end();
        }
        loop.release(keeper);
        AtExit.cancel(this);
        closeLog();
    }

    private void closeLog() {
        if (log == null) return;
        long dropped = log.close();
        if (dropped > 0) {
            Console.print("tap " + address() + ": " + dropped + " log entr" + (dropped == 1 ? "y" : "ies")
                    + " dropped (the terminal was slower than the traffic; :log \"file\" keeps all)\n");
        }
    }

    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "#<tap " + address() + " -> " + target() + (closed ? " closed" : ", " + conns.size() + " open") + ">";
        }
    }
}
