package ipcsh.rpc;

import ipcsh.Callback;
import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.Framing;
import ipcsh.chan.drivers.Sockets;
import ipcsh.loop.EventLoop;
import ipcsh.loop.Reactor;
import ipcsh.os.LibC;
import ipcsh.os.SockAddr;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * rpc-serve on an address: listens, and serves each accepted connection as an {@link RpcPeer}
 * with the same handlers; accepting runs from the reactor, handlers on the interpreter thread,
 * so a handler that waits on a deferred value does not hold up other connections. Holds the
 * script open until closed.
 */
public final class RpcServer implements Closeable {
    private final Channel listener;
    private final Object address;
    private final Set<RpcPeer> peers = new LinkedHashSet<>();
    private final EventLoop loop = Reactor.get().loop();
    private Reactor.Interest accepting;
    private EventLoop.Keeper keeper;
    private boolean closed;

    private RpcServer(Channel listener, Object address) {
        this.listener = listener;
        this.address = address;
    }

    /** address: a path, "@name", a port (tcp on 127.0.0.1) or ["host" port]. */
    public static RpcServer listen(Object address, Map<String, Callback> handlers, Framing framing, Long maxFrame,
                                   Throwable registeredAt) {
        Channel srv;
        try {
            srv = address instanceof String path ? Sockets.listenUnix(path, 128)
                    : Sockets.listenTcp(address instanceof List<?> l ? (String) l.get(0) : "127.0.0.1",
                    ((Number) (address instanceof List<?> l ? l.get(1) : address)).intValue(), 128);
        } catch (IpcException e) {
            throw new IpcException("rpc-serve: " + e.getMessage(), e.data(), e);
        }
        Object bound = address instanceof String ? address
                : List.of(address instanceof List<?> l ? l.get(0) : "127.0.0.1", (long) SockAddr.port(LibC.get().getsockname(srv.readFd())));
        RpcServer s = new RpcServer(srv, bound);
        s.accepting = Reactor.get().watch(srv.readFd(), false, () -> Sockets.acceptPending(srv, 64, (ch, peer) -> {
            if (s.closed) {
                ch.close();
                return;
            }
            if (maxFrame != null) ch.configure(Map.of("max-frame", maxFrame));
            RpcPeer[] p = new RpcPeer[1];
            p[0] = RpcPeer.open(ch, ch, framing, true, registeredAt).serving(handlers, false, () -> s.peers.remove(p[0]));
            s.peers.add(p[0]);
        }), null);
        s.keeper = s.loop.hold("rpc-serve", s, registeredAt);
        return s;
    }

    /** The address it listens on: the path, "@name", or ["host" port] (the port the kernel chose for 0). */
    public Object address() {
        return address;
    }

    /** Connections being served now. */
    public int connections() {
        return peers.size();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        accepting.cancel();
        listener.close();
        for (RpcPeer p : new ArrayList<>(peers)) p.close();
        loop.release(keeper);
    }

    @Override
    public String toString() {
        return "#<rpc-server " + (address instanceof String ? address : address.toString()) + (closed ? " closed" : "") + ">";
    }
}
