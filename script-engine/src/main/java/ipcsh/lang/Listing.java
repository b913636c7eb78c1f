package ipcsh.lang;

import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.ISeq;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentVector;
import clojure.lang.RT;
import clojure.lang.Sequential;
import clojure.lang.Var;
import ipcsh.chan.Channel;
import ipcsh.chan.Interrupts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a REPL shows as a table: a listing, i.e. a non-empty vector or sequence of maps (JavaScript
 * listings come as Lists of Maps), and each value of it as one line of text. The local REPL lays
 * the table out (shell's TablePrinter); a repl-server session sends an attached client the same
 * rows with their cells already as text, and the client lays them out for its own terminal.
 */
public final class Listing {
    /** At most limit rows of a listing, and whether it had more. */
    public record Rows(List<Map<?, ?>> rows, boolean more) {}

    private Listing() {}

    /** The listing's first rows (at most *print-length*), or null when value is not a listing. */
    public static Rows rows(Object value) {
        if (!(value instanceof IPersistentVector || value instanceof ISeq || value instanceof Sequential
              || value instanceof java.util.List<?>) || value instanceof IPersistentMap) {
            return null;
        }
        Object limitVar = RT.var("clojure.core", "*print-length*").deref();
        long limit = limitVar instanceof Number n ? n.longValue() : Long.MAX_VALUE;
        List<Map<?, ?>> rows = new ArrayList<>();
        boolean more = false;
        for (ISeq s = RT.seq(value); s != null; s = s.next()) {
            if (Interrupts.pending()) throw new Interrupts.InterruptedError("printing");
            if (!(s.first() instanceof Map<?, ?> m)) return null;
            if (rows.size() >= limit) {
                more = true;
                break;
            }
            rows.add(m);
        }
        return rows.isEmpty() ? null : new Rows(rows, more);
    }

    /**
     * For the wire: the listing's rows as a vector of maps whose keys are keywords or strings
     * and whose values are their cells' text (readable EDN whatever the values were: channels,
     * processes), with one more map {:ipcsh/more true} at the end when rows were left out.
     * Null when value is not a listing.
     */
    public static Object asText(Object value) {
        Rows r = rows(value);
        if (r == null) return null;
        List<Object> out = new ArrayList<>();
        for (Map<?, ?> m : r.rows()) {
            List<Object> kv = new ArrayList<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                kv.add(e.getKey() instanceof Keyword || e.getKey() instanceof String ? e.getKey() : cell(e.getKey()));
                kv.add(cell(e.getValue()));
            }
            out.add(PersistentArrayMap.createAsIfByAssoc(kv.toArray()));
        }
        if (r.more()) out.add(PersistentArrayMap.createAsIfByAssoc(new Object[] {MORE, true}));
        return PersistentVector.create(out);
    }

    /** The marker row {@link #asText} ends with when the listing had more rows than *print-length*. */
    public static final Keyword MORE = Keyword.intern("ipcsh", "more");

    /** One value in one line: a channel by its id, a string as it is, the rest as prn would print it, bounded. */
    public static String cell(Object v) {
        if (v == null) return "";
        if (v instanceof Channel ch) return ch.id();
        if (v instanceof String s) return oneLine(s);
        Var.pushThreadBindings(RT.mapUniqueKeys(RT.var("clojure.core", "*print-length*"), 10L,
                RT.var("clojure.core", "*print-level*"), 2L));
        try {
            return oneLine(RT.printString(shorten(v)));
        } finally {
            Var.popThreadBindings();
        }
    }

    /** The longest string shown inside nested data: a holder's 2.5 KB command line would crowd out the rest of the cell. */
    static final int NESTED_STRING = 40;

    /**
     * v with every string inside it (maps, vectors, lists) longer than NESTED_STRING cut with '…';
     * the value itself is untouched. Only as deep and as long as the cell prints (*print-level* 2,
     * *print-length* 10): a lazy or endless sequence is left to the printer's own limits.
     */
    static Object shorten(Object v) {
        return shorten(v, 3);
    }

    private static Object shorten(Object v, int depth) {
        if (v instanceof String s) return s.length() <= NESTED_STRING ? s : s.substring(0, NESTED_STRING - 1) + "…";
        if (depth == 0) return v;
        if (v instanceof Map<?, ?> m && m.size() <= 64) {
            Object[] kvs = new Object[2 * m.size()];
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                kvs[i++] = e.getKey();
                kvs[i++] = shorten(e.getValue(), depth - 1);
            }
            return clojure.lang.PersistentArrayMap.createAsIfByAssoc(kvs);
        }
        if (v instanceof java.util.List<?> l && (v instanceof clojure.lang.Counted || !(v instanceof ISeq))) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) {
                if (out.size() > 10) break; // one more than *print-length*, so the printer still shows "..."
                out.add(shorten(x, depth - 1));
            }
            return v instanceof ISeq ? clojure.lang.PersistentList.create(out) : clojure.lang.PersistentVector.create(out);
        }
        return v;
    }

    private static String oneLine(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", " ");
    }
}
