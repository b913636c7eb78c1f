package ipcsh;

/**
 * A symbolic value (:read, :line, :binary) as the builtins see it, independent of any
 * language: the Clojure binding maps it to clojure.lang.Keyword, the JS binding to a string.
 */
public record Keyword(String name) {
    public static Keyword of(String name) {
        return new Keyword(name);
    }

    /**
     * The word a keyword or a string stands for: :read, "read" and ":read" are all "read" (JS has
     * no keywords, so a string stands in for one); null for any other value.
     */
    public static String word(Object v) {
        if (v instanceof Keyword k) return k.name();
        if (v instanceof String s) return s.startsWith(":") ? s.substring(1) : s;
        return null;
    }

    // Written out: a record's generated equals and hashCode are linked by an invokedynamic on
    // first call (java.lang.runtime.ObjectMethods), several ms the first expect's :eof paid.
    @Override
    public boolean equals(Object o) {
        return o instanceof Keyword k && java.util.Objects.equals(name, k.name);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(name);
    }

    @Override
    public String toString() {
        return ":" + name;
    }
}
