package ipcsh.dbus;

import ipcsh.Callback;
import ipcsh.IpcException;

import java.util.LinkedHashMap;
import java.util.Map;

/** dbus-export's maps read and checked before anything is exported: every name, signature and function. */
final class ExportSpec {
    private ExportSpec() {}

    static Exported make(Bus bus, String who, String path, String iface, Map<?, ?> methods, Object props, Object signals, Throwable at) {
        String where = who + " " + path + " " + iface;
        Map<String, Exported.Method> ms = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : methods.entrySet()) {
            String name = member(where, e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> spec)) throw new IpcException(where + ": method " + name + " must be a map {:in \"s\" :out \"s\" :fn f}");
            known(where + " method " + name, spec, "in", "out", "fn", "error");
            if (!(spec.get("fn") instanceof Callback f)) throw new IpcException(where + ": method " + name + " has no :fn function");
            String error = spec.get("error") == null ? null : String.valueOf(spec.get("error"));
            if (error != null && !error.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+")) {
                throw new IpcException(where + ": method " + name + ": :error \"" + error + "\" is not a D-Bus error name (org.example.Error.Busy)");
            }
            ms.put(name, new Exported.Method(name, sig(where, spec.get("in")), sig(where, spec.get("out")), f, error));
        }
        Map<String, Exported.Property> ps = new LinkedHashMap<>();
        if (props != null) {
            if (!(props instanceof Map<?, ?> pm)) throw new IpcException(where + ": :properties must be a map {\"Name\" {:type \"i\" :get f :set f}}");
            for (Map.Entry<?, ?> e : pm.entrySet()) {
                String name = member(where, e.getKey());
                if (!(e.getValue() instanceof Map<?, ?> spec)) throw new IpcException(where + ": property " + name + " must be a map {:type \"i\" :get f :set f}");
                known(where + " property " + name, spec, "type", "get", "set", "value");
                Signature.Type t = Signature.single(where + " property " + name, spec.get("type") == null ? "" : String.valueOf(spec.get("type")));
                Callback get = fn(where, name, spec, "get"), set = fn(where, name, spec, "set");
                if (get == null && set == null && spec.get("value") == null) {
                    throw new IpcException(where + ": property " + name + " needs :get, :set or :value");
                }
                if (spec.get("value") != null) new ToWire(where + " property " + name).one(t, spec.get("value"), ":value");
                ps.put(name, new Exported.Property(name, t, get, set, spec.get("value")));
            }
        }
        Map<String, Signature> ss = new LinkedHashMap<>();
        if (signals != null) {
            if (!(signals instanceof Map<?, ?> sm)) throw new IpcException(where + ": :signals must be a map {\"Name\" \"signature\"}");
            for (Map.Entry<?, ?> e : sm.entrySet()) {
                Object v = e.getValue() instanceof Map<?, ?> m ? m.get("signature") : e.getValue();
                ss.put(member(where, e.getKey()), sig(where, v));
            }
        }
        if (!iface.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+")) {
            throw new IpcException(where + ": \"" + iface + "\" is not an interface name (org.example.Counter)");
        }
        return new Exported(bus, path, iface, ms, ps, ss, at);
    }

    private static Callback fn(String where, String name, Map<?, ?> spec, String key) {
        Object v = spec.get(key);
        if (v == null) return null;
        if (v instanceof Callback c) return c;
        throw new IpcException(where + ": property " + name + ": :" + key + " must be a function");
    }

    private static void known(String where, Map<?, ?> spec, String... keys) {
        for (Object k : spec.keySet()) {
            if (!java.util.List.of(keys).contains(String.valueOf(k))) {
                throw new IpcException(where + ": unknown key :" + k + " (known: :" + String.join(" :", keys) + ")");
            }
        }
    }

    private static String member(String where, Object key) {
        String s = String.valueOf(key);
        if (!s.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new IpcException(where + ": \"" + s + "\" is not a D-Bus member name");
        return s;
    }

    private static Signature sig(String where, Object v) {
        if (v != null && !(v instanceof String)) throw new IpcException(where + ": a signature must be a string, not " + ToWire.describe(v));
        return Signature.parse(where, (String) v);
    }
}
