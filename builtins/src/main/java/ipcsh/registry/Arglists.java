package ipcsh.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * A builtin's arglists as data, read once when it is registered: the Clojure :arglists, the
 * usages that (doc), errors and the man page print, the JS parameters and whether a channel
 * comes first are all made from this, so no one parses the text again.
 *
 * <p>The text is Clojure's arglists notation, "([ch] [ch n])": a list of vectors, each holding
 * names, {@code &} before the rest, a vector ({@code [cmd & args]}) or a map ({@code {:id id}}).
 */
public final class Arglists {
    /** One element of an arity as written. */
    public sealed interface Param permits Name, Vector, MapOf {}

    /** A parameter name, {@code &}, or a keyword in a map (":id"). */
    public record Name(String text) implements Param {
        @Override
        public String toString() {
            return text;
        }
    }

    /** A vector of parameters: {@code [cmd & args]}. */
    public record Vector(List<Param> items) implements Param {
        @Override
        public String toString() {
            return "[" + join(items) + "]";
        }
    }

    /** A map, keys and values in the order written: {@code {:id id}}. */
    public record MapOf(List<Param> items) implements Param {
        @Override
        public String toString() {
            return "{" + join(items) + "}";
        }
    }

    /** One way to call the builtin. */
    public record Arity(List<Param> params) {
        /** Whether it takes a channel first (a parameter named ch): then JS has it as a channel method too. */
        public boolean channelFirst() {
            return !params.isEmpty() && params.getFirst() instanceof Name n && n.text().equals("ch");
        }

        @Override
        public String toString() {
            return join(params);
        }
    }

    private final String text;
    private final List<Arity> arities;

    private Arglists(String text, List<Arity> arities) {
        this.text = text;
        this.arities = List.copyOf(arities);
    }

    /** Reads arglists text; one that is not a list of vectors is an IllegalArgumentException saying where. */
    public static Arglists parse(String text) {
        Reader r = new Reader(text);
        r.skipSpace();
        r.expect('(');
        List<Arity> arities = new ArrayList<>();
        while (true) {
            r.skipSpace();
            if (r.peek() == ')') break;
            r.expect('[');
            arities.add(new Arity(r.items(']')));
        }
        r.pos++;
        r.skipSpace();
        if (r.pos < text.length()) throw r.error("text after the closing )");
        if (arities.isEmpty()) throw r.error("no arity (([]) is one that takes nothing)");
        return new Arglists(text.strip(), arities);
    }

    public List<Arity> arities() {
        return arities;
    }

    /** Whether some arity takes a channel first. */
    public boolean channelFirst() {
        for (Arity a : arities) if (a.channelFirst()) return true;
        return false;
    }

    /** The arities as calls of name: "(gets ch)". */
    public List<String> usages(String name) {
        List<String> out = new ArrayList<>(arities.size());
        for (Arity a : arities) out.add("(" + name + (a.params().isEmpty() ? "" : " " + a) + ")");
        return out;
    }

    /** The text as written, as (doc) prints it. */
    @Override
    public String toString() {
        return text;
    }

    private static String join(List<Param> items) {
        StringBuilder sb = new StringBuilder();
        for (Param p : items) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(p);
        }
        return sb.toString();
    }

    private static final class Reader {
        final String text;
        int pos;

        Reader(String text) {
            this.text = text;
        }

        char peek() {
            if (pos >= text.length()) throw error("it ends too soon");
            return text.charAt(pos);
        }

        void skipSpace() {
            while (pos < text.length() && (Character.isWhitespace(text.charAt(pos)) || text.charAt(pos) == ',')) pos++;
        }

        void expect(char c) {
            if (peek() != c) throw error("expected " + c + ", found " + text.charAt(pos));
            pos++;
        }

        /** Items up to close, which it consumes. */
        List<Param> items(char close) {
            List<Param> out = new ArrayList<>();
            while (true) {
                skipSpace();
                char c = peek();
                if (c == close) {
                    pos++;
                    return out;
                }
                if (c == '[') {
                    pos++;
                    out.add(new Vector(List.copyOf(items(']'))));
                } else if (c == '{') {
                    pos++;
                    List<Param> m = items('}');
                    if (m.size() % 2 != 0) throw error("a map with an odd number of forms");
                    out.add(new MapOf(List.copyOf(m)));
                } else if ("()]}".indexOf(c) >= 0) {
                    throw error("unexpected " + c);
                } else {
                    int start = pos;
                    while (pos < text.length() && !Character.isWhitespace(text.charAt(pos)) && "()[]{},".indexOf(text.charAt(pos)) < 0) pos++;
                    out.add(new Name(text.substring(start, pos)));
                }
            }
        }

        IllegalArgumentException error(String why) {
            return new IllegalArgumentException("arglists \"" + text + "\": " + why + " at offset " + Math.min(pos, text.length()));
        }
    }
}
