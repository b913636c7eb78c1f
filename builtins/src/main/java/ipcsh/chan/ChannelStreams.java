package ipcsh.chan;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * java.io views of a channel for clojure.java.io (slurp, line-seq, reader; spit, writer): raw
 * bytes through the channel's buffers. Closing a view closes that side of the channel.
 */
final class ChannelStreams {
    private ChannelStreams() {}

    static InputStream input(Channel ch) {
        return new InputStream() {
            @Override
            public int read() {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                ch.checkReadable("read");
                if (len == 0) return 0;
                return ch.input.takeInto(b, off, len, "read");
            }

            @Override
            public int available() {
                return ch.input.available();
            }

            @Override
            public void close() {
                ch.closeSide(true);
            }
        };
    }

    static OutputStream output(Channel ch) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                ch.checkWritable("write");
                ch.output.write(b, off, len, "write");
            }

            @Override
            public void flush() {
                if (!ch.isClosed()) ch.output.flushBuffered("flush");
            }

            @Override
            public void close() {
                ch.closeSide(false);
            }
        };
    }
}
