package ipcsh.registry;

import ipcsh.IpcException;
import ipcsh.Keyword;

import java.util.Map;
import java.util.Set;

/** An options map ({:mode 0600 :timeout 500}) with typed accessors and a check for unknown keys. */
public final class Options {
    private final String builtin;
    private final Map<String, Object> map;

    public Options(String builtin, Map<String, Object> map) {
        this.builtin = builtin;
        this.map = map;
    }

    public Map<String, Object> map() {
        return map;
    }

    public boolean has(String key) {
        return map.containsKey(key);
    }

    public Object get(String key) {
        return map.get(key);
    }

    /** Fails on keys the builtin does not know, naming the ones it does. */
    public Options only(String... known) {
        Set<String> k = Set.of(known);
        for (String key : map.keySet()) {
            if (!k.contains(key)) {
                throw new IpcException(builtin + ": unknown option :" + key + " (known: :" + String.join(" :", known) + ")");
            }
        }
        return this;
    }

    public boolean flag(String key, boolean dflt) {
        if (!map.containsKey(key)) return dflt;
        Object v = map.get(key);
        return v != null && !Boolean.FALSE.equals(v);
    }

    public long integer(String key, long dflt) {
        Object v = map.get(key);
        if (v == null) return dflt;
        if (v instanceof Number n) return n.longValue();
        throw new IpcException(builtin + ": option :" + key + " must be a number, not " + Args.describe(v));
    }

    public String string(String key, String dflt) {
        Object v = map.get(key);
        if (v == null) return dflt;
        if (v instanceof String s) return s;
        if (v instanceof Keyword k) return k.name();
        throw new IpcException(builtin + ": option :" + key + " must be a string, not " + Args.describe(v));
    }
}
