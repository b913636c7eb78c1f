package ipcsh.dbus;

import ipcsh.Callback;
import ipcsh.Cancellable;
import ipcsh.loop.EventLoop;

import java.util.Map;

/**
 * One interface served at one path from script functions, as (dbus-export) declared it; its
 * methods, properties and signals also make its introspection XML. (cancel e) takes it off the bus.
 */
final class Exported implements Cancellable, ipcsh.Handle {
    record Method(String name, Signature in, Signature out, Callback fn, String error) {}

    record Property(String name, Signature.Type type, Callback get, Callback set, Object value) {
        String access() {
            boolean r = get != null || value != null;
            return r && set != null ? "readwrite" : set != null ? "write" : "read";
        }
    }

    final Bus bus;
    final String path;
    final String iface;
    final Map<String, Method> methods;
    final Map<String, Property> properties;
    final Map<String, Signature> signals;
    final Throwable at;
    private final EventLoop.Keeper keeper;
    private volatile boolean gone;

    Exported(Bus bus, String path, String iface, Map<String, Method> methods, Map<String, Property> properties,
             Map<String, Signature> signals, Throwable at) {
        this.bus = bus;
        this.path = path;
        this.iface = iface;
        this.methods = methods;
        this.properties = properties;
        this.signals = signals;
        this.at = at;
        this.keeper = EventLoop.main().hold("dbus-export", "dbus-export " + path + " " + iface, at);
    }

    @Override
    public void cancel() {
        if (gone) return;
        gone = true;
        bus.exports.remove(this);
        EventLoop.main().release(keeper);
    }

    @Override
    public String toString() {
        return "#<dbus-export " + path + " " + iface + (gone ? " cancelled" : "") + ">";
    }
}
