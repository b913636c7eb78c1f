package ipcsh.registry;

import ipcsh.ArgCheck;
import ipcsh.Callback;
import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one builtin call, already converted by the language binding to plain
 * Java: String, Long, Double, Boolean, byte[], {@link Keyword}, List, Map with String keys,
 * {@link Channel}, and {@link Callback} for functions (integers too wide for a long arrive as
 * BigInteger). Accessors give clear errors naming the builtin and what was expected; numbers
 * are checked by {@link ArgCheck}'s one rule per kind (duration, size, count).
 */
public final class Args {
    private final Builtin builtin;
    private final Object[] values;

    public Args(Builtin builtin, Object[] values) {
        this.builtin = builtin;
        this.values = values;
    }

    public int size() {
        return values.length;
    }

    public Object get(int i) {
        return i < values.length ? values[i] : null;
    }

    public boolean has(int i) {
        return i < values.length;
    }

    public String name() {
        return builtin.name();
    }

    /** Fails unless the call has between min and max arguments. */
    public Args arity(int min, int max) {
        if (values.length < min || values.length > max) throw usage();
        return this;
    }

    public IpcException usage() {
        return new IpcException(builtin.name() + ": wrong number of arguments (" + values.length + "); usage: "
                + String.join(" or ", builtin.usages()));
    }

    public IpcException wrongType(int i, String expected) {
        Object v = get(i);
        return new IpcException(builtin.name() + ": argument " + (i + 1) + " must be " + expected + ", not "
                + describe(v) + "; usage: " + String.join(" or ", builtin.usages()));
    }

    public static String describe(Object v) {
        if (v instanceof Channel c) return "the channel " + c.id();
        return ArgCheck.describe(v);
    }

    /** A channel or function where a number or flag belongs, named as only this layer can (ArgCheck sits below it). */
    static Object plain(String who, String what, Object v) {
        if (v instanceof Channel || v instanceof Callback) {
            throw new IpcException(who + ": " + what + " cannot be " + describe(v));
        }
        return v;
    }

    public Channel channel(int i) {
        if (get(i) instanceof Channel c) return c;
        throw wrongType(i, "a channel");
    }

    /**
     * A name, path, program or argument: a string without NUL (the OS would cut it there, so
     * another object or program would be used). Free text goes through {@link #text}.
     */
    public String string(int i, String what) {
        return ArgCheck.noNul(name(), "argument " + (i + 1) + " (" + what + ")", text(i, what));
    }

    /** A string that may hold any character (source code, a topic), never handed to the OS as a C string. */
    public String text(int i, String what) {
        Object v = get(i);
        if (v instanceof String s) return s;
        throw wrongType(i, what + " (a string)");
    }

    /** The strings of a vector argument (a command [cmd arg…]), each a name, path, program or argument as for {@link #string}. */
    public List<String> stringList(int i, String what) {
        if (!(get(i) instanceof List<?> l)) throw wrongType(i, what);
        List<String> out = new ArrayList<>();
        for (Object x : l) {
            if (!(x instanceof String s)) throw wrongType(i, what);
            out.add(ArgCheck.noNul(name(), "argument " + (i + 1) + " (" + what + "), item " + (out.size() + 1), s));
        }
        return out;
    }

    /** A whole number of any size a long holds; use the kinds below where one fits. */
    public long integer(int i, String what) {
        if (!has(i)) throw usage();
        return ArgCheck.whole(name(), what, plain(name(), what, get(i)), Long.MIN_VALUE, Long.MAX_VALUE, null);
    }

    /** A duration in ms, 0 to {@link ArgCheck#MAX_MS}; what names it in errors ("ms"). */
    public long duration(int i, String what) {
        if (!has(i)) throw usage();
        return ArgCheck.duration(name(), what, plain(name(), what, get(i)));
    }

    /** A size in bytes from min to max. */
    public long size(int i, String what, long min, long max) {
        if (!has(i)) throw usage();
        return ArgCheck.size(name(), what, plain(name(), what, get(i)), min, max);
    }

    /** A count from min to max (characters, an exit status...). */
    public long count(int i, String what, long min, long max) {
        if (!has(i)) throw usage();
        return ArgCheck.count(name(), what, plain(name(), what, get(i)), min, max);
    }

    /** A keyword argument's name (:read → "read"); strings are accepted too. */
    public String word(int i, String what) {
        String w = Keyword.word(get(i));
        if (w != null) return w;
        throw wrongType(i, what);
    }

    public Callback callback(int i) {
        Object v = get(i);
        if (v instanceof Callback c) return c;
        throw wrongType(i, "a function");
    }

    /** The options map at i, or an empty one when absent or nil. */
    @SuppressWarnings("unchecked")
    public Options options(int i) {
        Object v = get(i);
        if (v == null) return new Options(builtin.name(), Map.of());
        if (v instanceof Map<?, ?> m) return new Options(builtin.name(), (Map<String, Object>) m);
        throw wrongType(i, "an options map");
    }

    /** The arguments from i on as strings (a command line). */
    public List<String> strings(int from, String what) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < values.length; i++) out.add(string(i, what));
        return out;
    }
}
