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
    }

    @Override
    public IMessageReader createReader(SocketChannel socket) throws IOException {
        Inbox inbox = OPENING.get();
        if (inbox == null) return null;
        BufferedMessageReader inner = new BufferedMessageReader(socket, inbox);
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
        // one lock for dbus-java's sender thread and the interpreter thread's direct writes (Inbox.write)
        IMessageWriter locked = new IMessageWriter() {
            @Override
            public synchronized void writeMessage(Message m) throws IOException {
                inner.writeMessage(m);
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

    @Override
    public void setFileDescriptorSupport(boolean support) {}

    @Override
    public boolean isFileDescriptorPassingSupported() {
        return false;
    }
}
