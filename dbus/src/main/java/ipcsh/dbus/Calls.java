package ipcsh.dbus;

import ipcsh.IpcException;
import ipcsh.chan.Interrupts;
import ipcsh.loop.EventLoop;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.Error;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.messages.constants.Flags;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A method call from the interpreter thread: marshalled here (so a bad value is an error before
 * anything is sent), then a wait for its reply of at most the timeout, Ctrl-C ending it. The
 * wait serves no callbacks, as every blocking verb: a call to an object this shell exports would
 * wait for itself, so it is refused.
 */
final class Calls {
    static final long DEFAULT_TIMEOUT = 25_000; // libdbus's default

    private Calls() {}

    /** The reply's values as script values (a list), or null with noReply. */
    static List<Object> call(Bus bus, String who, String dest, String path, String iface, String member,
                             Signature sig, List<?> args, long timeoutMs, boolean noReply) {
        return call(bus, who, dest, path, iface, member, sig, args, timeoutMs, noReply, null);
    }

    /** With onReply, returns at once; (onReply {:value v}) or (onReply {:error … :dbus-error … :dbus-message …}) runs later on the interpreter thread. */
    static List<Object> call(Bus bus, String who, String dest, String path, String iface, String member,
                             Signature sig, List<?> args, long timeoutMs, boolean noReply, ipcsh.Callback onReply) {
        bus.checkOpen(who);
        String what = who + " " + dest + " " + path + " " + (iface == null ? "" : iface + ".") + member;
        // Introspectable and Peer are answered on dbus-java's reader thread: those calls to ourselves are fine
        boolean onReader = "org.freedesktop.DBus.Introspectable".equals(iface) || "org.freedesktop.DBus.Peer".equals(iface);
        if (dest != null && !noReply && onReply == null && !onReader && BusOpen.servedHere(dest)) {
            throw new IpcException(what + ": " + dest + " is this shell's own connection: the call would wait for itself"
                    + " (use {:on-reply f}, or call the function directly)");
        }
        Object[] wire = new ToWire(what).all(sig, args);
        MethodCall mc;
        try {
            mc = bus.conn.getMessageFactory().createMethodCall(dest, path, iface, member,
                    noReply ? Flags.NO_REPLY_EXPECTED : 0, sig.types().isEmpty() ? null : sig.toString(), wire);
        } catch (DBusException | RuntimeException e) {
            throw new IpcException(what + ": " + oneLine(e));
        }
        ToWire.checkFds(what, mc, wire, true);
        if (noReply) {
            bus.conn.sendMessage(mc);
            return null;
        }
        if (onReply != null) {
            async(bus, what, mc, timeoutMs, onReply);
            return null;
        }
        Bus.Reply reply = bus.expect(mc.getSerial());
        Message m;
        try {
            bus.send(mc, reply);
            m = reply.await(timeoutMs, () -> {
                if (Interrupts.pending()) throw new Interrupts.InterruptedError(what);
                if (mc.hasReply()) reply.arrive(mc.getReply(0)); // a send that failed: dbus-java's error reply
                if (bus.closed()) throw new IpcException(what + ": the connection to " + bus.address + " closed");
            });
        } finally {
            bus.forget(mc.getSerial());
        }
        if (m == null) {
            throw new IpcException(what + ": no reply within " + timeoutMs + " ms",
                    Map.of("dbus-error", "org.freedesktop.DBus.Error.NoReply", "dbus-message", "no reply within " + timeoutMs + " ms"));
        }
        if (m instanceof Error err) throw error(what, err);
        try {
            return FromWire.all(what, m.getSig(), m.getParameters());
        } catch (DBusException e) {
            throw new IpcException(what + ": the reply could not be read: " + oneLine(e));
        }
    }

    private static void async(Bus bus, String what, MethodCall mc, long timeoutMs, ipcsh.Callback onReply) {
        EventLoop loop = EventLoop.main();
        Throwable at = ipcsh.RegisteredAt.here(what);
        EventLoop.Keeper keeper = loop.hold("dbus-call", what, at);
        Bus.Reply reply = bus.expect(mc.getSerial());
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        EventLoop.Timer[] timer = new EventLoop.Timer[1];
        java.util.function.Consumer<Map<String, Object>> finish = result -> {
            if (!done.compareAndSet(false, true)) return;
            bus.forget(mc.getSerial());
            loop.release(keeper);
            if (timer[0] != null) loop.cancel(timer[0]);
            try {
                onReply.call(result);
            } catch (ipcsh.ExitRequest e) {
                throw e;
            } catch (Throwable e) {
                throw new ipcsh.loop.CallbackError(what + " :on-reply", e, at);
            }
        };
        reply.then = m -> {
            Map<String, Object> result = outcome(what, m);
            loop.post(() -> finish.accept(result));
        };
        timer[0] = loop.after(timeoutMs, () -> finish.accept(failure(new IpcException(what + ": no reply within " + timeoutMs + " ms",
                Map.of("dbus-error", "org.freedesktop.DBus.Error.NoReply", "dbus-message", "no reply within " + timeoutMs + " ms")))));
        bus.conn.sendMessage(mc);
    }

    /** On the reader thread: a reply as {:value v} or {:error "…" :dbus-error … :dbus-message …}. */
    private static Map<String, Object> outcome(String what, Message m) {
        if (m instanceof Error err) return failure(error(what, err));
        try {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("value", result(FromWire.all(what, m.getSig(), m.getParameters())));
            return r;
        } catch (DBusException | RuntimeException e) {
            return failure(new IpcException(what + ": the reply could not be read: " + oneLine(e)));
        }
    }

    private static Map<String, Object> failure(IpcException e) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("error", e.getMessage());
        r.putAll(e.data());
        return r;
    }

    /** A D-Bus error reply as the error a script catches: its name and message as data. */
    static IpcException error(String what, Error err) {
        String name = err.getName();
        String text = "";
        try {
            Object[] p = err.getParameters();
            if (p != null && p.length > 0 && p[0] instanceof String s) text = s;
        } catch (DBusException e) {
            text = "";
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("dbus-error", name);
        data.put("dbus-message", text);
        return new IpcException(what + ": " + name + (text.isEmpty() ? "" : ": " + text.replace('\n', ' ')), data);
    }

    /** nil for no values, the value for one, a vector for several. */
    static Object result(List<Object> values) {
        if (values == null || values.isEmpty()) return null;
        return values.size() == 1 ? values.get(0) : values;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }

    /** A call to the bus daemon itself, whose signatures are known. */
    static Object daemon(Bus bus, String who, String member, String sig, Object... args) {
        return result(call(bus, who, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", member,
                Signature.parse(who, sig), List.of(args), DEFAULT_TIMEOUT, false));
    }
}
