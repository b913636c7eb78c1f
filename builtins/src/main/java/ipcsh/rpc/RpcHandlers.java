package ipcsh.rpc;

import ipcsh.Callback;
import ipcsh.ExitRequest;
import ipcsh.IpcException;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The requests and notifications a peer receives: checked as the spec says (each malformed
 * input answered with its code and a one-line reason), handed to the handler of their method
 * on the interpreter thread, and answered with what it returns or the error it throws. A
 * handler that returns a deferred value (a Future, a Clojure promise or delay) is answered
 * when it is delivered, while the loop serves other requests and connections.
 */
final class RpcHandlers {
    private final RpcPeer peer;
    private final Map<String, Callback> byMethod = new HashMap<>();
    /** A server answers what it cannot read with a parse error; a client only reports it. */
    boolean server;
    /** Deferred results not yet delivered: the connection stays open for them after the client's end. */
    int deferred;

    RpcHandlers(RpcPeer peer) {
        this.peer = peer;
    }

    void put(String method, Callback handler) {
        if (handler == null) byMethod.remove(method);
        else byMethod.put(method, handler);
    }

    void putAll(Map<String, Callback> handlers) {
        byMethod.putAll(handlers);
    }

    /** A frame that is no JSON (or too long, or a lying head): -32700 (-32600 for a long one) to the client. */
    void unreadable(IpcException e) {
        if (!server) {
            peer.loop().report(new IpcException("rpc " + peer.name() + ": " + e.getMessage() + "; skipped", e.data()));
            return;
        }
        boolean tooLong = "EMSGSIZE".equals(e.data().get("errno"));
        String why = RpcErrors.firstLine(e.getMessage());
        int k = why.indexOf("): "); // after "gets unix2 (/path)": the reason, not this side's verb
        if (k > 0 && why.startsWith("gets ")) why = why.substring(k + 3);
        String message = (tooLong ? "Invalid Request: " : "Parse error: ") + why;
        // in order with the requests read before it, which are posted
        peer.loop().post(() -> send(error(null, tooLong ? RpcErrors.INVALID_REQUEST : RpcErrors.PARSE, message)));
    }

    /** One request, notification or batch. */
    void serve(Object msg) {
        if (!(msg instanceof List<?> batch)) {
            serveOne(msg, r -> send(r));
            return;
        }
        if (batch.isEmpty()) {
            send(error(null, RpcErrors.INVALID_REQUEST, "Invalid Request: an empty batch"));
            return;
        }
        Object[] replies = new Object[batch.size()];
        int[] left = {batch.size()};
        for (int i = 0; i < batch.size(); i++) {
            int at = i;
            serveOne(batch.get(i), r -> {
                replies[at] = r;
                if (--left[0] > 0) return;
                List<Object> out = new ArrayList<>();
                for (Object x : replies) if (x != null) out.add(x);
                if (!out.isEmpty()) send(out);
            });
        }
    }

    private void send(Object reply) {
        if (reply == null || peer.isClosed()) return;
        try {
            peer.write(reply, "rpc reply");
        } catch (ExitRequest e) {
            throw e;
        } catch (RuntimeException e) {
            peer.loop().report(new IpcException("rpc " + peer.name() + ": cannot send a reply: " + e.getMessage()));
        }
    }

