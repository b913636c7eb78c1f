package ipcsh.dbus;

import ipcsh.Callback;
import ipcsh.Cancellable;
import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.loop.CallbackError;
import ipcsh.loop.EventLoop;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.DBusSignal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * (dbus-on bus rule f): a match rule added on the bus and the same rule checked here, since
 * every watch on a connection sees what any of its rules lets through. The reader thread reads
 * a matching signal into a map; f runs with it on the interpreter thread. (cancel w) removes
 * the rule; a signal already on its way is then dropped.
 */
final class SignalWatch implements Cancellable, ipcsh.Handle {
    static final List<String> KEYS = List.of("sender", "path", "path-namespace", "interface", "member", "destination",
            "arg0", "arg1", "arg2", "arg3");

    private final Bus bus;
    private final String rule;
    private final Map<String, String> want;
    private final String senderUnique;
    private final Callback f;
    private final Throwable at;
    private final EventLoop.Keeper keeper;
    private volatile boolean cancelled;

    private SignalWatch(Bus bus, String rule, Map<String, String> want, String senderUnique, Callback f, Throwable at) {
        this.bus = bus;
        this.rule = rule;
        this.want = want;
        this.senderUnique = senderUnique;
        this.f = f;
        this.at = at;
        this.keeper = EventLoop.main().hold("dbus-on", "dbus-on " + rule, at);
    }

    static SignalWatch add(Bus bus, String who, Map<String, String> want, Callback f, Throwable at) {
        bus.checkOpen(who);
        StringBuilder rule = new StringBuilder("type='signal'");
        for (Map.Entry<String, String> e : want.entrySet()) {
            String v = e.getValue();
            if (v.indexOf('\'') >= 0) throw new IpcException(who + ": :" + e.getKey() + " cannot contain a ' (\"" + v + "\")");
            rule.append(',').append(e.getKey().replace('-', '_')).append("='").append(v).append('\'');
        }
        String sender = want.get("sender");
        String unique = sender;
        if (sender != null && !sender.startsWith(":")) {
            try {
                unique = (String) Calls.daemon(bus, who, "GetNameOwner", "s", sender);
            } catch (IpcException e) {
                unique = null; // nobody owns it yet: its signals are the bus's to filter
            }
        }
        Calls.daemon(bus, who, "AddMatch", "s", rule.toString());
        SignalWatch w = new SignalWatch(bus, rule.toString(), want, unique, f, at);
        bus.watches.add(w);
        return w;
    }

    /**
     * A signal's arguments, converted once for every watch it is for: a unix fd becomes one
     * channel, not one per watch (each would own, and close, the same descriptor).
     */
    static final class Args {
        private final DBusSignal s;
        private List<Object> args;

        Args(DBusSignal s) {
            this.s = s;
        }

        List<Object> get() throws DBusException {
            if (args == null) args = FromWire.all("dbus-on", s.getSig(), params(s));
            return args;
        }
    }

    /** On the reader thread: whether s is for this watch; if so it is on its way to f. */
    boolean offer(DBusSignal s, Args args) {
        if (cancelled || !matches(s)) return false;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sender", s.getSource());
        m.put("path", s.getPath());
        m.put("interface", s.getInterface());
        m.put("member", s.getName());
        try {
            m.put("args", args.get());
        } catch (RuntimeException | DBusException e) {
            m.put("args", List.of());
            m.put("error", "its arguments could not be read: " + Calls.oneLine(e));
        }
        m.put("signature", s.getSig() == null ? "" : s.getSig());
        EventLoop.main().post(() -> deliver(m));
        return true;
    }

    private static Object[] params(DBusSignal s) throws DBusException {
        Object[] p = s.getParameters();
        return p == null ? new Object[0] : p;
    }

    private boolean matches(DBusSignal s) {
        for (Map.Entry<String, String> e : want.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "sender" -> {
                    if (senderUnique != null && !senderUnique.equals(s.getSource()) && !v.equals(s.getSource())) return false;
                }
                case "path" -> { if (!v.equals(s.getPath())) return false; }
                case "path-namespace" -> {
                    String p = s.getPath();
                    if (!(p.equals(v) || p.startsWith(v.endsWith("/") ? v : v + "/") || v.equals("/"))) return false;
                }
                case "interface" -> { if (!v.equals(s.getInterface())) return false; }
                case "member" -> { if (!v.equals(s.getName())) return false; }
                case "destination" -> { if (s.getDestination() != null && !v.equals(s.getDestination())) return false; }
                default -> {
                    int i = e.getKey().charAt(3) - '0';
                    try {
                        Object[] p = params(s);
                        if (p.length <= i || !(p[i] instanceof String str) || !str.equals(v)) return false;
                    } catch (DBusException | RuntimeException x) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private void deliver(Map<String, Object> m) {
        if (cancelled) return;
        try {
            f.call(m);
        } catch (ExitRequest e) {
            throw e;
        } catch (Throwable e) {
            cancel();
            throw new CallbackError("dbus-on " + rule + " callback", e, at);
        }
    }

    @Override
    public void cancel() {
        if (cancelled) return;
        cancelled = true;
        bus.watches.remove(this);
        EventLoop.main().release(keeper);
        if (!bus.closed()) {
            try {
                Calls.daemon(bus, "cancel", "RemoveMatch", "s", rule);
            } catch (IpcException e) {
                // the bus forgets the rule with the connection anyway
            }
        }
    }

    @Override
    public String toString() {
        return "#<dbus-on " + rule + (cancelled ? " cancelled" : "") + ">";
    }
}
