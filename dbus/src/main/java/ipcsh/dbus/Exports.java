package ipcsh.dbus;

import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.loop.CallbackError;
import ipcsh.loop.EventLoop;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.messages.constants.Flags;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every method call that reaches this connection. Introspect and Peer are answered on the reader
 * thread (they run no script code); a call to an exported method, and Properties, runs its
 * function on the interpreter thread and replies from there: its return converted by :out, or
 * a thrown error as a D-Bus error (the method's :error name, else org.freedesktop.DBus.Error.Failed).
 */
final class Exports {
    static final String FAILED = "org.freedesktop.DBus.Error.Failed";
    private final Bus bus;
    /** path → interface → what serves it. */
    final Map<String, Map<String, Exported>> objects = new ConcurrentHashMap<>();

    Exports(Bus bus) {
        this.bus = bus;
    }

    void add(String who, Exported e) {
        Map<String, Exported> at = objects.computeIfAbsent(e.path, p -> new ConcurrentHashMap<>());
        if (at.putIfAbsent(e.iface, e) != null) {
            e.cancel();
            throw new IpcException(who + ": " + e.path + " already exports " + e.iface + " on " + bus + " (cancel that export first)");
        }
    }

    void remove(Exported e) {
        Map<String, Exported> at = objects.get(e.path);
        if (at != null && at.remove(e.iface, e) && at.isEmpty()) objects.remove(e.path, at);
    }

    void closeAll() {
        for (Map<String, Exported> m : new ArrayList<>(objects.values())) {
            for (Exported e : new ArrayList<>(m.values())) e.cancel();
        }
    }

    /** On the reader thread. */
    void incoming(MethodCall c) {
        String iface = c.getInterface(), member = c.getName(), path = c.getPath();
        if ("org.freedesktop.DBus.Introspectable".equals(iface) || (iface == null && "Introspect".equals(member))) {
            if ("Introspect".equals(member)) reply(c, "s", IntrospectXml.of(path, objects));
            else unknownMethod(c);
            return;
        }
        if ("org.freedesktop.DBus.Peer".equals(iface)) {
            if ("Ping".equals(member)) reply(c, null);
            else if ("GetMachineId".equals(member)) reply(c, "s", bus.conn.getMachineId());
            else unknownMethod(c);
            return;
        }
        Map<String, Exported> at = objects.get(path);
        if (at == null) {
            FromWire.closeFds(c);
            error(c, "org.freedesktop.DBus.Error.UnknownObject", path + " is not an object this connection exports");
            return;
        }
        if ("org.freedesktop.DBus.Properties".equals(iface)) {
            EventLoop.main().post(() -> Properties.serve(this, c, at));
            return;
        }
        Exported.Method m = null;
        Exported owner = null;
        for (Exported e : at.values()) {
            if (iface != null && !iface.equals(e.iface)) continue;
            Exported.Method found = e.methods.get(member);
            if (found != null) {
                m = found;
                owner = e;
                break;
            }
        }
        if (m == null) {
            FromWire.closeFds(c);
            unknownMethod(c);
            return;
        }
        String got = c.getSig() == null ? "" : c.getSig();
        if (!got.equals(m.in().toString())) {
            FromWire.closeFds(c);
            error(c, "org.freedesktop.DBus.Error.InvalidArgs", "Call to " + member + " has wrong args (" + got
                    + ", expected " + m.in() + ")");
            return;
        }
        Exported.Method method = m;
        Exported e = owner;
        EventLoop.main().post(() -> run(c, e, method));
    }

    /** On the interpreter thread. */
    private void run(MethodCall c, Exported e, Exported.Method m) {
        String what = "dbus-export " + e.path + " " + e.iface + "." + m.name();
        Object result;
        try {
            List<Object> args = FromWire.all(what, c.getSig(), params(c));
            result = m.fn().call(args.toArray());
        } catch (ExitRequest x) {
            throw x;
        } catch (Throwable x) {
            error(c, m.error() == null ? FAILED : m.error(), message(x));
            return;
        }
        try {
            List<?> values = m.out().types().isEmpty() ? List.of()
                    : m.out().types().size() == 1 ? java.util.Collections.singletonList(result)
                    : result instanceof List<?> l ? l : List.of(result);
            Object[] wire = new ToWire(what + " return value").all(m.out(), values);
            reply(c, m.out().types().isEmpty() ? null : m.out().toString(), wire);
        } catch (IpcException x) {
            error(c, FAILED, x.getMessage());
            EventLoop.main().report(new CallbackError(what, x, e.at));
        }
    }

    static Object[] params(Message c) throws DBusException {
        Object[] p = c.getParameters();
        return p == null ? new Object[0] : p;
    }

    static String message(Throwable x) {
        Throwable t = x instanceof CallbackError && x.getCause() != null ? x.getCause() : x;
        String m = t.getMessage();
        if (m == null) return t.getClass().getSimpleName();
        return m.startsWith("Error: ") ? m.substring(7) : m; // a JavaScript Error's message as GraalJS gives it
    }

    void reply(MethodCall c, String sig, Object... values) {
        if ((c.getFlags() & Flags.NO_REPLY_EXPECTED) != 0 || bus.closed()) return;
        try {
            var r = bus.conn.getMessageFactory().createMethodReturn(c, sig, values);
            ToWire.checkFds("the reply to " + c.getName(), r, values, true);
            bus.conn.sendMessage(r);
        } catch (DBusException | IpcException x) {
            error(c, FAILED, "the reply could not be made: " + Calls.oneLine(x));
        }
    }

    void error(MethodCall c, String name, String text) {
        if ((c.getFlags() & Flags.NO_REPLY_EXPECTED) != 0 || bus.closed()) return;
        try {
            bus.conn.sendMessage(bus.conn.getMessageFactory().createError(c.getSource(), name, c.getSerial(), "s", text));
        } catch (DBusException x) {
            // nothing more can be said to the caller; it will time out
        }
    }

    private void unknownMethod(MethodCall c) {
        error(c, "org.freedesktop.DBus.Error.UnknownMethod", "No such method '" + c.getName() + "' in interface '"
                + c.getInterface() + "' at object path '" + c.getPath() + "' (signature '" + (c.getSig() == null ? "" : c.getSig()) + "')");
    }

    /** The paths under path that something is exported at, one level down (for Introspect's child nodes). */
    static List<String> children(String path, Map<String, ?> objects) {
        String prefix = path.equals("/") ? "/" : path + "/";
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (String p : new java.util.TreeSet<>(objects.keySet())) {
            if (p.startsWith(prefix) && p.length() > prefix.length()) {
                String rest = p.substring(prefix.length());
                int slash = rest.indexOf('/');
                seen.put(slash < 0 ? rest : rest.substring(0, slash), true);
            }
        }
        return new ArrayList<>(seen.keySet());
    }
}
