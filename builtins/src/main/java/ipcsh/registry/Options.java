package ipcsh.registry;

import ipcsh.ArgCheck;
import ipcsh.IpcException;
import ipcsh.Keyword;

import java.util.List;
import java.util.Map;

/**
 * An options map ({:mode 0600 :timeout 500}) with typed accessors and a check for unknown keys.
 * Numbers and flags are checked by {@link ArgCheck}'s one rule per kind; an option given as nil
 * is as if absent (the default, which for :timeout-like options means none).
 */
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
        if (map.isEmpty()) return this; // most calls: checked without a list or an iterator
        List<String> names = List.of(known);
        for (String key : map.keySet()) {
            if (!names.contains(key)) throw ArgCheck.unknownOption(builtin, key, names, List.of());
        }
        return this;
    }

    /** true or false (nothing else) when given, else dflt. */
    public boolean flag(String key, boolean dflt) {
        Object v = map.get(key);
        return v == null ? dflt : ArgCheck.bool(builtin, what(key), Args.plain(builtin, what(key), v));
    }

    /** A whole number of any size a long holds; use the kinds below where one fits. */
    public long integer(String key, long dflt) {
        Object v = map.get(key);
        return v == null ? dflt : ArgCheck.whole(builtin, what(key), Args.plain(builtin, what(key), v), Long.MIN_VALUE, Long.MAX_VALUE, null);
    }

    /** A duration in ms, 0 to {@link ArgCheck#MAX_MS}, else dflt (-1 for "none" by convention). */
    public long duration(String key, long dflt) {
        Object v = map.get(key);
        return v == null ? dflt : ArgCheck.duration(builtin, what(key), Args.plain(builtin, what(key), v));
    }

    /** A size in bytes from min to max, else dflt. */
    public long size(String key, long dflt, long min, long max) {
        Object v = map.get(key);
        return v == null ? dflt : ArgCheck.size(builtin, what(key), Args.plain(builtin, what(key), v), min, max);
    }

    /** A count from min to max, else dflt. */
    public long count(String key, long dflt, long min, long max) {
        Object v = map.get(key);
        return v == null ? dflt : ArgCheck.count(builtin, what(key), Args.plain(builtin, what(key), v), min, max);
    }

    /** Permission bits for a new file (0 to 07777, before the umask), else dflt. */
    public int mode(String key, int dflt) {
        Object v = map.get(key);
        return v == null ? dflt : (int) ArgCheck.whole(builtin, what(key), Args.plain(builtin, what(key), v), 0, 07777, null);
    }

    private static String what(String key) {
        return "option :" + key;
    }

    /** A string or keyword option, else dflt: a name, path or word, so a NUL in it is refused as in {@link Args#string}. */
    public String string(String key, String dflt) {
        String s = text(key, dflt);
        return s == dflt ? s : ArgCheck.noNul(builtin, what(key), s);
    }

    /** A word-valued option (:format :hex, :type :dgram), else dflt: a keyword, or a string with or without its colon (JS has no keywords). */
    public String word(String key, String dflt) {
        Object v = map.get(key);
        if (v == null) return dflt;
        String w = Keyword.word(v);
        if (w == null) throw new IpcException(builtin + ": option :" + key + " must be a keyword or a string, not " + Args.describe(v));
        return ArgCheck.noNul(builtin, what(key), w);
    }

    /** A string or keyword option that may hold any character (never handed to the OS as a C string), else dflt. */
    public String text(String key, String dflt) {
        Object v = map.get(key);
        if (v == null) return dflt;
        if (v instanceof String s) return s;
        if (v instanceof Keyword k) return k.name();
        throw new IpcException(builtin + ": option :" + key + " must be a string, not " + Args.describe(v));
    }

    /**
     * A map of names to values (an environment, :env) as strings, each key and value checked for
     * NUL as {@link #string} does; null when absent.
     */
    public Map<String, String> stringMap(String key) {
        Object v = map.get(key);
        if (v == null) return null;
        if (!(v instanceof Map<?, ?> m)) throw new IpcException(builtin + ": option :" + key + " must be a map, not " + Args.describe(v));
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = ArgCheck.noNul(builtin, what(key) + "'s name", String.valueOf(e.getKey()));
            out.put(k, ArgCheck.noNul(builtin, what(key) + "'s " + k, String.valueOf(e.getValue())));
        }
        return out;
    }
}
