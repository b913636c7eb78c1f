package ipcsh.dbus;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A capture file Wireshark opens, as busctl capture writes it: the classic pcap format with
 * link type 231 (LINKTYPE_DBUS), one record per message, its bytes as they came on the wire.
 */
final class Pcap {
    static final int LINKTYPE_DBUS = 231;
    private final OutputStream out;
    private boolean failed;

    Pcap(String path) throws IOException {
        out = new BufferedOutputStream(Files.newOutputStream(Path.of(path), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(128 << 20).putInt(LINKTYPE_DBUS);
        out.write(h.array());
        out.flush();
    }

    /** On the reader thread. A write that fails stops the capture; the monitor goes on. */
    synchronized void write(byte[] message) {
        if (failed) return;
        long now = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt((int) (now / 1_000_000)).putInt((int) (now % 1_000_000)).putInt(message.length).putInt(message.length);
        try {
            out.write(r.array());
            out.write(message);
            out.flush();
        } catch (IOException e) {
            failed = true;
        }
    }

    synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            failed = true;
        }
    }
}
