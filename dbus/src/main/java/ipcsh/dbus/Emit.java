package ipcsh.dbus;

import ipcsh.IpcException;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.DBusSignal;

import java.util.List;
import java.util.Map;

/** (dbus-emit): a signal from this connection, its types from {:signature}, the export declaring it, or the values. */
final class Emit {
    private Emit() {}

    static String declared(Bus bus, String path, String iface, String member) {
        Map<String, Exported> at = bus.exports.objects.get(path);
        Exported e = at == null ? null : at.get(iface);
        Signature s = e == null ? null : e.signals.get(member);
        return s == null ? null : s.toString();
    }

    static void signal(Bus bus, String who, String path, String iface, String member, Signature sig, List<Object> args) {
        String what = who + " " + path + " " + iface + "." + member;
        Object[] wire = new ToWire(what).all(sig, args);
        DBusSignal s;
        try {
            s = bus.conn.getMessageFactory().createSignal(bus.uniqueName, path, iface, member,
                    sig.types().isEmpty() ? null : sig.toString(), wire);
        } catch (DBusException | RuntimeException e) {
            throw new IpcException(what + ": " + Calls.oneLine(e));
        }
        ToWire.checkFds(what, s, wire, false);
        bus.conn.sendMessage(s);
    }
}
