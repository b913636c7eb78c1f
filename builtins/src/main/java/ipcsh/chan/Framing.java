package ipcsh.chan;

import ipcsh.IpcException;

import java.util.Locale;

/**
 * How {@code gets}/{@code puts} cut a byte stream into messages. A channel option, so a
 * message boundary survives a stream socket or a FIFO without user code.
 */
public enum Framing {
    LINES, RAW, NETSTRING, U16BE, U32BE, U32LE, JSON_LINES, CONTENT_LENGTH;

    public String keyword() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Framing of(String name) {
        for (Framing f : values()) if (f.keyword().equals(name)) return f;
        throw new IpcException("unknown :framing " + name
                + " (expected lines, raw, netstring, u16be, u32be, u32le, json-lines or content-length)");
    }

    /** Whether a frame is one JSON value (gets parses it, puts writes data as JSON). */
    public boolean json() {
        return this == JSON_LINES || this == CONTENT_LENGTH;
    }

    public int prefixBytes() {
        return this == U16BE ? 2 : 4;
    }

    public long decodeLength(byte[] b) {
        return switch (this) {
            case U16BE -> ((b[0] & 0xffL) << 8) | (b[1] & 0xffL);
            case U32BE -> ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
            case U32LE -> ((b[3] & 0xffL) << 24) | ((b[2] & 0xffL) << 16) | ((b[1] & 0xffL) << 8) | (b[0] & 0xffL);
            default -> throw new IllegalStateException(this + " has no length prefix");
        };
    }

    public byte[] encodeLength(long n) {
        long max = this == U16BE ? 0xffffL : 0xffffffffL;
        if (n > max) throw new IpcException("frame of " + n + " bytes does not fit a " + keyword() + " length prefix");
        return switch (this) {
            case U16BE -> new byte[] {(byte) (n >> 8), (byte) n};
            case U32BE -> new byte[] {(byte) (n >> 24), (byte) (n >> 16), (byte) (n >> 8), (byte) n};
            case U32LE -> new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)};
            default -> throw new IllegalStateException(this + " has no length prefix");
        };
    }
}
