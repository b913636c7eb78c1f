package ipcsh.groups;

import ipcsh.ArgCheck;
import ipcsh.Callback;
import ipcsh.IpcException;
import ipcsh.RegisteredAt;
import ipcsh.chan.Channel;
import ipcsh.chan.Framing;
import ipcsh.registry.Args;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;
import ipcsh.rpc.RpcPeer;
import ipcsh.rpc.RpcServer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON-RPC 2.0 over any channel: calls, notifications, batches, handlers, servers. */
public final class Rpc implements Registry.Group {
    @Override
    public String title() {
        return "JSON-RPC";
    }

    @Override
    public void register(Registry r) {
        r.add("rpc", "([ch] [ch opts])", """
                Wraps a channel (a socket, a spawned process, a FIFO pair as [in out], (stdin) with \
                (stdout)) in a JSON-RPC 2.0 peer: (rpc (spawn ["pylsp"]) {:framing :content-length}). \
                :framing is :json-lines or :content-length (LSP's and DAP's Content-Length headers); \
                the default is the channel's own when it carries JSON, else :json-lines. The channel is \
                made non-blocking and read by the event loop: replies are matched to calls by id, in \
                any order, and requests the other side sends go to rpc-on's handlers. (close peer) \
                closes it and its channel; calls still waiting fail.""",
                a -> {
                    a.arity(1, 2);
                    Channel[] io = channels(a, 0);
                    Options o = a.options(1).only("framing");
                    return RpcPeer.open(io[0], io[1], framing(o), false, RegisteredAt.here("rpc " + io[0].describe()));
                }).returns("RpcPeer");
        r.add("rpc-call", "([peer method] [peer method params] [peer method params opts])", """
                Sends a request with a fresh id and returns its result; params is a map or a vector \
                (nil: none). The event loop runs while it waits, so rpc-on's handlers answer the other \
                side's requests meanwhile. A JSON-RPC error reply raises an error whose ex-data has \
                :code, :message and :data (and :method, :peer); the peer closing first raises one \
                naming it. :timeout ms (no limit by default) fails with ETIMEDOUT. :on-reply f returns \
                nil at once and calls (f {:result r}) or (f {:error {:code :message :data}}) when the \
                reply comes, so that many calls may be outstanding. JS: await ipc.rpcCall(peer, \
                method, params) (or peer.call(method, params)) is a Promise.""",
                a -> {
                    a.arity(2, 4);
                    RpcPeer p = peer(a, 0);
                    String method = method(a, 1);
                    Object params = params(a, 2);
                    Options o = a.options(3).only("timeout", "on-reply");
                    long timeout = o.has("timeout") ? o.duration("timeout", -1) : -1;
                    Object onReply = o.get("on-reply");
                    if (onReply != null && !(onReply instanceof Callback)) {
                        throw new IpcException("rpc-call: option :on-reply must be a function, not " + Args.describe(onReply));
                    }
                    if (onReply == null) return p.call(method, params, timeout);
                    Callback f = (Callback) onReply;
                    p.send("rpc-call", method, params, c -> {
                        Map<String, Object> reply = new LinkedHashMap<>();
                        if (c.error() == null) reply.put("result", c.result());
                        else reply.put("error", errorMap(c.error()));
                        f.call(reply);
                    });
                    return null;
                }).returns("any").promiseInJs("A Promise of the result; an error reply rejects it with an error carrying code, message and data.");
        r.add("rpc-notify", "([peer method] [peer method params])", """
                Sends a notification (a request without an id: no reply comes). Returns nil.""",
                a -> {
                    a.arity(2, 3);
                    RpcPeer p = peer(a, 0);
                    p.notify(method(a, 1), params(a, 2));
                    return null;
                }).returns("void");
        r.add("rpc-batch", "([peer calls] [peer calls opts])", """
                Sends calls, a vector of [method params] pairs, as one batch and returns their results \
                in the same order; a call answered with an error is {:error {:code :message :data}} in \
                its place. :timeout ms as for rpc-call.""",
                a -> {
                    a.arity(2, 3);
                    RpcPeer p = peer(a, 0);
                    if (!(a.get(1) instanceof List<?> calls) || calls.isEmpty()) throw a.wrongType(1, "a non-empty vector of [method params] pairs");
                    List<String> methods = new ArrayList<>();
                    List<Object> params = new ArrayList<>();
                    for (Object c : calls) {
                        if (!(c instanceof List<?> pair) || pair.isEmpty() || pair.size() > 2 || !(pair.get(0) instanceof String m)) {
                            throw new IpcException("rpc-batch: each call must be [method params] with a string method, not " + Args.describe(c));
                        }
                        Object ps = pair.size() > 1 ? pair.get(1) : null;
                        if (ps != null && !(ps instanceof Map) && !(ps instanceof List)) {
                            throw new IpcException("rpc-batch: params of \"" + m + "\" must be a map, a vector or nil, not " + Args.describe(ps));
                        }
                        methods.add(m);
                        params.add(ps);
                    }
                    Options o = a.options(2).only("timeout");
                    return p.batch(methods, params, o.has("timeout") ? o.duration("timeout", -1) : -1);
                }).returns("any[]");
        r.add("rpc-on", "([peer method f])", """
                Handles the requests and notifications named method that the other side sends: (f \
                params peer) runs on the interpreter thread; what it returns is the reply (a Future or \
                Clojure promise is answered when delivered), an error it throws becomes an error reply \
                (its ex-data's :code and :data when it has them, else -32603). f nil removes the \
                handler. A request for a method with no handler is answered -32601. Returns nil.""",
                a -> {
                    a.arity(3, 3);
                    RpcPeer p = peer(a, 0);
                    String method = method(a, 1);
                    p.on(method, a.get(2) == null ? null : a.callback(2));
                    return null;
                }).returns("void");
        r.add("rpc-serve", "([target handlers] [target handlers opts])", """
                Serves handlers, a map of method name to (fn [params peer] ...), on target: \
                {:listen "/tmp/calc.sock"} listens (a path, "@name", a port on 127.0.0.1 or ["host" \
                port], as tap's :listen) and serves every connection, returning the server ((close s) \
                stops it; it holds the script open until then); a channel, or [in out] such as \
                [(stdin) (stdout)] ((stdin) alone answers on (stdout)), is served until it ends, \
                returning the peer, so an .ipcs script is a JSON-RPC service a program can spawn. \
                Handlers run on the interpreter thread and answer as rpc-on's. Malformed input is \
                answered with the spec's codes and a one-line reason: -32700 (not JSON), -32600 (not a \
                request, an empty batch, or a frame over :max-frame), -32601 (no such method), -32602 \
                (params neither array nor object), -32603 (the handler failed). Batches are answered \
                as one. opts (also in the :listen map): :framing (:json-lines by default, or :content-length),                 :max-frame (bytes; a longer request is answered -32600 and dropped).""",
                a -> {
                    a.arity(2, 3);
                    Object target = a.get(0);
                    Map<String, Callback> handlers = handlers(a, 1);
                    Options o = a.options(2).only("framing", "max-frame");
                    Framing f = framing(o);
                    Long maxFrame = o.has("max-frame") ? o.size("max-frame", 0, 1, 1L << 30) : null;
                    Throwable at = RegisteredAt.here("rpc-serve");
                    if (target instanceof Map<?, ?>) {
                        Options t = a.options(0).only("listen", "framing", "max-frame");
                        if (f == null) f = framing(t);
                        if (maxFrame == null && t.has("max-frame")) maxFrame = t.size("max-frame", 0, 1, 1L << 30);
                        return RpcServer.listen(address(t), handlers, f, maxFrame, at);
                    }
                    Channel[] io = channels(a, 0);
                    if (maxFrame != null) io[0].configure(Map.of("max-frame", maxFrame));
                    return RpcPeer.open(io[0], io[1], f, false, at).serving(handlers, true, null);
                }).returns("any");
    }

