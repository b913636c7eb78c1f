package ipcsh;

/**
 * What a language binding hands the builtins in place of a list or map nested deeper than
 * {@link #LIMIT} levels (a circular JS object is infinitely deep). The bindings convert data
 * recursively, so the bound keeps a conversion off the end of the Java stack (a StackOverflowError
 * with no message); a builtin that meets this value reports it as too deep (:json-lines' puts:
 * the :max-depth error), any other as a value it does not take.
 */
public final class TooDeep {
    /** The deepest nesting that crosses a language boundary, and so the most :max-depth allows (Jackson's own default). */
    public static final int LIMIT = 1000;
    public static final TooDeep VALUE = new TooDeep();

    private TooDeep() {}

    @Override
    public String toString() {
        return "a value nested deeper than " + LIMIT + " levels";
    }
}
