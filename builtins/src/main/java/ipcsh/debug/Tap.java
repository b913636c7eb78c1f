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
import ipcsh.loop.Copy;
import ipcsh.loop.EventLoop;
import ipcsh.loop.Reactor;
import ipcsh.os.AtExit;
import ipcsh.os.LibC;
import ipcsh.os.SockAddr;
import ipcsh.registry.Callback;

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

/**
 * A transparent proxy that logs: a listener; for each connection it accepts, a connection to
 * the target and two background {@link Copy}s (one per direction) whose observer hands each
 * chunk to the {@link TapLog} thread and the :on-chunk callback. The copies run on the
 * reactor like any other, so forwarding never waits for the log or the callback.
 */
public final class Tap implements Closeable {
    /** How a tap shows chunks: text or hex, or the frames of a channel framing. */
    public record Spec(Object listen, Object to, LogFormat format, Framing framing, String logFile, boolean logOff,
                       Callback onChunk) {}

    private final Spec spec;
    private final Channel listener;
    private final TapLog log;
    private final EventLoop loop = Reactor.get().loop();
    private final List<Conn> conns = new ArrayList<>();
    private final Throwable registeredAt;
    private Reactor.Interest accepting;
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
                l = new TapLog(spec.format(), spec.logFile());
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
        t.accepting = Reactor.get().watch(srv.readFd(), false, t::acceptAll, null);
        t.loop.hold();
        AtExit.register(t, t::closeLog);
        return t;
    }

    /** The address this tap listens on: the path, "@name", or ["127.0.0.1" port]. */
    public Object address() {
        return address;
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

    private void acceptAll() {
        Sockets.acceptPending(listener, 64, (client, peer) -> {
            long id = nextConn++;
            Channel server;
            try {
                server = spec.to() instanceof String p ? Sockets.connectUnix(p, 5000)
                        : Sockets.connectTcp(tcpHost(spec.to(), "127.0.0.1"), tcpPort(spec.to()), 5000);
            } catch (RuntimeException e) {
                event(id, "connect to the target failed: " + e.getMessage() + "; client closed");
                client.close();
                return;
            }
            event(id, "open: " + (peer == null ? "client" : String.valueOf(peer)) + " -> " + target());
            Conn c = new Conn(id, client, server);
            conns.add(c);
            c.start();
        });
    }

    private String target() {
        return spec.to() instanceof List<?> l ? l.get(0) + ":" + l.get(1) : String.valueOf(spec.to());
    }

    private void event(long conn, String text) {
        if (log != null) log.add(new TapLog.Entry(conn, false, System.currentTimeMillis(), null, 0, null, text));
    }

    /** One proxied connection: two copies and, for framed logs, a decoder per direction. */
    private final class Conn {
        final long id;
        final Channel client, server;
        final Copy[] copies = new Copy[2];
        final FrameDecoder[] decoders = new FrameDecoder[2];
        final long[] offsets = new long[2];
        int done;
        boolean ended;

        Conn(long id, Channel client, Channel server) {
            this.id = id;
            this.client = client;
            this.server = server;
            if (spec.framing() != null) {
                decoders[0] = new FrameDecoder(spec.framing(), false);
                decoders[1] = new FrameDecoder(spec.framing(), false);
            }
        }

        void start() {
            boolean observe = log != null || spec.onChunk() != null;
            copies[0] = Copy.start(client, server, -1, false, r -> finished(0, r), observe ? (b, o, n) -> chunk(0, b, o, n) : null);
            copies[1] = Copy.start(server, client, -1, false, r -> finished(1, r), observe ? (b, o, n) -> chunk(1, b, o, n) : null);
        }

        void chunk(int dir, byte[] buf, int off, int len) {
            long now = System.currentTimeMillis();
            byte[] data = Arrays.copyOfRange(buf, off, off + len);
            long at = offsets[dir];
            offsets[dir] += len;
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
            // after the copy's step, so a failing callback cannot break the forwarding
            loop.post(() -> {
                try {
                    f.call(m);
                } catch (ExitRequest e) {
                    throw e;
                } catch (Throwable t) {
                    loop.report(new CallbackError("on-chunk of tap " + address(), t, registeredAt));
                }
            });
        }

        void finished(int dir, Object result) {
            if (ended) return;
            if (decoders[dir] != null) {
                List<Object> frames = new ArrayList<>();
                try {
                    decoders[dir].end(frames);
                } catch (RuntimeException e) {
                    event(id, dirName(dir) + " ended inside a frame (" + e.getMessage() + ")");
                }
                for (Object f : frames) emit(dir, System.currentTimeMillis(), null, offsets[dir], f);
            }
            if (result instanceof Throwable t) {
                event(id, dirName(dir) + " " + t.getMessage() + "; connection closed");
                end();
                return;
            }
            // end of stream one way: pass it on (half-close), the other way may go on
            try {
                (dir == 0 ? server : client).close("write");
            } catch (RuntimeException ignored) {
                // the peer is gone already: the other copy will tell
            }
            if (++done == 2) end();
        }

        void end() {
            if (ended) return;
            ended = true;
            for (Copy c : copies) if (c != null) c.cancel();
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
        if (closed) return;
        closed = true;
        accepting.cancel();
        loop.release();
        closeQuietly(listener);
        for (Conn c : new ArrayList<>(conns)) c.end();
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
        return closed;
    }

    @Override
    public String toString() {
        return "#<tap " + address() + " -> " + target() + (closed ? " closed" : ", " + conns.size() + " open") + ">";
    }
}
