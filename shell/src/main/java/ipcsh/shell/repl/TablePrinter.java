package ipcsh.shell.repl;

import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.ISeq;
import clojure.lang.Keyword;
import clojure.lang.RT;
import clojure.lang.Sequential;
import clojure.lang.Var;
import ipcsh.chan.Channel;
import ipcsh.chan.Interrupts;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the interactive REPL shows a listing: a non-empty vector or sequence of maps becomes an
 * aligned table that fits the terminal's width. The columns are the union of the keys in the
 * order first seen; a cell too wide is cut with '…'; a channel shows as its id, nested data in
 * one compact line, a string without quotes. JavaScript listings come as Lists of Maps. Only the REPL's display: the value stays data
 * (prn prints it as ever), and scripts never see a table.
 */
public final class TablePrinter {
    /** Cells never shrink below this, so a column keeps a recognisable start. */
    private static final int MIN_CELL = 4;
    private static final String GAP = "  ";

    private TablePrinter() {}

    /**
     * The table's lines, or null when value is not a non-empty sequence of maps. At most
     * *print-length* rows (then a line saying how many more were left out).
     *
     * @param width  the terminal's width in columns
     * @param styled bold header (the caller passes false for NO_COLOR or a non-terminal)
     */
    public static List<AttributedString> table(Object value, int width, boolean styled) {
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
        if (rows.isEmpty()) return null;
        Set<Object> keys = new LinkedHashSet<>();
        for (Map<?, ?> m : rows) keys.addAll(m.keySet());
        List<Object> columns = new ArrayList<>(keys);
        String[] header = new String[columns.size()];
        for (int c = 0; c < header.length; c++) header[c] = headerText(columns.get(c));
        String[][] cells = new String[rows.size()][columns.size()];
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < columns.size(); c++) {
                Map<?, ?> m = rows.get(r);
                cells[r][c] = m.containsKey(columns.get(c)) ? cell(m.get(columns.get(c))) : "";
            }
        }
        int[] widths = fit(header, cells, width);
        List<AttributedString> out = new ArrayList<>();
        AttributedStyle head = styled ? AttributedStyle.BOLD : AttributedStyle.DEFAULT;
        out.add(line(header, widths, head));
        for (String[] row : cells) out.add(line(row, widths, AttributedStyle.DEFAULT));
        if (more) out.add(new AttributedString("… more rows left out (*print-length* " + limit + ")"));
        return out;
    }

    /** Column widths: each column's widest text, then the widest ones narrowed until the line fits. */
    static int[] fit(String[] header, String[][] cells, int width) {
        int n = header.length;
        int[] w = new int[n];
        for (int c = 0; c < n; c++) {
            w[c] = header[c].length();
            for (String[] row : cells) w[c] = Math.max(w[c], row[c].length());
        }
        int total = GAP.length() * (n - 1);
        for (int x : w) total += x;
        while (total > width) {
            int widest = 0;
            for (int c = 1; c < n; c++) if (w[c] > w[widest]) widest = c;
            if (w[widest] <= MIN_CELL) break;
            w[widest]--;
            total--;
        }
        return w;
    }

    private static AttributedString line(String[] texts, int[] widths, AttributedStyle style) {
        AttributedStringBuilder sb = new AttributedStringBuilder();
        int end = texts.length;
        while (end > 1 && texts[end - 1].isEmpty()) end--; // no trailing blanks
        for (int c = 0; c < end; c++) {
            String t = cut(texts[c], widths[c]);
            boolean last = c == end - 1;
            sb.style(style).append(t).style(AttributedStyle.DEFAULT);
            if (!last) sb.append(" ".repeat(widths[c] - t.length())).append(GAP);
        }
        return sb.toAttributedString();
    }

    static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, Math.max(0, width - 1)) + "…";
    }

    private static String headerText(Object key) {
        return key instanceof Keyword k ? k.getName() : key instanceof String s ? s : cell(key);
    }

    /** One value in one line: a channel by its id, a string as it is, the rest as prn would print it, bounded. */
    static String cell(Object v) {
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
