package ipcsh.dbus;

import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.spi.message.IMessageReader;
import org.freedesktop.dbus.spi.message.IMessageWriter;
import org.freedesktop.dbus.spi.message.ISocketProvider;
import org.freedesktop.dbus.spi.message.OutputStreamMessageWriter;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * The hook between dbus-java's reader thread and a {@link Bus}: dbus-java finds socket providers
 * by ServiceLoader while a connection is built, and this one wraps the reader so that each
 * message is first offered to the bus being opened on this thread. What the bus takes (calls to
 * exported objects, signals a dbus-on watches, replies a dbus-call waits for) is handed to the
 * interpreter thread; the rest goes on to dbus-java as usual. A connection built elsewhere (no
 * {@link #OPENING}) gets dbus-java's own reader.
 */
public final class DivertingSocketProvider implements ISocketProvider {
    /** Set around DBusConnectionBuilder.build() by {@link BusOpen}, which connects on the calling thread. */
    static final ThreadLocal<Inbox> OPENING = new ThreadLocal<>();

    /** Where a connection's messages go first; the bus attaches itself once it is built. */
    static final class Inbox {
        volatile Bus bus;
        /** Whether each message's wire bytes are kept for the bus (a monitor writing a capture). */
        volatile boolean keepRaw;
        /** The connection's writer: a call writes on the calling thread, not through dbus-java's sender thread. */
        volatile IMessageWriter writer;
        /** The socket's descriptor (-1 if unknown): shut down at exit to wake dbus-java's reader. */
        volatile int fd = -1;
    }

    @Override
    public IMessageReader createReader(SocketChannel socket) throws IOException {
        Inbox inbox = OPENING.get();
        if (inbox == null) return null;
        inbox.fd = fdOf(socket);
        BufferedMessageReader inner = new BufferedMessageReader(socket, inbox.fd, inbox);
        return new IMessageReader() {
            @Override
            public boolean isClosed() {
                return inner.isClosed();
            }

            @Override
            public Message readMessage() throws IOException, DBusException {
                while (true) {
                    Message m = inner.readMessage();
                    Bus bus = inbox.bus;
                    if (m == null || bus == null || !bus.takes(m, inner.lastRaw)) return m;
                }
            }

            @Override
            public void close() throws IOException {
                inner.close();
            }
        };
    }

    @Override
    public IMessageWriter createWriter(SocketChannel socket) throws IOException {
        Inbox inbox = OPENING.get();
        if (inbox == null) return null;
        IMessageWriter inner = new OutputStreamMessageWriter(socket);
        int fd = fdOf(socket);
        // one lock for dbus-java's sender thread and the interpreter thread's direct writes (Inbox.write)
        IMessageWriter locked = new IMessageWriter() {
            @Override
            public synchronized void writeMessage(Message m) throws IOException {
                if (m.getFiledescriptors().isEmpty()) writeGathered(socket, m);
                else writeWithFds(socket, fd, m);
            }

            @Override
            public boolean isClosed() {
                return inner.isClosed();
            }

            @Override
            public void close() throws IOException {
                inner.close();
            }
        };
        inbox.writer = locked;
        return locked;
    }

    /**
     * A message in one writev(2): dbus-java's own writer wrote each piece of the wire data
     * (header fields, padding, each argument) with a write of its own, some 35 for a call with
     * one string argument.
     */
    private static void writeGathered(SocketChannel socket, Message m) throws IOException {
        byte[][] wire = m.getWireData();
        int n = 0;
        long left = 0;
        while (n < wire.length && wire[n] != null) left += wire[n++].length;
        java.nio.ByteBuffer[] parts = new java.nio.ByteBuffer[n];
        for (int i = 0; i < n; i++) parts[i] = java.nio.ByteBuffer.wrap(wire[i]);
        while (left > 0) left -= socket.write(parts); // blocking: a short write only when interrupted
    }

    /**
     * A message with unix fds: its bytes in one sendmsg(2) with the descriptors (they travel with
     * the first byte, where the bus looks for them), the rest of a short send written after.
     */
    private static void writeWithFds(SocketChannel socket, int fd, Message m) throws IOException {
        if (fd < 0) throw new IOException("unix fds cannot be passed: the socket's descriptor is not reachable");
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] b : m.getWireData()) {
            if (b == null) break;
            all.write(b);
        }
        byte[] bytes = all.toByteArray();
        int[] fds = new int[m.getFiledescriptors().size()];
        for (int i = 0; i < fds.length; i++) fds[i] = m.getFiledescriptors().get(i).getIntFileDescriptor();
        int sent = ipcsh.chan.drivers.FdPassing.send(fd, bytes, 0, bytes.length, fds, "dbus");
        if (sent < 0) throw new IOException("sendmsg with unix fds did not go");
        java.nio.ByteBuffer rest = java.nio.ByteBuffer.wrap(bytes, sent, bytes.length - sent);
        while (rest.hasRemaining()) socket.write(rest);
    }

    /** The JDK socket's descriptor (the launcher exports sun.nio.ch), or -1: then no unix fds pass. */
    static int fdOf(SocketChannel socket) {
        try {
            return (int) Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal").invoke(socket);
        } catch (ReflectiveOperationException | IllegalAccessError | SecurityException | ClassCastException e) {
            return -1;
        }
    }

    /** Ignored: dbus-java asks its transport, which (the JDK's socket) says it cannot pass fds; this provider can. */
    @Override
    public void setFileDescriptorSupport(boolean support) {}

    @Override
    public boolean isFileDescriptorPassingSupported() {
        return true;
    }
}
