package ipcsh.dbus;

import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MessageFactory;
import org.freedesktop.dbus.spi.message.IMessageReader;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Reads messages out of a 64 KiB buffer that each read(2) fills as far as the socket has data.
 * dbus-java's own reader makes four reads per message (fixed header, its length, fields, body):
 * a signal storm then costs a system call and a wake-up per piece, and the reader, not the
 * script, was the limit.
 */
final class BufferedMessageReader implements IMessageReader {
    private static final int MAX_MESSAGE = 128 << 20; // the specification's limit

    private final SocketChannel socket;
    private ByteBuffer buf = ByteBuffer.allocate(64 << 10);
    private boolean closed;
    private final DivertingSocketProvider.Inbox inbox;
    /** The message read last as it came on the wire, while the inbox asks for it (a monitor's :pcap). */
    byte[] lastRaw;

    BufferedMessageReader(SocketChannel socket, DivertingSocketProvider.Inbox inbox) {
        this.socket = socket;
        this.inbox = inbox;
        buf.flip(); // empty, ready to be read from
    }

    @Override
    public boolean isClosed() {
        return closed || !socket.isOpen();
    }

    @Override
    public Message readMessage() throws IOException, DBusException {
        fill(16);
        int start = buf.position();
        byte endian = buf.get(start);
        long bodyLen = Message.demarshallint(array(start + 4, 4), 0, endian, 4);
        int fieldsLen = (int) Message.demarshallint(array(start + 12, 4), 0, endian, 4);
        int paddedFields = (fieldsLen + 7) & ~7;
        long total = 16L + paddedFields + bodyLen;
        if (fieldsLen < 0 || bodyLen < 0 || total > MAX_MESSAGE) throw new IOException("a message of " + total + " bytes is over the D-Bus limit");
        fill((int) total);
        byte[] fixed = array(start, 12);
        byte[] header = new byte[paddedFields + 8];
        System.arraycopy(buf.array(), start + 12, header, 0, 4);
        System.arraycopy(buf.array(), start + 16, header, 8, paddedFields);
        byte[] body = array(start + 16 + paddedFields, (int) bodyLen);
        lastRaw = inbox.keepRaw ? array(start, (int) total) : null;
        buf.position(start + (int) total);
        return MessageFactory.createMessage(fixed[1], fixed, header, body, null);
    }

    private byte[] array(int from, int n) {
        byte[] out = new byte[n];
        System.arraycopy(buf.array(), from, out, 0, n);
        return out;
    }

    /** Until n bytes from the position are in the buffer: compacts or grows it, then reads. */
    private void fill(int n) throws IOException {
        if (buf.remaining() >= n) return;
        if (buf.capacity() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(n, buf.capacity() * 2));
            bigger.put(buf);
            buf = bigger;
        } else {
            buf.compact();
        }
        while (buf.position() < n) {
            int r = socket.read(buf);
            if (r < 0) {
                closed = true;
                throw new EOFException("the bus closed the connection");
            }
        }
        buf.flip();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
    }
}
