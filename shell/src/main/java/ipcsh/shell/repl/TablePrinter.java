package ipcsh.shell.repl;

import clojure.lang.Keyword;
import ipcsh.lang.Listing;
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
        Listing.Rows r = Listing.rows(value);
        return r == null ? null : table(r, width, styled);
    }

    /** The table of rows already taken from a listing (an attached session's come over the wire). */
    public static List<AttributedString> table(Listing.Rows listing, int width, boolean styled) {
        List<Map<?, ?>> rows = listing.rows();
        boolean more = listing.more();
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
        if (more) out.add(new AttributedString("… more rows left out (*print-length* " + rows.size() + ")"));
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

    /** One value in one line (see {@link Listing#cell}). */
    static String cell(Object v) {
        return Listing.cell(v);
    }
}
