package ipcsh.groups;

import ipcsh.RegisteredAt;
import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.FdMessage;
import ipcsh.chan.drivers.DatagramDriver;
import ipcsh.chan.drivers.FdPassing;
import ipcsh.chan.drivers.MqDriver;
import ipcsh.chan.drivers.Sockets;
import ipcsh.ipc.SysvQueue;
import ipcsh.loop.CallbackError;
import ipcsh.loop.EventLoop;
import ipcsh.loop.Reactor;
import ipcsh.os.LibC;
import ipcsh.registry.Args;
import ipcsh.Callback;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;

import java.util.LinkedHashMap;
import java.util.Map;

/** tcp, unix stream (paths and abstract names), udp and unix datagram sockets. */
public final class SocketBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "Sockets";
    }

    @Override
    public void register(Registry r) {
        r.add("connect", "([kind host port] [kind host port opts] [kind path] [kind path opts])", """
                Connects a stream socket and returns its channel. (connect :tcp "example.org" 80) tries \
                each address of the host in turn; (connect :unix "/run/app.sock") a unix socket, \
                (connect :unix "@name") one in Linux's abstract namespace. Options: :timeout (ms, 0 to \
                2147483647) bounds the connect and stays set on the channel for later reads; any other \
                channel option \
                (:buffering, :encoding, :framing...). (configure ch) shows :local and :peer addresses, \
                :port and :peer-port (tcp), and for unix sockets the peer's :peer-pid, :peer-uid and \
                :peer-gid. A refused connection, an unknown host or a path too long for a unix socket \
                address is an error naming the address.""",
                a -> {
                    String kind = a.arity(2, 4).word(0, ":tcp or :unix");
                    switch (kind) {
                        case "tcp" -> {
                            a.arity(3, 4);
                            String host = a.string(1, "a host");
                            int port = port(a, 2);
                            Options o = a.options(3);
                            Channel.checkOptions("connect", o.map());
                            Channel ch = Sockets.connectTcp(host, port, o.duration("timeout", -1));
                            return PipesAndFiles.configureRest(ch, o);
                        }
                        case "unix" -> {
                            a.arity(2, 3);
                            String path = a.string(1, "a socket path or \"@name\"");
                            Options o = a.options(2);
                            Channel.checkOptions("connect", o.map());
                            Channel ch = Sockets.connectUnix(path, o.duration("timeout", -1));
                            return PipesAndFiles.configureRest(ch, o);
                        }
                        default -> throw a.wrongType(0, ":tcp or :unix");
                    }
                }).returns("Channel");
        r.add("listen", "([kind port f] [kind port f opts] [kind path f] [kind path f opts])", """
                Starts a server and returns it as a channel; for each connection it accepts, (f ch peer) \
                runs on the interpreter thread with the new connection's channel and the peer's address \
                (["host" port] for tcp, usually nil for unix). (listen :tcp 8080 f) listens on every IPv4 \
                interface, {:host "127.0.0.1"} (or "::") on one; port 0 picks a free port, which \
                (configure srv :port) tells. (listen :unix "/tmp/app.sock" f) or "@name" for an abstract \
                socket. A socket file left behind by a dead server is replaced; a path a live server \
                holds, or a file that is not a socket, is an error. Options: :backlog (pending connections \
                the kernel queues, 0 to 65535, capped by net.core.somaxconn; default 128). \
                (close srv) stops accepting (connections already accepted stay open) and removes the \
                socket file the shell made; so does the shell's exit. If f throws, its error is \
                reported and the server goes on. A script keeps running while a server is open.""",
                a -> {
                    String kind = a.arity(3, 4).word(0, ":tcp or :unix");
                    Callback f = a.callback(2);
                    Options o = a.options(3).only("host", "backlog");
                    int backlog = (int) o.count("backlog", 128, 0, 65535);
                    String host = o.string("host", null);
                    Channel srv = switch (kind) {
                        case "tcp" -> Sockets.listenTcp(host, port(a, 1), backlog);
                        case "unix" -> Sockets.listenUnix(a.string(1, "a socket path or \"@name\""), backlog);
                        default -> throw a.wrongType(0, ":tcp or :unix");
                    };
                    serve(srv, f, RegisteredAt.here("listen " + srv.describe()));
                    return srv;
                }).returns("Channel");
        r.add("udp", "([] [opts])", """
                Makes a udp socket and returns its datagram channel. {:bind 5000} or {:bind ["127.0.0.1" \
                5000]} gives it a local address (port 0: a free one, see (configure ch :port)); \
                {:connect ["host" port]} fixes the peer, so puts and write send there and only its \
                datagrams arrive. puts/gets send and receive one whole datagram; (send ch data {:to \
                ["host" port]}) sends anywhere, (recv ch) tells who sent. A datagram carries up to 65507 \
                bytes (IPv4); a larger send is an EMSGSIZE error. Other options are channel options.""",
                a -> {
                    Options o = a.arity(0, 1).options(0);
                    Channel.checkOptions("udp", o.map(), "bind", "connect");
                    Channel ch = Sockets.udp(o.get("bind"), o.get("connect"));
                    return PipesAndFiles.configureRest(ch, o, "bind", "connect");
                }).returns("Channel");
        r.add("unix-dgram", "([path] [path opts])", """
                Makes a unix datagram socket bound at path (or "@name", abstract) and returns its \
                datagram channel; a stale socket file there is replaced and the file is removed on close. \
                With nil instead of a path it gets a fresh abstract name, so peers can still reply. \
                {:connect "/path"} fixes the peer that puts and write send to. puts/gets move one whole \
                datagram, whole: a datagram is received at its full size, however large the kernel let \
                it be (about 200 KiB with the default socket buffers), never cut. send and recv give the \
                addresses. Other options are channel options.""",
                a -> {
                    a.arity(1, 2);
                    String path = a.get(0) == null ? null : a.string(0, "a socket path, \"@name\" or nil");
                    Options o = a.options(1);
                    Channel.checkOptions("unix-dgram", o.map(), "connect");
                    String connect = o.string("connect", null);
                    Channel ch = Sockets.unixDgram(path, connect);
                    return PipesAndFiles.configureRest(ch, o, "connect");
                }).returns("Channel");
        r.addShadowingCore("send", "([ch data] [ch data opts])", """
                Sends data (a string or bytes) as one message. On a udp or unix datagram channel: to the \
                connected peer, or {:to ["host" port]} / {:to "/path"} (an address as recv's :from gives \
                it). Errors name send, the channel and the target: send unix-dgram2 \
                \"/tmp/x.sock\": No such file or directory (ENOENT). A datagram too large for the socket is EMSGSIZE, and \
                on a non-blocking channel a full send buffer is an EAGAIN error (the datagram is not \
                sent, nothing is queued). On a POSIX message queue (mq): {:priority p}, 0..32767 (default \
                0). On a System V queue (sysv-mq): {:type t}, a positive integer (default 1), and \
                {:timeout ms} for a full queue. On a ZeroMQ socket (zmq) a vector is one multipart \
                message, a frame per element. On a stream channel it is write. On a unix socket \
                (unix, unix-dgram, socketpair) {:fds [ch ...]} passes descriptors with the data \
                (SCM_RIGHTS): each an open channel with one descriptor (a pipe end, a socket, an \
                eventfd, a file, a received memfd) or a memfd segment, at most 253; the receiver gets \
                its own copy and this shell keeps its channel. On a stream socket they travel with \
                the data's first bytes, so data must not be empty, and they go after what is buffered \
                or queued. A closed channel, one without a descriptor or a 254th is an error before \
                anything is sent. Returns nil. Called without a channel or queue it is clojure.core/send.""",
                a -> {
                    a.arity(2, 3);
                    Object data = a.get(1);
                    if (a.get(0) instanceof SysvQueue q) {
                        Options o = a.options(2).only("type", "timeout");
                        q.send(data, o.count("type", 1, 1, Long.MAX_VALUE), o.duration("timeout", -1));
                        return null;
                    }
                    Channel ch = a.channel(0);
                    Options o = a.options(2).only("to", "priority", "fds");
                    int[] fds = o.get("fds") == null ? null : fdsToSend(ch, o.get("fds"));
                    if (o.get("priority") != null) {
                        if (!(ch.driver() instanceof MqDriver d)) {
                            throw new IpcException("send " + ch.describe() + ": :priority is for message queue channels (mq)");
                        }
                        long p = o.integer("priority", 0);
                        if (p < 0 || p > 32767) throw new IpcException("send " + ch.describe() + ": :priority must be 0..32767, not " + p);
                        d.sendingWith((int) p, () -> ch.write(data));
                        return null;
                    }
                    if (o.get("to") == null) {
                        if (fds != null) ch.sendWithFds(data, fds, null);
                        else ch.send(data, null);
                        return null;
                    }
                    if (!(ch.driver() instanceof DatagramDriver d)) {
                        throw new IpcException("send " + ch.describe() + ": :to is for datagram channels (udp, unix-dgram)");
                    }
                    byte[] to = Sockets.addressOf(o.get("to"), d.family(), LibC.SOCK_DGRAM, "send " + ch.describe());
                    String target = ipcsh.os.SockAddr.format(to);
                    d.sendingTo(to, () -> {
                        if (fds != null) ch.sendWithFds(data, fds, target);
                        else ch.send(data, target);
                    });
                    return null;
                }).returns("void");
        r.add("recv", "([ch] [ch opts])", """
                Receives one message with what came with it. From a udp or unix datagram channel: \
                {:data "..." :from addr}, where addr is ["host" port] for udp, a path or "@name" for unix \
                (nil when the sender has no name), fit for (send ch reply {:to addr}). From a POSIX \
                message queue (mq): {:data ... :priority p}, the oldest message of the highest priority. \
                From a System V queue (sysv-mq): {:data ... :type t}; {:type t} takes the oldest message of \
                type t (default 0: any). From a ZeroMQ socket (zmq): the message itself, a vector of \
                frames when it has several (see zmq). From a watch: the event itself as a map (see watch). On every kind {:timeout ms} bounds this wait (a timeout error; \
                on a channel it overrides the channel's :timeout for this call) and {:nonblock true} \
                returns nil at once when no message is there. data is bytes on a binary channel. A \
                datagram is sized before it is taken, so it arrives whole; one longer than :max-frame is \
                dropped and reported once. Waits like gets (the channel's :timeout, Ctrl-C); nil when a \
                non-blocking channel has nothing. On a unix socket, datagram or stream, {:fds true} \
                adds :fds, the descriptors that came with the data, each a channel of its kind (pipe, \
                fifo, unix, unix-dgram, tcp, udp, eventfd, memfd, file, terminal...) that is now this \
                shell's; on a stream socket data is what has arrived up to the last byte read with \
                descriptors (man ipcsh, Passing descriptors) and nil means end of stream. Descriptors \
                that arrive when no recv asks for them are closed. Control data cut on the way \
                (MSG_CTRUNC) is an error, and the descriptors that did arrive are closed.""",
                a -> {
                    a.arity(1, 2);
                    if (a.get(0) instanceof SysvQueue q) {
                        Options o = a.options(1).only("type", "timeout", "nonblock");
                        return q.receive(o.count("type", 0, 0, Long.MAX_VALUE), o.duration("timeout", -1), o.flag("nonblock", false));
                    }
                    Channel ch = a.channel(0);
                    boolean mq = ch.driver() instanceof MqDriver;
                    if (ch.driver() instanceof ipcsh.chan.MapMessages w) {
                        Options o = a.options(1).only("timeout", "nonblock");
                        boolean fromDriver = !ch.hasBufferedInput(); // else expect left it in the channel: parse its text
                        if (fromDriver && !ch.isClosed()) {
                            Map<String, Object> ready = w.pollReady(); // already read from the kernel: no wait, no text
                            if (ready != null) return ready;
                        }
                        w.takeLastEvent();
                        Object event = ch.recv(o.get("timeout") != null ? o.duration("timeout", -1) : null,
                                o.get("nonblock") == null ? null : o.flag("nonblock", false));
                        if (event == null) return null;
                        Map<String, Object> m = fromDriver ? w.takeLastEvent() : null;
                        return m != null ? m : w.parse(event);
                    }
                    if (!mq && !(ch.driver() instanceof DatagramDriver) && ch.driver().frames()) {
                        // a message kind of frames (zmq): the message itself, nothing comes with it
                        Options o = a.options(1).only("timeout", "nonblock");
                        return ch.recv(o.get("timeout") != null ? o.duration("timeout", -1) : null,
                                o.get("nonblock") == null ? null : o.flag("nonblock", false));
                    }
                    // the same options as on a System V queue; :type is what only those have, :fds unix sockets
                    Options o = a.options(1).only("type", "timeout", "nonblock", "fds");
                    if (o.flag("fds", false)) return receiveWithFds(ch, o);
                    if (!mq && !(ch.driver() instanceof DatagramDriver)) {
                        throw a.wrongType(0, "a datagram channel (udp, unix-dgram), a message queue (mq, sysv-mq), a watch, a dbus-monitor");
                    }
                    if (o.get("type") != null) {
                        throw new IpcException("recv " + ch.describe() + ": :type is for System V queues (sysv-mq)"
                                + (mq ? "; a POSIX queue gives the oldest message of the highest priority" : ""));
                    }
                    Object data = ch.recv(o.has("timeout") && o.get("timeout") != null ? o.duration("timeout", -1) : null,
                            o.get("nonblock") == null ? null : o.flag("nonblock", false));
                    if (data == null) return null;
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("data", data);
                    if (ch.driver() instanceof MqDriver d) m.put("priority", (long) d.lastPriority());
                    else m.put("from", Sockets.addressValue(((DatagramDriver) ch.driver()).lastFrom()));
                    return m;
                }).returns("any");
    }

    /** send's :fds, checked before anything is sent: a vector of open channels with one descriptor, or memfds. */
    private static int[] fdsToSend(Channel ch, Object spec) {
        String who = "send " + ch.describe();
        if (!ch.passesFds()) throw new IpcException(who + ": :fds is for unix sockets (unix, unix-dgram, socketpair), not a " + ch.kind() + " channel");
        if (!(spec instanceof java.util.List<?> l)) {
            throw new IpcException(who + ": :fds must be a vector of channels or memfd segments, not " + Args.describe(spec));
        }
        FdPassing.checkCount(l.size(), who);
        int[] fds = new int[l.size()];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = Descriptors.descriptorOf(l.get(i), who + ": :fds item " + (i + 1), "send a channel with one (a pipe end, a socket)");
        }
        return fds;
    }

    /** recv with {:fds true}: {:data … :fds [ch …]} (and :from on a datagram socket); the descriptors become channels. */
    private static Object receiveWithFds(Channel ch, Options o) {
        if (!ch.passesFds()) {
            throw new IpcException("recv " + ch.describe() + ": :fds is for unix sockets (unix, unix-dgram, socketpair), not a " + ch.kind() + " channel");
        }
        if (o.get("type") != null) throw new IpcException("recv " + ch.describe() + ": :type is for System V queues (sysv-mq)");
        FdMessage got = ch.recvWithFds(o.get("timeout") != null ? o.duration("timeout", -1) : null,
                o.get("nonblock") == null ? null : o.flag("nonblock", false));
        if (got == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", got.data());
        if (ch.driver() instanceof DatagramDriver d) m.put("from", Sockets.addressValue(d.lastFrom()));
        m.put("fds", FdPassing.channels(got.fds()));
        return m;
    }

    private static int port(Args a, int i) {
        return (int) a.count(i, "port", 0, 65535);
    }

    /** Accepts on the reactor; each connection's callback runs on the interpreter thread. */
    static void serve(Channel srv, Callback f, Throwable registeredAt) {
        Reactor reactor = Reactor.get();
        EventLoop loop = reactor.loop();
        String what = "accept callback of " + srv.describe();
        Reactor.Interest i = reactor.watch(srv.readFd(), false, () -> Sockets.acceptPending(srv, 64, (ch, peer) -> {
            try {
                f.call(ch, peer);
            } catch (ExitRequest e) {
                throw e;
            } catch (Throwable t) {
                loop.report(new CallbackError(what, t, registeredAt));
            }
        }), null);
        EventLoop.Keeper keeper = loop.hold("server", srv.describe(), registeredAt);
        boolean[] released = {false};
        srv.onClose(() -> {
            if (released[0]) return;
            released[0] = true;
            i.cancel();
            loop.release(keeper);
        });
    }
}
