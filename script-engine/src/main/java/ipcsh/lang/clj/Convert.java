package ipcsh.lang.clj;

import clojure.lang.AFn;
import clojure.lang.BigInt;
import clojure.lang.IFn;
import clojure.lang.IPending;
import clojure.lang.IPersistentCollection;
import clojure.lang.ISeq;
import clojure.lang.Keyword;
import clojure.lang.LazilyPersistentVector;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentHashMap;
import clojure.lang.Ratio;
import clojure.lang.Sequential;
import clojure.lang.Symbol;
import ipcsh.Callback;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/** Values across the Clojure boundary: Clojure data in, the builtins' plain Java out and back. */
final class Convert {
    /** Maps from the builtins up to this many entries stay in their order (an array map); larger ones are hash maps. */
    static final int ORDERED_MAX = 64;

    private Convert() {}

    static Object toJava(Object v) {
        return toJava(v, 0);
    }

    /**
     * depth: how many lists and maps v sits in. One deeper than TooDeep.LIMIT becomes
     * TooDeep.VALUE, not a conversion that runs off the stack (a vector nested 100,000 deep).
     * Ratios become doubles, characters and symbols strings, map keys strings (keywords by name,
     * others as printed): the builtins, :json-lines' puts among them, see those.
     */
    private static Object toJava(Object v, int depth) {
        if (v == null || v instanceof String || v instanceof Long || v instanceof Boolean || v instanceof byte[]
                || v instanceof ipcsh.chan.Channel) {
            return v;
        }
        if (v instanceof Keyword k) return ipcsh.Keyword.of(k.getName());
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof BigInt b) return b.lpart == 0 ? b.toBigInteger() : (Object) b.lpart;
        if (v instanceof Ratio r) return r.doubleValue();
        if (v instanceof Float f) return f.doubleValue();
        if (v instanceof Character c) return c.toString();
        if (v instanceof Symbol s) return s.toString();
        if (v instanceof Map<?, ?> m) {
            if (depth >= ipcsh.TooDeep.LIMIT) return ipcsh.TooDeep.VALUE;
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object k = e.getKey();
                out.put(k instanceof Keyword kw ? kw.getName() : String.valueOf(k), toJava(e.getValue(), depth + 1));
            }
            return out;
        }
        if (v instanceof Sequential || v instanceof ISeq || (v instanceof Collection<?> && !(v instanceof IPersistentCollection))) {
            if (depth >= ipcsh.TooDeep.LIMIT) return ipcsh.TooDeep.VALUE;
            List<Object> out = new ArrayList<>();
            for (Object o : (Iterable<?>) v) out.add(toJava(o, depth + 1));
            return out;
        }
        // A promise or delay is also a fn; to the builtins it is something that gets delivered.
        if (v instanceof IPending p && !(v instanceof Future<?>)) return new Delivery(p);
        if (v instanceof IFn f && !(v instanceof IPersistentCollection)) return callback(f);
        return v;
    }

    /** A Clojure promise or delay seen as a Future, for wait-for. */
    record Delivery(IPending pending) implements Future<Object> {
        @Override public boolean isDone() { return pending.isRealized(); }
        @Override public boolean cancel(boolean mayInterrupt) { return false; }
        @Override public boolean isCancelled() { return false; }
        @Override public Object get() { return ((clojure.lang.IDeref) pending).deref(); }
        @Override public Object get(long t, java.util.concurrent.TimeUnit u) { return get(); }
    }

    static Callback callback(IFn f) {
        return new ClojureCallback(f);
    }

    /**
     * A Clojure function handed to the builtins; keeps the fn for printing and identity. A
     * callback is offered what it is about ((f ch), (f signal-map)); a fn written with fewer
     * parameters gets the leading arguments only, so #(...) with no % keeps working.
     */
    record ClojureCallback(IFn fn) implements Callback {
        @Override
        public Object call(Object... args) {
            int n = Arities.accepted(fn, args.length);
            Object[] a = new Object[n];
            for (int i = 0; i < n; i++) a[i] = toClojure(args[i]);
            return fn.applyTo(clojure.lang.ArraySeq.create(a));
        }
    }

    /** The fixed and variadic arities of compiled Clojure fns, read once per class. */
    static final class Arities {
        private static final ClassValue<int[]> FIXED = new ClassValue<>() {
            @Override
            protected int[] computeValue(Class<?> c) {
                return java.util.Arrays.stream(c.getDeclaredMethods())
                        .filter(m -> m.getName().equals("invoke") || m.getName().equals("doInvoke"))
                        .mapToInt(m -> m.getName().equals("doInvoke") ? -1 - m.getParameterCount() : m.getParameterCount())
                        .toArray();
            }
        };

        private Arities() {}

        /** How many of n offered arguments fn takes: n when it can, else the most it can take below n. */
        static int accepted(IFn fn, int n) {
            if (!(fn instanceof clojure.lang.AFunction)) return n;
            if (fn instanceof clojure.lang.RestFn r && n >= r.getRequiredArity()) return n;
            int best = -1;
            for (int a : FIXED.get(fn.getClass())) {
                if (a == n) return n;
                if (a >= 0 && a < n && a > best) best = a;
            }
            return best < 0 ? n : best;
        }
    }

    /** Keys a builtin's maps use over and over (:event, :path...), so far as the cache holds them. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Keyword> KEYWORDS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int KEYWORDS_MAX = 4096;

    /** Keyword.intern makes a Symbol and looks it up on every call; a map of every event a watch sends pays that per key. */
    private static Keyword keyword(String name) {
        Keyword k = KEYWORDS.get(name);
        if (k == null) {
            k = Keyword.intern(name);
            if (KEYWORDS.size() < KEYWORDS_MAX) KEYWORDS.putIfAbsent(name, k);
        }
        return k;
    }

    static Object toClojure(Object v) {
        if (v == null || v instanceof String || v instanceof Long || v instanceof Boolean || v instanceof byte[]
                || v instanceof ipcsh.chan.Channel || v instanceof Double) {
            return v;
        }
        if (v instanceof ipcsh.Keyword k) return keyword(k.name());
        if (v instanceof Integer i) return i.longValue();
        if (v instanceof Map<?, ?> m && !(v instanceof IPersistentCollection)) {
            Object[] kvs = new Object[m.size() * 2];
            int i = 0;
            boolean stringKeys = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object k = e.getKey();
                stringKeys &= k instanceof String;
                kvs[i++] = k instanceof String s ? keyword(s) : toClojure(k);
                kvs[i++] = toClojure(e.getValue());
            }
            // An array map keeps the builtin's order (listings, configure print their keys as made, the
            // same on every row); a hash map past 8 entries would not. Past ORDERED_MAX entries lookups
            // cost more than order is worth. Distinct strings are distinct keywords; other keys may
            // meet as one Clojure key (1 and 1L), and createAsIfByAssoc keeps the last of them.
            if (kvs.length > 2 * ORDERED_MAX) return PersistentHashMap.create(kvs);
            return stringKeys ? new PersistentArrayMap(kvs) : PersistentArrayMap.createAsIfByAssoc(kvs);
        }
        if (v instanceof List<?> l && !(v instanceof IPersistentCollection)) {
            Object[] items = new Object[l.size()];
            for (int i = 0; i < items.length; i++) items[i] = toClojure(l.get(i));
            // adopt() takes at most 32 items (one tail node); createOwning builds the tree beyond that
            return LazilyPersistentVector.createOwning(items);
        }
        if (v instanceof ClojureCallback c) return c.fn();
        if (v instanceof Callback c) {
            return new AFn() {
                @Override
                public Object applyTo(ISeq args) {
                    List<Object> a = new ArrayList<>();
                    for (ISeq s = args; s != null; s = s.next()) a.add(toJava(s.first()));
                    return toClojure(c.call(a.toArray()));
                }

                @Override public Object invoke() { return applyTo(null); }
                @Override public Object invoke(Object x) { return applyTo(clojure.lang.RT.list(x)); }
                @Override public Object invoke(Object x, Object y) { return applyTo(clojure.lang.RT.list(x, y)); }
            };
        }
        return v;
    }
}
