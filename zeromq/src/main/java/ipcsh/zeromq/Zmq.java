package ipcsh.zeromq;

import ipcsh.IpcException;
import ipcsh.chan.Channel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The builtins' work, behind {@link ZeroMqBuiltins}: every argument checked before a socket exists. */
final class Zmq {
    private Zmq() {}

    private static final List<String> OWN = List.of("bind", "connect", "subscribe", "multipart", "curve", "plain",
            "sndhwm", "rcvhwm", "linger", "identity", "rcvtimeo", "sndtimeo", "immediate", "reconnect-ivl",
            "router-mandatory", "conflate");

    static Channel open(String type, Map<String, Object> given) {
        String who = "zmq :" + type;
        Map<String, Object> opts = new LinkedHashMap<>(given);
        // :json is what one JSON value per message is called here: :json-lines framing on a message channel
        if ("json".equals(ipcsh.Keyword.word(opts.get("framing")))) opts.put("framing", ipcsh.Keyword.of("json-lines"));
        ZmqSockets.typeCode(type); // an unknown type is the first thing said
        Channel.checkOptions("zmq", opts, OWN.toArray(new String[0]));
        List<String> bind = endpoints(who, "bind", opts.get("bind"));
        List<String> connect = endpoints(who, "connect", opts.get("connect"));
        List<Object> subscribe = new ArrayList<>();
        if (opts.get("subscribe") != null) {
            if (!type.equals("sub")) throw new IpcException(who + ": :subscribe is for :sub sockets");
            subscribe.addAll(ZmqOptions.topics(opts.get("subscribe"), who, "subscribe"));
        }
        boolean multipart = opts.get("multipart") != null && ipcsh.ArgCheck.bool(who, ":multipart", opts.get("multipart"));
        Security security = security(who, opts);
        Map<String, Object> socketOptions = new LinkedHashMap<>();
        Map<String, Object> rest = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : opts.entrySet()) {
            if (ZmqOptions.settable(e.getKey()) && !e.getKey().equals("subscribe")) socketOptions.put(e.getKey(), e.getValue());
            else if (!OWN.contains(e.getKey())) rest.put(e.getKey(), e.getValue());
        }
        Channel ch = ZmqSockets.open(new ZmqSockets.Spec(type, bind, connect, socketOptions, subscribe, multipart, security));
        if (!rest.isEmpty()) {
            try {
                ch.configure(rest);
            } catch (RuntimeException e) {
                ch.close();
                throw e;
            }
        }
        return ch;
    }

    private static List<String> endpoints(String who, String key, Object v) {
        List<String> out = new ArrayList<>();
        if (v == null) return out;
        if (v instanceof String s) {
            out.add(ZmqSockets.endpoint(who, s));
        } else if (v instanceof List<?> l) {
            for (Object x : l) {
                if (!(x instanceof String s)) throw new IpcException(who + ": :" + key + " takes an endpoint string or a vector of them, not " + x);
                out.add(ZmqSockets.endpoint(who, s));
            }
        } else {
            throw new IpcException(who + ": :" + key + " takes an endpoint string or a vector of them, not " + v);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Security security(String who, Map<String, Object> opts) {
        Object curve = opts.get("curve"), plain = opts.get("plain");
        if (curve != null && plain != null) throw new IpcException(who + ": :curve and :plain cannot both be given");
        if (curve != null) {
            if (!(curve instanceof Map<?, ?> m)) throw new IpcException(who + ": :curve takes a map, {:server true :secret-key k} or {:server-key k :public-key k :secret-key k}");
            Map<String, Object> c = (Map<String, Object>) m;
            only(who, "curve", c, "server", "secret-key", "public-key", "server-key");
            boolean server = c.get("server") != null && ipcsh.ArgCheck.bool(who, ":curve :server", c.get("server"));
            String sk = Security.key(who, ":curve :secret-key", c.get("secret-key"));
            if (server) {
                String pk = c.get("public-key") == null ? null : Security.key(who, ":curve :public-key", c.get("public-key"));
                return new Security.Curve(true, sk, pk, null);
            }
            return new Security.Curve(false, sk, Security.key(who, ":curve :public-key", c.get("public-key")),
                    Security.key(who, ":curve :server-key (the server's public key)", c.get("server-key")));
        }
        if (plain != null) {
            if (!(plain instanceof Map<?, ?> m)) throw new IpcException(who + ": :plain takes a map, {:username u :password p}");
            Map<String, Object> p = (Map<String, Object>) m;
            only(who, "plain", p, "server", "username", "password");
            boolean server = p.get("server") != null && ipcsh.ArgCheck.bool(who, ":plain :server", p.get("server"));
            if (!(p.get("username") instanceof String u) || !(p.get("password") instanceof String pw)) {
                throw new IpcException(who + ": :plain needs :username and :password strings");
            }
            return new Security.Plain(server, u, pw);
        }
        return null;
    }

    private static void only(String who, String what, Map<String, Object> m, String... keys) {
        List<String> known = List.of(keys);
        for (String k : m.keySet()) {
            if (!known.contains(k)) throw new IpcException(who + ": :" + what + " has no option :" + k + " (it takes :" + String.join(" :", keys) + ")");
        }
    }

    static Map<String, Object> keypair() {
        org.zeromq.ZMQ.Curve.KeyPair kp = org.zeromq.ZMQ.Curve.generateKeyPair();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("public-key", kp.publicKey);
        m.put("secret-key", kp.secretKey);
        return m;
    }

    static Object proxy(Channel front, Channel back, ipcsh.registry.Options o) {
        o.only("capture", "format", "log", "on-message");
        ZmqDriver f = driver(front, "front"), b = driver(back, "back");
        boolean capture = o.flag("capture", false) || o.get("log") != null;
        String format = o.word("format", "text");
        if (!format.equals("text") && !format.equals("hex")) throw new IpcException("zmq-proxy: :format must be :text or :hex, not :" + format);
        ipcsh.Callback onMessage = null;
        if (o.get("on-message") != null) {
            if (!(o.get("on-message") instanceof ipcsh.Callback cb)) throw new IpcException("zmq-proxy: :on-message must be a function");
            onMessage = cb;
        }
        ZmqProxy.start(front, f, back, b, capture ? new ProxyLog(format, o.string("log", null)) : null, onMessage);
        return null;
    }

    private static ZmqDriver driver(Channel ch, String which) {
        if (!(ch.driver() instanceof ZmqDriver d) || ch.isClosed()) {
            throw new IpcException("zmq-proxy: " + which + " must be an open zmq channel, not " + ch.describe());
        }
        return d;
    }
}
