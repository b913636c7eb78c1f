package ipcsh.dbus;

import ipcsh.ExitRequest;
import ipcsh.IpcException;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.MethodCall;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** org.freedesktop.DBus.Properties of exported objects, on the interpreter thread (:get and :set are script functions). */
final class Properties {
    private Properties() {}

    static void serve(Exports exports, MethodCall c, Map<String, Exported> at) {
        String member = c.getName();
        Object[] p;
        try {
            p = Exports.params(c);
        } catch (DBusException e) {
            exports.error(c, "org.freedesktop.DBus.Error.InvalidArgs", Calls.oneLine(e));
            return;
        }
        try {
            switch (member) {
                case "Get" -> {
                    Exported.Property prop = find(at, (String) p[0], (String) p[1]);
                    exports.reply(c, "v", (Object) new Object[] {prop.type().text(), value(prop)});
                }
                case "GetAll" -> {
                    Exported e = at.get((String) p[0]);
                    Map<String, Object> all = new LinkedHashMap<>();
                    if (e != null) {
                        for (Exported.Property prop : e.properties.values()) {
                            if (!prop.access().equals("write")) all.put(prop.name(), new Object[] {prop.type().text(), value(prop)});
                        }
                    }
                    exports.reply(c, "a{sv}", all);
                }
                case "Set" -> {
                    Exported.Property prop = find(at, (String) p[0], (String) p[1]);
                    if (prop.set() == null) throw new Refusal("org.freedesktop.DBus.Error.PropertyReadOnly", "property " + p[1] + " is read-only");
                    Object v = FromWire.one("dbus-export", Signature.single("dbus-export", "v"), p[2]);
                    prop.set().call(v);
                    exports.reply(c, null);
                }
                default -> exports.error(c, "org.freedesktop.DBus.Error.UnknownMethod", "No such method '" + member + "' in org.freedesktop.DBus.Properties");
            }
        } catch (Refusal r) {
            exports.error(c, r.name, r.getMessage());
        } catch (ExitRequest x) {
            throw x;
        } catch (RuntimeException x) {
            exports.error(c, Exports.FAILED, Exports.message(x));
        }
    }

    private static Object value(Exported.Property prop) {
        Object v = prop.get() != null ? prop.get().call() : prop.value();
        return new ToWire("dbus-export property " + prop.name()).one(prop.type(), v, "value");
    }

    private static Exported.Property find(Map<String, Exported> at, String iface, String name) {
        Exported e = at.get(iface);
        Exported.Property prop = e == null ? null : e.properties.get(name);
        if (prop == null) throw new Refusal("org.freedesktop.DBus.Error.UnknownProperty", "no property " + name + " in " + iface);
        return prop;
    }

    private static final class Refusal extends IpcException {
        final String name;

        Refusal(String name, String message) {
            super(message);
            this.name = name;
        }
    }

}
