package ipcsh.dbus;

import ipcsh.IpcException;
import ipcsh.Keyword;
import org.freedesktop.dbus.types.UInt64;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Script values to the objects dbus-java marshals, by the D-Bus type they are sent as: every
 * integer range-checked (300 for a y is an error, not a wrap), a variant as {signature, value}.
 */
final class ToWire {
    private final String who;

    ToWire(String who) {
        this.who = who;
    }

    Object[] all(Signature sig, List<?> values) {
        if (sig.types().size() != values.size()) {
            throw new IpcException(who + ": the signature \"" + sig + "\" takes " + sig.types().size()
                    + " argument" + (sig.types().size() == 1 ? "" : "s") + ", not " + values.size());
        }
        Object[] out = new Object[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = one(sig.types().get(i), values.get(i), "argument " + (i + 1));
        return out;
    }

    Object one(Signature.Type t, Object v, String where) {
        if (v == null) throw wrong(t, v, where, "nil has no D-Bus value");
        if (v instanceof DbusVariant dv && t.code() != 'v') v = dv.value();
        switch (t.code()) {
            case 'y': return (byte) range(t, v, where, 0, 255);
            case 'n': return (short) range(t, v, where, Short.MIN_VALUE, Short.MAX_VALUE);
            case 'q': return (int) range(t, v, where, 0, 65535);
            case 'i': return (int) range(t, v, where, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case 'u': return range(t, v, where, 0, 4294967295L);
            case 'x': return range(t, v, where, Long.MIN_VALUE, Long.MAX_VALUE);
            case 't': return uint64(t, v, where);
            case 'd':
                if (v instanceof Number n && !(v instanceof BigInteger)) return n.doubleValue();
                if (v instanceof BigInteger b) return b.doubleValue();
                throw wrong(t, v, where, "not a number");
            case 'b':
                if (v instanceof Boolean b) return b;
                throw wrong(t, v, where, "not true or false");
            case 's':
                String str = text(v);
                if (str == null) throw wrong(t, v, where, "not a string");
                if (str.indexOf('\0') >= 0) throw wrong(t, v, where, "a D-Bus string cannot hold a NUL character");
                return str;
            case 'o':
                String p = text(v);
                if (p == null || !ObjectPaths.valid(p)) throw wrong(t, v, where, "not an object path (/a/b_1)");
                return p;
            case 'g':
                String g = text(v);
                if (g == null) throw wrong(t, v, where, "not a signature string");
                Signature.parse(who, g);
                return g;
            case 'h':
                // the descriptor goes as it is; the channel stays open here (the receiver gets a copy)
                return new org.freedesktop.dbus.FileDescriptor(ipcsh.groups.Descriptors.descriptorOf(v, who + ": " + where,
                        "give one end (a pipe's read or write channel)"));
            case 'v': return variant(v, where);
            case 'a': return array(t, v, where);
            case '{': return dict(t, v, where);
            case '(': return struct(t, v, where);
            default: throw new IllegalStateException("type " + t);
        }
    }

    /**
     * dbus-java counts only top-level unix fd arguments in a message's UNIX_FDS header (and none
     * in a signal's): a descriptor inside a container would go uncounted, which the bus rejects.
     */
    static void checkFds(String what, org.freedesktop.dbus.messages.Message m, Object[] wire, boolean counted) {
        int n = m.getFiledescriptors().size();
        if (n == 0) return;
        if (!counted) throw new IpcException(what + ": unix fds (type h) in signals are not supported");
        long top = java.util.Arrays.stream(wire).filter(org.freedesktop.dbus.FileDescriptor.class::isInstance).count();
        if (top != n) {
            throw new IpcException(what + ": unix fds (type h) inside arrays, dicts, structs or variants are not supported; give them as arguments of their own");
        }
    }

    private static String text(Object v) {
        if (v instanceof String s) return s;
        if (v instanceof Keyword k) return k.name();
        return null;
    }

    private Object variant(Object v, String where) {
        if (v instanceof DbusVariant dv) {
            Signature.Type inner = Signature.single(who, dv.signature());
            return new Object[] {dv.signature(), one(inner, dv.value(), where + " (variant " + dv.signature() + ")")};
        }
        String sig = natural(v, where);
        return new Object[] {sig, one(Signature.single(who, sig), v, where)};
    }

    /** The variant type a plain value gets: what python-dbus and gdbus pick for the same value. */
    String natural(Object v, String where) {
        if (v instanceof Boolean) return "b";
        if (v instanceof String || v instanceof Keyword) return "s";
        if (v instanceof Double || v instanceof Float) return "d";
        if (v instanceof BigInteger b) return b.signum() >= 0 && b.bitLength() <= 64 ? "t" : "x";
        if (v instanceof Number n) {
            long l = n.longValue();
            return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? "i" : "x";
        }
        if (v instanceof byte[]) return "ay";
        if (v instanceof DbusVariant) return "v";
        if (v instanceof Map<?, ?>) return "a{sv}";
        if (v instanceof List<?>) return "av";
        throw new IpcException(who + ": " + where + ": " + describe(v) + " has no D-Bus type; give one with (dbus-variant \"s\" x)");
    }

    private Object array(Signature.Type t, Object v, String where) {
        Signature.Type e = t.item(0);
        if (v instanceof byte[] b) {
            if (e.code() != 'y') throw wrong(t, v, where, "bytes go only in an ay");
            return b;
        }
        if (!(v instanceof List<?> l)) throw wrong(t, v, where, "not a vector");
        List<Object> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) out.add(one(e, l.get(i), where + "[" + i + "]"));
        return out;
    }

    private Object dict(Signature.Type t, Object v, String where) {
        if (!(v instanceof Map<?, ?> m)) throw wrong(t, v, where, "not a map");
        Map<Object, Object> out = new LinkedHashMap<>();
        Signature.Type kt = t.item(0);
        for (Map.Entry<?, ?> en : m.entrySet()) {
            Object k = en.getKey();
            // a Clojure map's keys arrive as strings; an integer key type reads them back as numbers
            if (k instanceof String s && "ybnqiuxt".indexOf(kt.code()) >= 0) k = number(s, kt, where);
            if (k instanceof String s && kt.code() == 'b') k = Boolean.valueOf(s);
            out.put(one(kt, k, where + " key"), one(t.item(1), en.getValue(), where + "[" + en.getKey() + "]"));
        }
        return out;
    }

    private Object number(String s, Signature.Type kt, String where) {
        try {
            return new BigInteger(s);
        } catch (NumberFormatException e) {
            throw wrong(kt, s, where + " key", "not an integer");
        }
    }

    private Object struct(Signature.Type t, Object v, String where) {
        if (!(v instanceof List<?> l)) throw wrong(t, v, where, "not a vector (a struct is a vector of its fields)");
        if (l.size() != t.items().size()) {
            throw wrong(t, v, where, "a struct " + t + " has " + t.items().size() + " fields, not " + l.size());
        }
        Object[] out = new Object[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = one(t.item(i), l.get(i), where + "." + i);
        return out;
    }

    private long range(Signature.Type t, Object v, String where, long min, long max) {
        if (v instanceof BigInteger b) {
            if (b.bitLength() > 63) throw outOfRange(t, v, where, min, max);
            v = b.longValue();
        }
        if (!(v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)) {
            if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9.0e15) v = d.longValue();
            else throw wrong(t, v, where, "not an integer");
        }
        long l = ((Number) v).longValue();
        if (l < min || l > max) throw outOfRange(t, v, where, min, max);
        return l;
    }

    private Object uint64(Signature.Type t, Object v, String where) {
        BigInteger b;
        if (v instanceof BigInteger bi) b = bi;
        else b = BigInteger.valueOf(range(t, v, where, Long.MIN_VALUE, Long.MAX_VALUE));
        if (b.signum() < 0 || b.bitLength() > 64) {
            throw new IpcException(who + ": " + where + ": " + v + " is out of range for t (0 to 18446744073709551615)");
        }
        return new UInt64(b);
    }

    private IpcException outOfRange(Signature.Type t, Object v, String where, long min, long max) {
        return new IpcException(who + ": " + where + ": " + v + " is out of range for " + t + " (" + min + " to " + max + ")");
    }

    private IpcException wrong(Signature.Type t, Object v, String where, String why) {
        return new IpcException(who + ": " + where + ": " + describe(v) + " cannot be sent as " + t + ": " + why);
    }

    static String describe(Object v) {
        if (v == null) return "nil";
        if (v instanceof String s) return "\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
        if (v instanceof byte[] b) return b.length + " bytes";
        if (v instanceof List<?> l) return "a vector of " + l.size();
        if (v instanceof Map<?, ?> m) return "a map of " + m.size();
        if (v instanceof ipcsh.Callback) return "a function";
        return String.valueOf(v);
    }
}
