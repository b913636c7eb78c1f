package ipcsh.debug;

import ipcsh.Palette;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How traffic is shown to people: xxd-style hex lines (offset, 16 bytes in pairs, ASCII) and
 * text with control characters made visible. Output is built as bytes, not strings: a hex log
 * of a fast connection is four times its traffic, and must keep up with it.
 */
public final class Dumps {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PRINT = new byte[256];

    static {
        for (int v = 0; v < 256; v++) PRINT[v] = (byte) (v >= 0x20 && v < 0x7f ? v : '.');
    }

    private Dumps() {}

    /** A growable byte buffer the formatters append to. */
    public static final class Out {
        byte[] b = new byte[8192];
        int n;

        void room(int k) {
            if (n + k > b.length) b = Arrays.copyOf(b, Math.max(b.length * 2, n + k));
        }

        public Out add(String s) {
            byte[] x = s.getBytes(StandardCharsets.UTF_8);
            room(x.length);
            System.arraycopy(x, 0, b, n, x.length);
            n += x.length;
            return this;
        }

        public byte[] bytes() {
            return Arrays.copyOf(b, n);
        }

        public byte[] array() {
            return b;
        }

        public int length() {
            return n;
        }

        public void reset() {
            n = 0;
        }

        @Override
        public String toString() {
            return new String(b, 0, n, StandardCharsets.UTF_8);
        }
    }

    /**
     * Appends xxd lines for data[off, off+len): "00000010: 4745 5420 2f20 ...  GET / ..";
     * offsets count from base (the stream position of data[off]); indent goes before each line.
     */
    public static void hex(byte[] data, int off, int len, long base, String indent, Palette p, Out out) {
        if (!p.plain()) {
            for (int line = 0; line < len; line += 16) {
                hexLineColoured(data, off + line, Math.min(16, len - line), base + line, indent, p, out);
            }
            return;
        }
        byte[] ind = indent.getBytes(StandardCharsets.US_ASCII);
        int lineLen = ind.length + 68;
        out.room((len / 16 + 1) * lineLen);
        byte[] b = out.b;
        int n = out.n;
        int full = len & ~15;
        for (int line = 0; line < full; line += 16) {
            System.arraycopy(ind, 0, b, n, ind.length);
            n += ind.length;
            n = offset(b, n, base + line);
            int a = n + 42; // the ASCII column, after 8 groups of " xxxx" and two spaces
            int src = off + line;
            for (int i = 0; i < 16; i += 2) {
                int v = data[src + i] & 0xff, w = data[src + i + 1] & 0xff;
                b[n] = ' ';
                b[n + 1] = HEX[v >>> 4];
                b[n + 2] = HEX[v & 15];
                b[n + 3] = HEX[w >>> 4];
                b[n + 4] = HEX[w & 15];
                n += 5;
                b[a + i] = PRINT[v];
                b[a + i + 1] = PRINT[w];
            }
            b[n] = ' ';
            b[n + 1] = ' ';
            b[a + 16] = '\n';
            n = a + 17;
        }
        if (full < len) {
            System.arraycopy(ind, 0, b, n, ind.length);
            n += ind.length;
            n = offset(b, n, base + full);
            int k = len - full;
            for (int i = 0; i < 16; i++) {
                if ((i & 1) == 0) b[n++] = ' ';
                if (i < k) {
                    int v = data[off + full + i] & 0xff;
                    b[n++] = HEX[v >>> 4];
                    b[n++] = HEX[v & 15];
                } else {
                    b[n++] = ' ';
                    b[n++] = ' ';
                }
            }
            b[n++] = ' ';
            b[n++] = ' ';
            for (int i = 0; i < k; i++) b[n++] = PRINT[data[off + full + i] & 0xff];
            b[n++] = '\n';
        }
        out.n = n;
    }

    private static int offset(byte[] b, int n, long o) {
        for (int s = 28; s >= 0; s -= 4) b[n++] = HEX[(int) (o >>> s) & 15];
        b[n] = ':';
        return n + 1;
    }

    private static void hexLineColoured(byte[] data, int off, int k, long offset, String indent, Palette p, Out out) {
        StringBuilder hex = new StringBuilder(48), ascii = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            if ((i & 1) == 0) hex.append(' ');
            if (i < k) {
                int v = data[off + i] & 0xff;
                String h = String.format("%02x", v);
                boolean printable = v >= 0x20 && v < 0x7f;
                hex.append(printable ? h : p.control(h));
                ascii.append(printable ? String.valueOf((char) v) : p.control("."));
            } else {
                hex.append("  ");
            }
        }
        out.add(indent + p.dim(String.format("%08x:", offset)) + hex + "  " + ascii + "\n");
    }

    /** The hex dump of data as a string (hexdump's result). */
    public static String hex(byte[] data, Palette p) {
        Out out = new Out();
        hex(data, 0, data.length, 0, "", p, out);
        return out.toString();
    }

    /**
     * Text with control characters made visible: \r \t \0 \e \xNN, and \n followed by a real
     * line break and indent; valid UTF-8 stays as it is, invalid bytes become \xNN.
     */
    public static String text(byte[] data, int off, int len, String indent, Palette p) {
        StringBuilder sb = new StringBuilder(len + 16);
        int end = off + len;
        int i = off;
        while (i < end) {
            int v = data[i] & 0xff;
            if (v >= 0x20 && v < 0x7f) {
                sb.append((char) v);
                i++;
                continue;
            }
            if (v >= 0x80) {
                int k = utf8Length(data, i, end);
                if (k > 0) {
                    sb.append(new String(data, i, k, StandardCharsets.UTF_8));
                    i += k;
                    continue;
                }
            }
            String esc = switch (v) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case 0 -> "\\0";
                case 27 -> "\\e";
                default -> String.format("\\x%02x", v);
            };
            sb.append(p.control(esc));
            if (v == '\n' && i + 1 < end) sb.append('\n').append(indent);
            i++;
        }
        return sb.toString();
    }

    /** The length of the valid UTF-8 sequence at i, or 0. */
    private static int utf8Length(byte[] d, int i, int end) {
        int v = d[i] & 0xff;
        int k = v >= 0xf0 && v < 0xf5 ? 4 : v >= 0xe0 ? 3 : v >= 0xc2 && v < 0xe0 ? 2 : 0;
        if (k == 0 || v >= 0xf5 || i + k > end) return 0;
        for (int j = 1; j < k; j++) if ((d[i + j] & 0xc0) != 0x80) return 0;
        return k;
    }

    /** A decoded frame as one line: strings quoted with visible control characters, JSON values as data. */
    public static String value(Object v, Palette p) {
        if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return "\"" + text(b, 0, b.length, "", p).replace("\"", "\\\"").replace("\n", "") + "\"";
        }
        if (v instanceof byte[] b) return "#bytes[" + b.length + "] " + text(b, 0, b.length, "", p).replace("\n", "");
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (sb.length() > 1) sb.append(", ");
                sb.append(value(e.getKey(), p)).append(' ').append(value(e.getValue(), p));
            }
            return sb.append('}').toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object x : l) {
                if (sb.length() > 1) sb.append(' ');
                sb.append(value(x, p));
            }
            return sb.append(']').toString();
        }
        return v == null ? "nil" : v.toString();
    }
}
