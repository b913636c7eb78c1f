package ipcsh.rpc;

import ipcsh.IpcException;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON-RPC error objects: the spec's codes, error replies as catchable errors, thrown errors as error objects. */
final class RpcErrors {
    static final long PARSE = -32700, INVALID_REQUEST = -32600, NO_METHOD = -32601, INVALID_PARAMS = -32602, INTERNAL = -32603;

    private RpcErrors() {}

    static Map<String, Object> object(long code, String message, Object data) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", code);
        e.put("message", message);
        if (data != null) e.put("data", data);
        return e;
    }

    static Map<String, Object> reply(Object id, Map<String, Object> error) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("jsonrpc", "2.0");
        r.put("error", error);
        r.put("id", id);
        return r;
    }

    /** An error reply to a call, as the error a script catches: ex-data :code :message :data. */
    static IpcException fromReply(String verb, String method, String peer, Object error) {
        Map<String, Object> data = new LinkedHashMap<>();
        Object code = null, message = null, more = null;
        if (error instanceof Map<?, ?> m) {
            code = m.get("code");
            message = m.get("message");
            more = m.get("data");
        }
        data.put("code", code);
        data.put("message", message);
        data.put("data", more);
        data.put("method", method);
        data.put("peer", peer);
        return new IpcException(verb + " \"" + method + "\" to " + peer + ": error " + code + ": "
                + firstLine(String.valueOf(message)), data);
    }

    /**
     * What a handler threw, as an error object: its one-line message; its :code and :data when
     * it carries them (ex-info data or an ipcsh error's), else -32603.
     */
    static Map<String, Object> fromThrown(Throwable t) {
        Map<?, ?> data = dataOf(t);
        Throwable cause = t;
        while (data == null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
            data = dataOf(cause);
        }
        long code = INTERNAL;
        Object more = null;
        if (data != null) {
            for (Map.Entry<?, ?> e : data.entrySet()) {
                String k = Plain.key(e.getKey());
                if (k.equals("code") && e.getValue() instanceof Number n) code = n.longValue();
                if (k.equals("data")) more = Plain.of(e.getValue());
            }
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : firstLine(t.getMessage());
        return object(code, msg, more);
    }

    private static Map<?, ?> dataOf(Throwable t) {
        if (t instanceof IpcException e) return e.data();
        try {
            Method m = t.getClass().getMethod("getData"); // Clojure's ex-info, JS errors with data
            Object d = m.invoke(t);
            return d instanceof Map<?, ?> map ? map : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
