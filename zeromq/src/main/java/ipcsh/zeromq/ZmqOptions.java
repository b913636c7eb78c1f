package ipcsh.zeromq;

import ipcsh.ArgCheck;
import ipcsh.IpcException;
import zmq.SocketBase;
import zmq.ZMQ;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The socket options configure shows and sets, by their ZeroMQ names without the ZMQ_ prefix. */
final class ZmqOptions {
    private ZmqOptions() {}

    private static final Map<String, Integer> INTS = Map.of(
            "sndhwm", ZMQ.ZMQ_SNDHWM, "rcvhwm", ZMQ.ZMQ_RCVHWM, "linger", ZMQ.ZMQ_LINGER,
            "rcvtimeo", ZMQ.ZMQ_RCVTIMEO, "sndtimeo", ZMQ.ZMQ_SNDTIMEO, "reconnect-ivl", ZMQ.ZMQ_RECONNECT_IVL);
    private static final Map<String, Integer> FLAGS = Map.of(
            "immediate", ZMQ.ZMQ_IMMEDIATE, "router-mandatory", ZMQ.ZMQ_ROUTER_MANDATORY, "conflate", ZMQ.ZMQ_CONFLATE);
    /** Write-only in ZeroMQ: kept here to be read back. */
    static final List<String> SET_ONLY = List.of("router-mandatory", "conflate", "identity", "subscribe", "unsubscribe");

    static boolean settable(String key) {
        return INTS.containsKey(key) || FLAGS.containsKey(key) || key.equals("identity")
                || key.equals("subscribe") || key.equals("unsubscribe");
    }

    /** The options as configure lists them. */
    static void read(ZmqDriver d, Map<String, Object> m) {
        SocketBase s = d.socket();
        for (String k : List.of("sndhwm", "rcvhwm", "linger", "rcvtimeo", "sndtimeo", "reconnect-ivl")) {
            m.put(k, (long) s.getSocketOpt(INTS.get(k)));
        }
        m.put("immediate", d.kept.getOrDefault("immediate", false));
        m.put("router-mandatory", d.kept.getOrDefault("router-mandatory", false));
        m.put("conflate", d.kept.getOrDefault("conflate", false));
        Object id = s.getSocketOptx(ZMQ.ZMQ_IDENTITY);
        m.put("identity", id instanceof byte[] b && b.length > 0 ? new String(b, StandardCharsets.ISO_8859_1) : null);
        Object last = s.getSocketOptx(ZMQ.ZMQ_LAST_ENDPOINT);
        m.put("last-endpoint", d.lastEndpoint != null ? d.lastEndpoint : last == null || "".equals(last) ? null : last.toString());
        if (d.type().equals("sub")) m.put("subscriptions", List.copyOf(d.subscriptions));
    }

    /** Sets one option; false when key is not a socket option. Fails with one line naming it. */
    static boolean set(ZmqDriver d, String key, Object value) {
        String who = "configure " + d.describe();
        SocketBase s = d.socket();
        boolean ok;
        if (INTS.containsKey(key)) {
            long min = key.equals("linger") || key.endsWith("timeo") ? -1 : 0;
            long v = ArgCheck.whole(who, ":" + key, value, min, Integer.MAX_VALUE, key.equals("linger") || key.endsWith("ivl") || key.endsWith("timeo") ? "milliseconds" : "messages");
            ok = s.setSocketOpt(INTS.get(key), (int) v);
        } else if (FLAGS.containsKey(key)) {
            boolean b = ArgCheck.bool(who, ":" + key, value);
            ok = s.setSocketOpt(FLAGS.get(key), b ? 1 : 0);
            if (ok) d.kept.put(key, b);
        } else if (key.equals("identity")) {
            byte[] id = value instanceof byte[] b ? b : value instanceof String str ? str.getBytes(StandardCharsets.UTF_8) : null;
            if (id == null || id.length == 0 || id.length > 255 || id[0] == 0) {
                throw new IpcException(who + ": :identity must be a string or bytes of 1..255 bytes not starting with a zero byte");
            }
            ok = s.setSocketOpt(ZMQ.ZMQ_IDENTITY, id);
        } else if (key.equals("subscribe") || key.equals("unsubscribe")) {
            if (!d.type().equals("sub") && !d.type().equals("xsub")) {
                throw new IpcException(who + ": :" + key + " is for :sub sockets, not :" + d.type());
            }
            for (Object t : topics(value, who, key)) {
                byte[] b = t instanceof byte[] bytes ? bytes : t.toString().getBytes(StandardCharsets.UTF_8);
                s.setSocketOpt(key.equals("subscribe") ? ZMQ.ZMQ_SUBSCRIBE : ZMQ.ZMQ_UNSUBSCRIBE, b);
                String name = t instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1) : t.toString();
                if (key.equals("subscribe")) d.subscriptions.add(name);
                else d.subscriptions.remove(name);
            }
            d.refresh();
            return true;
        } else {
            return false;
        }
        if (!ok) throw new IpcException(who + ": :" + key + " " + value + ": " + ZmqErrors.text(s.errno()));
        d.refresh();
        return true;
    }

    /** A topic or a vector of topics ("" subscribes to all). */
    static List<?> topics(Object value, String who, String key) {
        if (value instanceof String || value instanceof byte[]) return List.of(value);
        if (value instanceof List<?> l) {
            for (Object t : l) {
                if (!(t instanceof String) && !(t instanceof byte[])) {
                    throw new IpcException(who + ": :" + key + " takes a topic string or a vector of them, not " + t);
                }
            }
            return l;
        }
        throw new IpcException(who + ": :" + key + " takes a topic string or a vector of them, not " + value);
    }
}
