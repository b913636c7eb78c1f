package ipcsh.rpc;

import ipcsh.Keyword;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A handler's return value as JSON can carry it. Arguments reach the builtins converted by the
 * language binding; what a callback returns does not, so Clojure keywords and maps keyed by
 * them (which the builtins floor cannot name) are made plain here: keys by name, keywords as
 * their name, sequences as lists.
 */
final class Plain {
    private Plain() {}

    static Object of(Object v) {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) return v;
        if (v instanceof Keyword k) return k.name();
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(key(e.getKey()), of(e.getValue()));
            return out;
        }
        if (v instanceof Iterable<?> it) {
            List<Object> out = new ArrayList<>();
            for (Object o : it) out.add(of(o));
            return out;
        }
        if (v instanceof Object[] a) return of(List.of(a));
        if (v instanceof Character c) return c.toString();
        if (v.getClass().getName().equals("clojure.lang.Keyword")) return v.toString().substring(1);
        return v;
    }

    static String key(Object k) {
        if (k instanceof String s) return s;
        if (k instanceof Keyword kw) return kw.name();
        String s = String.valueOf(k);
        return k != null && k.getClass().getName().equals("clojure.lang.Keyword") ? s.substring(1) : s;
    }
}