    /** Answers one request through done (null for a notification, which gets no reply). */
    private void serveOne(Object msg, Consumer<Object> done) {
        if (!(msg instanceof Map<?, ?> m)) {
            done.accept(error(null, RpcErrors.INVALID_REQUEST, "Invalid Request: a request is an object, not " + what(msg)));
            return;
        }
        boolean hasId = m.containsKey("id");
        Object id = m.get("id");
        if (hasId && id != null && !(id instanceof String) && !(id instanceof Number)) {
            done.accept(error(null, RpcErrors.INVALID_REQUEST, "Invalid Request: \"id\" must be a string, a number or null, not " + what(id)));
            return;
        }
        if (!"2.0".equals(m.get("jsonrpc"))) {
            done.accept(error(id, RpcErrors.INVALID_REQUEST, "Invalid Request: \"jsonrpc\" must be \"2.0\", not " + what(m.get("jsonrpc"))));
            return;
        }
        if (!(m.get("method") instanceof String method)) {
            done.accept(error(id, RpcErrors.INVALID_REQUEST, "Invalid Request: \"method\" must be a string, not " + what(m.get("method"))));
            return;
        }
        Object params = m.get("params");
        if (m.containsKey("params") && !(params instanceof Map) && !(params instanceof List)) {
            done.accept(hasId ? error(id, RpcErrors.INVALID_PARAMS, "Invalid params: \"params\" must be an array or an object, not "
                    + what(params)) : null);
            return;
        }
        Callback h = byMethod.get(method);
        if (h == null) {
            done.accept(hasId ? error(id, RpcErrors.NO_METHOD, "Method not found: \"" + method + "\"") : null);
            return;
        }
        Object r;
        try {
            r = h.call(params, peer);
        } catch (ExitRequest e) {
            throw e;
        } catch (Throwable t) {
            if (!hasId) peer.loop().report(new IpcException("rpc " + peer.name() + ": handler of notification \"" + method
                    + "\" failed: " + RpcErrors.firstLine(String.valueOf(t.getMessage())), Map.of(), t));
            done.accept(hasId ? RpcErrors.reply(id, RpcErrors.fromThrown(t)) : null);
            return;
        }
        Consumer<Object> answer = v -> done.accept(hasId ? result(id, v) : null);
        Consumer<Throwable> failure = t -> done.accept(hasId ? RpcErrors.reply(id, RpcErrors.fromThrown(t)) : null);
        if (deferred(r)) whenDelivered(r, answer, failure);
        else convert(r, answer, failure);
    }

    private static void convert(Object r, Consumer<Object> answer, Consumer<Throwable> failure) {
        Object v;
        try {
            v = Plain.of(r);
        } catch (RuntimeException e) {
            failure.accept(e);
            return;
        }
        answer.accept(v);
    }

    private static Map<String, Object> result(Object id, Object v) {
        Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("jsonrpc", "2.0");
        r.put("result", v);
        r.put("id", id);
        return r;
    }

    private static Map<String, Object> error(Object id, long code, String message) {
        return RpcErrors.reply(id, RpcErrors.object(code, message, null));
    }

    private static String what(Object v) {
        if (v == null) return "null";
        if (v instanceof String s) return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        if (v instanceof Number) return "the number " + v;
        if (v instanceof Boolean) return v.toString();
        if (v instanceof List) return "an array";
        if (v instanceof Map) return "an object";
        return v.getClass().getSimpleName();
    }

    // ------------------------------------------------------------------ deferred results

    private static boolean deferred(Object r) {
        return r instanceof Future<?> || (r != null && method(r, "isRealized") != null && method(r, "deref") != null);
    }

    private static Method method(Object o, String name) {
        for (Class<?> i : o.getClass().getInterfaces()) {
            try {
                return i.getMethod(name);
            } catch (NoSuchMethodException ignored) {
                // not this interface
            }
        }
        return null;
    }

    /** Polls r from the loop (every millisecond, then less often) until delivered or the peer is closed; other events run meanwhile. */
    private void whenDelivered(Object r, Consumer<Object> answer, Consumer<Throwable> failure) {
        long[] wait = {1};
        Runnable[] check = new Runnable[1];
        peer.loop().hold();
        deferred++;
        check[0] = () -> {
            boolean ready;
            try {
                ready = r instanceof Future<?> f ? f.isDone() : (Boolean) method(r, "isRealized").invoke(r);
            } catch (ReflectiveOperationException e) {
                ready = true;
            }
            if (!ready && peer.isClosed()) {
                // nobody is left to answer: a value never delivered must not keep the script running
                peer.loop().release();
                deferred--;
                return;
            }
            if (!ready) {
                wait[0] = Math.min(50, wait[0] * 2);
                peer.loop().after(wait[0], check[0]);
                return;
            }
            peer.loop().release();
            deferred--;
            try {
                Object v = r instanceof Future<?> f ? f.get() : method(r, "deref").invoke(r);
                convert(v, answer, failure);
            } catch (java.util.concurrent.ExecutionException e) {
                failure.accept(e.getCause());
            } catch (java.lang.reflect.InvocationTargetException e) {
                failure.accept(e.getCause());
            } catch (Exception e) {
                failure.accept(e);
            }
        };
        peer.loop().after(0, check[0]);
    }
}
