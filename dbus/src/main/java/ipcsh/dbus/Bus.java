package ipcsh.dbus;

import ipcsh.IpcException;
import ipcsh.loop.EventLoop;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.messages.Error;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.messages.MethodReturn;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One bus connection: what dbus-java's reader thread takes from it ({@link #takes}) and what the
 * interpreter thread has registered on it (replies awaited, signal watches, exported objects,
 * names owned). Closing it ends all of them; the bus itself drops our names and match rules
 * when the connection goes.
 */
public final class Bus implements Closeable, ipcsh.Handle {
    final DBusConnection conn;
    final String address;
    final String uniqueName;
    private final Map<Long, Reply> awaiting = new ConcurrentHashMap<>();
    final List<SignalWatch> watches = new CopyOnWriteArrayList<>();
    final Exports exports = new Exports(this);
    final Set<String> ownedNames = ConcurrentHashMap.newKeySet();
    /** dest + " " + path → its introspection data, for the signatures of calls without {:signature}. */
    final Map<String, Map<String, Object>> introspected = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** Set on a dbus-monitor's own connection: every message is the monitor's. */
    volatile MonitorDriver monitor;

    final DivertingSocketProvider.Inbox inbox;

    Bus(DBusConnection conn, String address, DivertingSocketProvider.Inbox inbox) {
        this.conn = conn;
        this.inbox = inbox;
        this.address = address;
        this.uniqueName = conn.getUniqueName();
    }

    /** A reply a call on the interpreter thread waits for; dbus-java's reader thread fills it. */
    static final class Reply {
        private Message message;
        /** For a call that does not wait ({:on-reply f}): run on the reader thread when the reply comes. */
        volatile java.util.function.Consumer<Message> then;
        /** Written by {@link Bus#send} itself: dbus-java never saw the call, and must not see its reply. */
        volatile boolean direct;

        void arrive(Message m) {
            synchronized (this) {
                if (message != null) return;
                message = m;
                notifyAll();
            }
            var t = then;
            if (t != null) t.accept(m);
        }

        /** Waits at most ms for the reply; null when the time is up. Wakes every 20 ms to see Ctrl-C. */
        synchronized Message await(long ms, Runnable checkInterrupt) {
            long deadline = System.nanoTime() + ms * 1_000_000L;
            while (message == null) {
                checkInterrupt.run();
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) return null;
                try {
                    wait(Math.min(left, 20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ipcsh.chan.Interrupts.InterruptedError("dbus");
                }
            }
            return message;
        }
    }

    Reply expect(long serial) {
        Reply r = new Reply();
        awaiting.put(serial, r);
        return r;
    }

    /**
     * Writes a call on this thread, a thread hop shorter than dbus-java's sender (whose queue a
     * call's reply would wait behind); falls back to it when this connection has no writer of ours.
     */
    void send(MethodCall mc, Reply r) {
        var w = inbox.writer;
        if (w == null || r == null) {
            conn.sendMessage(mc);
            return;
        }
        r.direct = true;
        try {
            w.writeMessage(mc);
        } catch (java.io.IOException e) {
            forget(mc.getSerial());
            throw new IpcException("dbus: writing to " + address + " failed: " + e.getMessage());
        }
    }

    void forget(long serial) {
        awaiting.remove(serial);
    }

    /** On dbus-java's reader thread: whether this bus handles m itself (dbus-java then never sees it). */
    boolean takes(Message m, byte[] raw) {
        if (m instanceof MethodReturn || m instanceof Error) {
            Reply r = awaiting.remove(m.getReplySerial());
            if (r != null) {
                r.arrive(m);
                return r.direct; // a call dbus-java sent has its record there to drop; one written directly has none
            }
        }
        MonitorDriver mon = monitor;
        if (mon != null) {
            // the bus tells a new monitor it lost its own unique name: about the monitor, not the bus
            if (!uniqueName.equals(m.getDestination())) mon.offer(MonitorLine.map(m), raw);
            return true;
        }
        if (m instanceof MethodReturn || m instanceof Error) {
            FromWire.closeFds(m); // a reply nobody here waits for: its unix fds would be leaked
            return false;
        }
        if (m instanceof DBusSignal s) {
            boolean taken = false;
            SignalWatch.Args args = new SignalWatch.Args(s);
            for (SignalWatch w : watches) taken |= w.offer(s, args);
            if (!taken) FromWire.closeFds(s);
            return taken;
        }
        if (m instanceof MethodCall c) {
            exports.incoming(c);
            return true;
        }
        return false;
    }

    boolean closed() {
        return closed || !conn.isConnected();
    }

    void checkOpen(String who) {
        if (closed()) throw new IpcException(who + ": " + this + " is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (SignalWatch w : new ArrayList<>(watches)) w.cancel();
        exports.closeAll();
        ownedNames.clear();
        conn.disconnect();
        synchronized (BusOpen.OPEN) {
            BusOpen.OPEN.remove(this);
        }
    }

    @Override
    public String toString() {
        return "#<dbus " + address + " " + uniqueName + (closed ? " closed" : "") + ">";
    }

    static void wake() {
        EventLoop.main().post(() -> {});
    }
}
