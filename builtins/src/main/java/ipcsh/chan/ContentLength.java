package ipcsh.chan;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The :content-length framing, the base protocol of LSP and DAP: header lines
 * ({@code Content-Length: N} and any others) ended by an empty line, then N bytes. A head
 * that cannot be read (no Content-Length, a negative or non-numeric one, a line that is no
 * header) is dropped up to its empty line and reported; a body that lies about its length
 * shows as the next head being malformed, so the stream finds its feet at the next frame.
 */
final class ContentLength {
    /** How long a head may grow before it is not one (LSP's are under 100 bytes). */
    static final int MAX_HEAD = 8192;

    private ContentLength() {}

    static byte[] read(Framer f, InputBuffer b, long dl, String verb) {
        int scanned = 0;
        while (true) {
            int end = headEnd(b.in, b.inStart + Math.max(0, scanned - 3), b.inEnd);
            if (end >= 0) {
                int head = end - b.inStart;
                long len = length(f, b, head, verb);
                f.checkLength(len, head, 0, verb);
                int r = b.ensure(head + (int) len, dl, verb);
                if (r != 1) return ended(f, b, r, verb);
                b.frameOffset = b.received - (b.inEnd - b.inStart - head);
                byte[] data = Arrays.copyOfRange(b.in, b.inStart + head, b.inStart + head + (int) len);
                b.inStart += head + (int) len;
                return data;
            }
            scanned = b.inEnd - b.inStart;
            if (scanned > MAX_HEAD) {
                b.inStart = b.inEnd;
                throw f.malformed("no empty line ending the headers in " + scanned + " bytes; dropped them", verb);
            }
            int r = b.fill(dl, verb);
            if (r == InputBuffer.BLOCKED) return null;
            if (r == InputBuffer.EOF) return ended(f, b, r, verb);
        }
    }

    /** End of stream inside a frame: what is left is reported once and dropped (so the next read sees the end). */
    private static byte[] ended(Framer f, InputBuffer b, int r, String verb) {
        try {
            return f.partial(r, verb);
        } finally {
            if (r == InputBuffer.EOF) b.inStart = b.inEnd;
        }
    }

    /** The index after the CR LF CR LF that ends the head, or -1. */
    private static int headEnd(byte[] in, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (in[i] == '\r' && in[i + 1] == '\n' && in[i + 2] == '\r' && in[i + 3] == '\n') return i + 4;
        }
        return -1;
    }

    /** The Content-Length of the head of head bytes at the buffer's start; a bad head is dropped and reported. */
    private static long length(Framer f, InputBuffer b, int head, String verb) {
        String text = new String(b.in, b.inStart, head - 4, StandardCharsets.ISO_8859_1);
        int k = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
        int firstEnd = text.indexOf("\r\n");
        if (k > 0 && (firstEnd < 0 || k < firstEnd) && text.charAt(k - 1) != '\n') {
            // the tail of a body longer than its Content-Length said: drop it, read the head after it
            b.inStart += k;
            throw f.malformed(k + " bytes before the head (" + quote(text.substring(0, k))
                    + ", the rest of a longer frame?); dropped them", verb);
        }
        long len = -1;
        String problem = null;
        for (String line : text.split("\r\n", -1)) {
            int colon = line.indexOf(':');
            if (colon <= 0 || !token(line, colon)) {
                problem = "header line " + quote(line) + " is not \"Name: value\"";
                break;
            }
            if (!line.substring(0, colon).equalsIgnoreCase("content-length")) continue;
            String v = line.substring(colon + 1).strip();
            if (!v.matches("[0-9]{1,18}")) {
                problem = "Content-Length " + quote(v) + " is not a length (a decimal number of bytes, 0 or more)";
                break;
            }
            len = Long.parseLong(v);
        }
        if (problem == null && len < 0) problem = "no Content-Length header in " + quote(text);
        if (problem != null) {
            b.inStart += head;
            throw f.malformed(problem + "; dropped the " + head + "-byte head", verb);
        }
        return len;
    }

    private static boolean token(String line, int colon) {
        for (int i = 0; i < colon; i++) {
            char c = line.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_') return false;
        }
        return true;
    }

    private static String quote(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        StringBuilder q = new StringBuilder("\"");
        for (char c : t.toCharArray()) {
            if (c == '\r') q.append("\\r");
            else if (c == '\n') q.append("\\n");
            else if (c < 32 || c > 126) q.append(String.format("\\x%02x", (int) c));
            else q.append(c);
        }
        return q.append('"').toString();
    }

    /** body with its head. */
    static byte[] frame(byte[] body) {
        byte[] head = ("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] f = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, f, head.length, body.length);
        return f;
    }
}
