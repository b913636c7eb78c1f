package ipcsh.chan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import ipcsh.IpcException;
import ipcsh.Keyword;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON for the :json-lines framing, through Jackson's streaming parser and generator (a kept
 * library rather than our own parser: limits, UTF-8 checks and number precision come with it).
 * Loaded only when a channel first moves JSON, so start-up does not pay for it.
 *
 * <p>Reading: objects become maps with string keys (insertion order), arrays lists, integers
 * Long or BigInteger when they do not fit, decimals Double or BigDecimal when a double would
 * lose digits. Invalid UTF-8 is an error (Jackson's), a lone surrogate escape ("\ud800") is
 * kept as that one char, as Jackson does. Nesting deeper than the channel's :max-depth is a
 * clear error; the value is built without recursion, so no depth reaches the Java stack.
 *
 * <p>Writing: only what JSON can say: nil, booleans, numbers (not NaN or infinity), strings,
 * keywords (as strings), lists, vectors and sets (as arrays), maps with string or keyword keys.
 * Anything else is an error rather than its toString.
 */
final class Json {
    private static final Map<Integer, JsonFactory> FACTORIES = new ConcurrentHashMap<>();

    private Json() {}

    /** A factory whose reads and writes stop at depth nesting levels (one per :max-depth in use). */
    private static JsonFactory factory(int depth) {
        return FACTORIES.computeIfAbsent(depth, d -> JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(d)
                        .maxStringLength(Integer.MAX_VALUE) // :max-frame bounds the whole line already
                        .maxDocumentLength(-1)
                        .build())
                .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(d).build())
                .build());
    }

    /** The one JSON value of a frame; a blank frame is nil. cs null (binary) or UTF-8 parse the bytes. */
    static Object parse(byte[] frame, Charset cs, int maxDepth, String where) {
        boolean utf8 = cs == null || cs.equals(StandardCharsets.UTF_8);
        try (JsonParser p = utf8 ? factory(maxDepth).createParser(frame) : factory(maxDepth).createParser(new String(frame, cs))) {
            JsonToken first = p.nextToken();
            if (first == null) return null;
            Object v = read(p, first);
            if (p.nextToken() != null) {
                throw new IpcException(where + ": malformed JSON at column " + p.currentTokenLocation().getColumnNr()
                        + ": trailing characters after the value", Map.of("errno", "EBADMSG"));
            }
            return v;
        } catch (StreamConstraintsException e) {
            throw limit(e, maxDepth, where);
        } catch (JsonProcessingException e) {
            long col = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw new IpcException(where + ": malformed JSON" + (col > 0 ? " at column " + col : "") + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""), Map.of("errno", "EBADMSG"));
        } catch (IOException e) {
            throw new IpcException(where + ": " + e.getMessage());
        }
    }

    private static int maxDepthOf(JsonGenerator g) {
        return g.streamWriteConstraints().getMaxNestingDepth();
    }

    private static IpcException limit(StreamConstraintsException e, int maxDepth, String where) {
        String m = e.getOriginalMessage();
        if (m.contains("nesting depth")) {
            return new IpcException(where + ": JSON nested deeper than :max-depth (" + maxDepth + " levels)",
                    Map.of("errno", "EMSGSIZE", "max-depth", (long) maxDepth));
        }
        return new IpcException(where + ": JSON over a limit: " + m.lines().findFirst().orElse(""));
    }

    /** Builds the value that starts at token first, with an explicit stack instead of recursion. */
    private static Object read(JsonParser p, JsonToken first) throws IOException {
        Deque<Object> open = new ArrayDeque<>(); // a List or a Map being filled
        Deque<String> keys = new ArrayDeque<>();
        JsonToken t = first;
        while (true) {
            Object done;
            switch (t) {
                case START_OBJECT -> {
                    open.push(new LinkedHashMap<String, Object>());
                    t = p.nextToken();
                    continue;
                }
                case START_ARRAY -> {
                    open.push(new ArrayList<>());
                    t = p.nextToken();
                    continue;
                }
                case FIELD_NAME -> {
                    keys.push(p.currentName());
                    t = p.nextToken();
                    continue;
                }
                case END_OBJECT, END_ARRAY -> done = open.pop();
                case VALUE_STRING -> done = p.getText();
                case VALUE_NUMBER_INT -> done = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? p.getBigIntegerValue() : (Object) p.getLongValue();
                case VALUE_NUMBER_FLOAT -> done = decimal(p.getText());
                case VALUE_TRUE -> done = Boolean.TRUE;
                case VALUE_FALSE -> done = Boolean.FALSE;
                case VALUE_NULL -> done = null;
                default -> throw new IOException("unexpected " + t);
            }
            if (open.isEmpty()) return done;
            add(open.peek(), keys, done);
            t = p.nextToken();
        }
    }

    @SuppressWarnings("unchecked")
    private static void add(Object container, Deque<String> keys, Object v) {
        if (container instanceof Map<?, ?> m) ((Map<String, Object>) m).put(keys.pop(), v);
        else ((List<Object>) container).add(v);
    }

    /** A double when it says the same number, else the exact BigDecimal (big numbers keep their digits). */
    private static Number decimal(String text) {
        BigDecimal exact = new BigDecimal(text);
        double d = exact.doubleValue();
        if (!Double.isInfinite(d) && new BigDecimal(Double.toString(d)).compareTo(exact) == 0) return d;
        return exact;
    }

    /** The JSON text of v, encoded in cs (UTF-8 when null); where names the verb and channel for errors. */
    static byte[] write(Object v, Charset cs, int maxDepth, String where) {
        try {
            if (cs == null || cs.equals(StandardCharsets.UTF_8)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (JsonGenerator g = factory(maxDepth).createGenerator(out)) {
                    write(v, g, where);
                }
                return out.toByteArray();
            }
            StringWriter out = new StringWriter();
            try (JsonGenerator g = factory(maxDepth).createGenerator(out)) {
                write(v, g, where);
            }
            return out.toString().getBytes(cs);
        } catch (StreamConstraintsException e) {
            throw limit(e, maxDepth, where);
        } catch (IOException e) {
            throw new IpcException(where + ": cannot write JSON: " + e.getMessage());
        }
    }

    private static void write(Object v, JsonGenerator g, String where) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof BigInteger b) {
            g.writeNumber(b);
        } else if (v instanceof BigDecimal b) {
            g.writeNumber(b);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IpcException(where + ": JSON has no " + d + " (only finite numbers)");
            }
            g.writeNumber(d);
        } else if (v instanceof Number n) {
            writeOtherNumber(n, g, where);
        } else if (v instanceof Keyword k) {
            g.writeString(k.name());
        } else if (v instanceof Character c) {
            g.writeString(c.toString());
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object k = e.getKey();
                if (k instanceof String s) g.writeFieldName(s);
                else if (k instanceof Keyword kw) g.writeFieldName(kw.name());
                else throw notJson("an object key", k, where);
                write(e.getValue(), g, where);
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object o : c) write(o, g, where);
            g.writeEndArray();
        } else if (v instanceof Object[] a) {
            write(List.of(a), g, where);
        } else if (v instanceof ipcsh.TooDeep) {
            // deeper than a language boundary carries (TooDeep.LIMIT), so deeper than any :max-depth
            throw limit(new StreamConstraintsException("nesting depth"), maxDepthOf(g), where);
        } else {
            throw notJson("a value", v, where);
        }
    }

    /** Numbers of other classes (a Clojure BigInt or Ratio reaching us unconverted): exact when their text is. */
    private static void writeOtherNumber(Number n, JsonGenerator g, String where) throws IOException {
        String text = n.toString();
        try {
            g.writeNumber(new BigDecimal(text));
        } catch (NumberFormatException e) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) throw new IpcException(where + ": JSON has no " + d);
            g.writeNumber(d);
        }
    }

    private static IpcException notJson(String what, Object v, String where) {
        return new IpcException(where + ": " + what + " of type " + v.getClass().getName()
                + " has no JSON form (JSON takes nil, booleans, numbers, strings, keywords, lists, vectors, sets "
                + "and maps with string or keyword keys)", Map.of("errno", "EINVAL"));
    }
}
