package ipcsh;

/**
 * A symbolic value (:read, :line, :binary) as the builtins see it, independent of any
 * language: the Clojure binding maps it to clojure.lang.Keyword, the JS binding to a string.
 */
public record Keyword(String name) {
    public static Keyword of(String name) {
        return new Keyword(name);
    }

    @Override
    public String toString() {
        return ":" + name;
    }
}
