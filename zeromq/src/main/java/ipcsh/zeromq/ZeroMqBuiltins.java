package ipcsh.zeromq;

import ipcsh.chan.Channel;
import ipcsh.registry.Registry;

/**
 * zmq, zmq-keypair, zmq-proxy. Loaded at every start-up to register them, so nothing here names
 * a JeroMQ class outside the lambdas: {@link Zmq} (which does) loads on the first call.
 */
public final class ZeroMqBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "ZeroMQ";
    }

    /** After the builtins module's groups, at the man page's end. */
    @Override
    public int rank() {
        return 20;
    }

    @Override
    public void register(Registry r) {
        r.add("zmq", "([type] [type opts])", """
                Makes a ZeroMQ socket and returns it as a message channel (kind zmq). type is one of \
                :req :rep :dealer :router :pub :sub :xpub :xsub :push :pull :pair. Options: :bind and \
                :connect, an endpoint or a vector of them (tcp://host:port, tcp://*:* for a free port, \
                ipc://path, inproc://name; both may be given); :subscribe, a topic or a vector of topics \
                for a :sub ("" for every message); :multipart true (recv and gets always return a vector \
                of frames); the socket options :sndhwm :rcvhwm :linger :identity :rcvtimeo :sndtimeo \
                :immediate :reconnect-ivl :router-mandatory :conflate; :curve and :plain (below); and any \
                channel option (:encoding :binary for bytes, :framing :json or :json-lines for one JSON value \
                per message, :timeout, :blocking). One recv, gets or read is one message; send and puts send \
                one. A message of several frames is a vector: (send s ["addr" "" "payload"]), and recv \
                returns a vector when a message has more than one frame. on-readable, on-writable, \
                expect, wait-for, copy, :timeout and Ctrl-C work as on every channel. (configure s) shows \
                the socket options and the read-only :type, :endpoints and :last-endpoint (the real port \
                of a tcp://*:* bind); (configure s {:subscribe "t"}) and {:unsubscribe "t"} change a \
                :sub's topics later. Close honours :linger: by default 1000 ms, so queued messages get a \
                second to reach a peer at close and at exit, and then are dropped (never a hang). \
                Security: {:curve {:server true :secret-key k}} on the server, {:curve {:server-key \
                spk :public-key pk :secret-key sk}} on a client, Z85 keys from (zmq-keypair); a client \
                with a wrong server key fails the handshake and nothing passes. {:plain {:username u \
                :password p}} on a client, {:plain {:server true :username u :password p}} on a server \
                (which admits only that pair). Errors are one line: an unknown type, an endpoint without \
                a transport, send on a :sub, recv on a :pub, a :req that sends twice (ZeroMQ's EFSM), a \
                port in use. ipc://path is a socket file that libzmq programs (pyzmq, C) reach, removed at \
                close and at exit (JeroMQ speaks TCP only: the shell relays the file to a loopback port, \
                which every local user can reach; use CURVE on a shared machine). See (help :zeromq).""",
                a -> {
                    a.arity(1, 2);
                    String type = a.word(0, "a socket type keyword (:req :rep :pub :sub ...)");
                    return Zmq.open(type, a.options(1).map());
                }).returns("Channel");
        r.add("zmq-keypair", "([])", """
                Makes a CURVE key pair: {:public-key "..." :secret-key "..."}, each a 40-character Z85 \
                string as libzmq's zmq_curve_keypair gives it. The server keeps its :secret-key and gives \
                clients its :public-key (their :server-key).""",
                a -> {
                    a.arity(0, 0);
                    return Zmq.keypair();
                }).returns("{\"public-key\": string, \"secret-key\": string}");
        r.add("zmq-proxy", "([front back] [front back opts])", """
                Runs ZeroMQ's proxy between two zmq channels inside the event loop: every message from \
                front goes to back and every one from back to front, whole (all its frames), as \
                zmq_proxy does (a :router front and a :dealer back make a broker; :xsub and :xpub a \
                pub/sub forwarder). Options: :capture true logs every message to stderr (or :log \
                "file") in the tap formats, one line per frame: :format :text (default) or :hex; \
                :on-message f is called with {:from :front|:back :frames [...]} for every message \
                (frames as strings, bytes when the channel is {:encoding :binary}). Returns nil at once; \
                the script keeps serving while the proxy runs, and closing either channel ends it.""",
                a -> {
                    a.arity(2, 3);
                    Channel front = a.channel(0);
                    Channel back = a.channel(1);
                    return Zmq.proxy(front, back, a.options(2));
                }).returns("void");
    }
}
