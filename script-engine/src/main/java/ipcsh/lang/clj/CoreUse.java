package ipcsh.lang.clj;

import clojure.lang.Agent;
import clojure.lang.IFn;
import ipcsh.registry.Args;

import java.io.PushbackReader;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What clojure.core's function of a name a builtin shadows accepts in place of a channel
 * (DESIGN.md: read, flush, send dispatch on their first argument). A call that fits neither
 * gets an error saying what the name accepts, not the ClassCastException or
 * NullPointerException clojure.core would throw at it.
 *
 * @param accepts whether clojure.core takes these arguments
 * @param what    what clojure.core takes, for the error: "an agent"
 */
record CoreUse(Predicate<Object[]> accepts, String what) {
    static CoreUse of(String coreName) {
        return switch (coreName) {
            // (read) (read stream) (read stream eof-error? eof-value [recursive?]) (read opts stream)
            case "read" -> new CoreUse(a -> a.length == 0 || a[0] instanceof PushbackReader
                    || (a.length == 2 && a[0] instanceof Map<?, ?> && a[1] instanceof PushbackReader), "a java.io.PushbackReader");
            case "send" -> new CoreUse(a -> a.length > 0 && a[0] instanceof Agent, "an agent");
            case "flush" -> new CoreUse(a -> a.length == 0, "no argument");
            default -> new CoreUse(a -> true, "");
        };
    }

    /** "send: expected a channel or an agent, got the number 5". */
    String error(String name, Object[] args) {
        return name + ": expected a channel or " + what + ", got " + (args.length == 0 ? "no argument" : describe(args[0]));
    }

    private static String describe(Object v) {
        if (v instanceof IFn && !(v instanceof clojure.lang.IPersistentCollection) && !(v instanceof clojure.lang.Keyword)
                && !(v instanceof clojure.lang.Symbol)) {
            return "a function";
        }
        if (v instanceof clojure.lang.IPersistentVector) return "a vector";
        Object j = Convert.toJava(v);
        return Args.describe(j);
    }
}
