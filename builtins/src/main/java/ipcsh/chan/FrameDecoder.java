package ipcsh.chan;

import ipcsh.Keyword;
import ipcsh.os.LibC;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts bytes that arrive in arbitrary chunks into the frames a channel's :framing would give
 * (a tap sees a stream, not the gets calls of its programs). It is the channel's own framing
 * code, run over an unlisted channel whose driver reads from what was fed, so there is one
 * implementation of every framing.
 */
public final class FrameDecoder {
    /** The in-memory driver: reads what was fed, would-block when empty, EOF after end. */
    static final class Feed implements Driver {
        private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
        private int pos;
        private boolean ended;

        @Override public String kind() { return "decoder"; }
        @Override public String name() { return "frame decoder"; }
        @Override public int readFd() { return -1; }
        @Override public int writeFd() { return -1; }

        @Override
        public int read(byte[] buf, int off, int len) {
            byte[] c = chunks.peek();
            if (c == null) return ended ? 0 : LibC.WOULD_BLOCK;
            int k = Math.min(len, c.length - pos);
            System.arraycopy(c, pos, buf, off, k);
            pos += k;
            if (pos == c.length) {
                chunks.poll();
                pos = 0;
            }
            return k;
        }

        @Override public int write(byte[] buf, int off, int len) { throw new IllegalStateException("read-only"); }
        @Override public void closeRead() {}
        @Override public void closeWrite() {}
        @Override public void close() { chunks.clear(); }
        @Override public Map<String, Object> options() { return new HashMap<>(); }
    }

    private final Feed feed = new Feed();
    private final Channel ch;

    /** A decoder for framing (:lines, :netstring, :u32be...); frames are strings, or bytes when binary. */
    public FrameDecoder(Framing framing, boolean binary) {
        ch = new Channel(feed, false);
        Map<String, Object> o = new HashMap<>();
        o.put("framing", Keyword.of(framing.keyword()));
        o.put("blocking", false);
        if (binary) o.put("encoding", Keyword.of("binary"));
        ch.configure(o);
    }

    /** Feeds bytes (kept, not copied) and adds every frame now complete to out. */
    public void feed(byte[] chunk, List<Object> out) {
        if (chunk.length > 0) feed.chunks.add(chunk);
        drain(out);
    }

    /** The stream ended: adds the last, unterminated frame (a line without its newline) to out. */
    public void end(List<Object> out) {
        feed.ended = true;
        drain(out);
        ch.close();
    }

    private void drain(List<Object> out) {
        while (true) {
            Object f = ch.gets();
            if (f != null) {
                out.add(f);
            } else if (ch.blocked() || ch.eof() || ch.isClosed()) {
                return;
            }
        }
    }
}
