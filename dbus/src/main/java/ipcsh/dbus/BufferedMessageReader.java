package ipcsh.dbus;

import ipcsh.chan.FdMessage;
import ipcsh.os.LibC;
import ipcsh.os.OsException;
import ipcsh.os.Received;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MessageFactory;
import org.freedesktop.dbus.spi.message.IMessageReader;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads messages out of a 64 KiB buffer that each read(2) fills as far as the socket has data.
 * dbus-java's own reader makes four reads per message (fixed header, its length, fields, body):
 * a signal storm then costs a system call and a wake-up per piece, and the reader, not the
 * script, was the limit.
 *
 * <p>With the socket's descriptor it reads with recvmsg(2), so that unix fds (D-Bus type h)
 * come too. They queue in the order they came, and each message takes as many as its UNIX_FDS
 * header field says, as libdbus does: a read may glue messages together, so where in the
 * stream a descriptor arrived does not say whose it is, but its order does.
 */
final class BufferedMessageReader implements IMessageReader {
    private static final int MAX_MESSAGE = 128 << 20; // the specification's limit

    private final SocketChannel socket;
    /** The socket's descriptor for recvmsg, or -1: read through the channel, no descriptors. */
    private final int fd;
    /** Descriptors received and not yet given to their message, in the order they came. */
    private final ArrayDeque<Integer> queued = new ArrayDeque<>();
    private ByteBuffer buf = ByteBuffer.allocate(64 << 10);
    private boolean closed;
    private final DivertingSocketProvider.Inbox inbox;
    /** The message read last as it came on the wire, while the inbox asks for it (a monitor's :pcap). */
    byte[] lastRaw;

    BufferedMessageReader(SocketChannel socket, int fd, DivertingSocketProvider.Inbox inbox) {
        this.socket = socket;
        this.fd = fd;
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
        List<FileDescriptor> fds = descriptors(unixFds(start, fieldsLen, endian));
        lastRaw = inbox.keepRaw ? array(start, (int) total) : null;
        buf.position(start + (int) total);
        return MessageFactory.createMessage(fixed[1], fixed, header, body, fds);
    }

    /** The next n descriptors received (fewer if fewer came: the message's h values then cannot be read). */
    private List<FileDescriptor> descriptors(int n) {
        if (n <= 0) return null;
        List<FileDescriptor> out = new ArrayList<>(n);
        for (int i = 0; i < n && !queued.isEmpty(); i++) out.add(new FileDescriptor(queued.pollFirst()));
        return out;
    }

    /**
     * The UNIX_FDS header field (code 9, type u) of the message at start: how many descriptors it
     * carries; 0 without it. The fields are an a(yv) from the message's byte 16, each 8-aligned;
     * the bus sends only the specification's fields (o, s, g, u), and a field of another type
     * ends the search.
     */
    private int unixFds(int start, int fieldsLen, byte endian) {
        byte[] a = buf.array();
        int p = 16, end = 16 + fieldsLen;
        while (true) {
            p = (p + 7) & ~7;
            if (p + 2 > end) return 0;
            int code = a[start + p] & 0xFF, sigLen = a[start + p + 1] & 0xFF;
            char type = sigLen == 1 ? (char) a[start + p + 2] : '?';
            p += 2 + sigLen + 1;
            switch (type) {
                case 'u' -> {
                    p = (p + 3) & ~3;
                    if (code == 9) return (int) Message.demarshallint(a, start + p, endian, 4);
                    p += 4;
                }
                case 's', 'o' -> {
                    p = (p + 3) & ~3;
                    p += 4 + (int) Message.demarshallint(a, start + p, endian, 4) + 1;
                }
                case 'g' -> p += 1 + (a[start + p] & 0xFF) + 1;
                default -> {
                    return 0;
                }
            }
        }
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
            int r = fd < 0 ? socket.read(buf) : receive();
            if (r < 0) {
                closed = true;
                throw new EOFException("the bus closed the connection");
            }
        }
        buf.flip();
    }

    /**
     * One recvmsg into the buffer: bytes read, -1 at end of stream. Waits in poll(2) with a
     * timeout, not in recvmsg, so that a socket closed by another thread ends the wait (the
     * JDK wakes only its own blocked reads).
     */
    private int receive() throws IOException {
        LibC libc = LibC.get();
        int[] fds = {fd};
        short[] events = {LibC.POLLIN}, revents = new short[1];
        while (true) {
            if (closed || !socket.isOpen()) {
                while (!queued.isEmpty()) FdMessage.close(new int[] {queued.pollFirst()});
                throw new EOFException("the connection is closed");
            }
            Received r;
            try {
                r = libc.recvmsg(fd, buf.array(), buf.position(), buf.remaining(), LibC.SCM_MAX_FD, LibC.MSG_DONTWAIT, false);
            } catch (RuntimeException e) { // an errno: dbus-java's reader thread ends the connection on an IOException
                throw new IOException(e.getMessage(), e);
            }
            if (r == null) {
                libc.poll(fds, events, revents, 250);
                continue;
            }
            if (r.controlCut()) {
                FdMessage.close(r.fds());
                throw new IOException("unix fds sent by the bus were cut on the way (MSG_CTRUNC)");
            }
            if (r.fds() != null) for (int d : r.fds()) queued.addLast(d);
            if (r.length() == 0) return -1;
            buf.position(buf.position() + r.length());
            return r.length();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        // close(2) does not wake a recvmsg blocked in the reader thread; shutdown(2) does
        if (fd >= 0 && socket.isOpen()) {
            try {
                LibC.get().shutdown(fd, LibC.SHUT_RDWR);
            } catch (OsException alreadyShut) {
                // the bus hung up first
            }
        }
        socket.close();
    }
}
