package ipcsh.dbus;

import ipcsh.IpcException;

import java.util.ArrayList;
import java.util.List;

/**
 * A D-Bus signature split into its complete types, each a tree: the conversions walk a value
 * and its type together. Checked once, so a bad signature is one error before anything is sent.
 */
record Signature(List<Type> types) {
    /** One complete type: code is the type letter ('a', '(', '{' for containers); items its parts. */
    record Type(char code, List<Type> items, String text) {
        Type item(int i) {
            return items.get(i);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private static final String BASIC = "ybnqiuxtdsogh";

    static Signature parse(String who, String sig) {
        if (sig == null) sig = "";
        if (sig.length() > 255) throw bad(who, sig, "longer than 255 characters");
        List<Type> out = new ArrayList<>();
        int[] at = {0};
        while (at[0] < sig.length()) out.add(one(who, sig, at, 0, 0));
        return new Signature(out);
    }

    /** Exactly one complete type ("a{sv}"), as a variant's or a property's. */
    static Type single(String who, String sig) {
        Signature s = parse(who, sig);
        if (s.types.size() != 1) throw bad(who, sig, "not a single complete type");
        return s.types.get(0);
    }

    private static Type one(String who, String sig, int[] at, int arrays, int structs) {
        if (arrays > 32 || structs > 32) throw bad(who, sig, "nested deeper than 32");
        int start = at[0];
        char c = sig.charAt(at[0]++);
        if (BASIC.indexOf(c) >= 0 || c == 'v') return new Type(c, List.of(), String.valueOf(c));
        if (c == 'a') {
            if (at[0] >= sig.length()) throw bad(who, sig, "an array with no element type");
            if (sig.charAt(at[0]) == '{') {
                at[0]++;
                if (at[0] >= sig.length() || BASIC.indexOf(sig.charAt(at[0])) < 0) {
                    throw bad(who, sig, "a dict key must be a basic type");
                }
                Type k = one(who, sig, at, arrays + 1, structs);
                if (at[0] >= sig.length()) throw bad(who, sig, "an unclosed {");
                Type v = one(who, sig, at, arrays + 1, structs);
                if (at[0] >= sig.length() || sig.charAt(at[0]) != '}') throw bad(who, sig, "a dict entry must have two types and a }");
                at[0]++;
                return new Type('{', List.of(k, v), sig.substring(start, at[0]));
            }
            Type e = one(who, sig, at, arrays + 1, structs);
            return new Type('a', List.of(e), sig.substring(start, at[0]));
        }
        if (c == '(') {
            List<Type> items = new ArrayList<>();
            while (at[0] < sig.length() && sig.charAt(at[0]) != ')') items.add(one(who, sig, at, arrays, structs + 1));
            if (at[0] >= sig.length()) throw bad(who, sig, "an unclosed (");
            if (items.isEmpty()) throw bad(who, sig, "an empty struct ()");
            at[0]++;
            return new Type('(', items, sig.substring(start, at[0]));
        }
        throw bad(who, sig, "'" + c + "' at " + start + " is not a D-Bus type");
    }

    private static IpcException bad(String who, String sig, String why) {
        return new IpcException(who + ": bad D-Bus signature \"" + sig + "\": " + why);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Type t : types) sb.append(t.text);
        return sb.toString();
    }
}