    static Map<String, Object> errorMap(IpcException e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", e.data().get("code"));
        m.put("message", e.data().containsKey("message") ? e.data().get("message") : e.getMessage());
        m.put("data", e.data().get("data"));
        return m;
    }

    private static RpcPeer peer(Args a, int i) {
        if (a.get(i) instanceof RpcPeer p) return p;
        throw a.wrongType(i, "an rpc peer (from rpc)");
    }

    private static String method(Args a, int i) {
        String m = a.string(i, "a method name");
        ArgCheck.noNul(a.name(), "the method name", m);
        return m;
    }

    private static Object params(Args a, int i) {
        Object p = a.has(i) ? a.get(i) : null;
        if (p != null && !(p instanceof Map) && !(p instanceof List)) throw a.wrongType(i, "params: a map, a vector or nil");
        return p;
    }

    /** A channel read and written, [in out], or (stdin) (answered on (stdout)). */
    private static Channel[] channels(Args a, int i) {
        Object v = a.get(i);
        if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Channel in && l.get(1) instanceof Channel out) {
            return new Channel[] {in, out};
        }
        if (!(v instanceof Channel ch)) throw a.wrongType(i, "a channel or [in out]");
        if (ch.writeFd() < 0 && ch.driver() instanceof ipcsh.chan.drivers.StdioDriver && ch == ipcsh.chan.drivers.StdioDriver.of(0)) {
            return new Channel[] {ch, ipcsh.chan.drivers.StdioDriver.of(1)};
        }
        return new Channel[] {ch, ch};
    }

    private static Framing framing(Options o) {
        String f = o.word("framing", null);
        if (f == null) return null;
        if (!f.equals("json-lines") && !f.equals("content-length")) {
            throw new IpcException("rpc: option :framing must be :json-lines or :content-length, not :" + f);
        }
        return Framing.of(f);
    }

    private static Map<String, Callback> handlers(Args a, int i) {
        if (!(a.get(i) instanceof Map<?, ?> m)) throw a.wrongType(i, "a map of method names to functions");
        Map<String, Callback> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof Callback c)) {
                throw new IpcException(a.name() + ": the handler of \"" + e.getKey() + "\" must be a function, not " + Args.describe(e.getValue()));
            }
            out.put(String.valueOf(e.getKey()), c);
        }
        return out;
    }

    private static Object address(Options o) {
        Object v = o.get("listen");
        if (v instanceof String s && !s.isEmpty()) return o.string("listen", null);
        if (v instanceof Number n && n.longValue() >= 0 && n.longValue() <= 65535) return n;
        if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String host && l.get(1) instanceof Number n
                && n.longValue() >= 0 && n.longValue() <= 65535) {
            ArgCheck.noNul("rpc-serve", "option :listen's host", host);
            return l;
        }
        throw new IpcException("rpc-serve: option :listen must be a socket path, \"@name\", a port (0..65535) or [\"host\" port], not "
                + Args.describe(v));
    }
}
