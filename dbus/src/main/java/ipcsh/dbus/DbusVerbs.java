package ipcsh.dbus;

import ipcsh.Callback;
import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.RegisteredAt;
import ipcsh.registry.Args;
import ipcsh.registry.Options;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The D-Bus builtins' bodies: argument checks first, then one call into the classes beside. */
final class DbusVerbs {
    static final Set<String> CALL_OPTIONS = Set.of("signature", "timeout", "no-reply", "on-reply");

    private DbusVerbs() {}

    static Object open(Args a) {
        a.arity(0, 1);
        return BusOpen.open(a.name(), a.has(0) ? a.get(0) : null);
    }

    static Bus bus(Args a) {
        if (a.has(0) && a.get(0) instanceof Bus b) {
            b.checkOpen(a.name());
            return b;
        }
        throw a.wrongType(0, "a bus (from dbus)");
    }

    static String name(Args a, int i, String what) {
        String s = a.string(i, what);
        if (s.isEmpty()) throw new IpcException(a.name() + ": " + what + " is empty");
        return s;
    }

    static String path(Args a, int i) {
        String p = a.string(i, "object path");
        if (!ObjectPaths.valid(p)) throw new IpcException(a.name() + ": \"" + p + "\" is not an object path (/org/example/Obj: /-separated letters, digits, _)");
        return p;
    }

    /** The trailing options map of a call, when the last argument is a map of only option keys. */
    static Options trailing(Args a, int first) {
        if (a.size() > first && a.get(a.size() - 1) instanceof Map<?, ?> m && CALL_OPTIONS.containsAll(m.keySet())) {
            return a.options(a.size() - 1);
        }
        return null;
    }

    static Object call(Args a) {
        if (a.size() < 5) throw a.usage();
        Bus bus = bus(a);
        String dest = name(a, 1, "destination");
        String path = path(a, 2);
        String iface = a.get(3) == null ? null : name(a, 3, "interface");
        String member = name(a, 4, "method");
        Options o = trailing(a, 5);
        int end = o == null ? a.size() : a.size() - 1;
        List<Object> args = new ArrayList<>();
        for (int i = 5; i < end; i++) args.add(a.get(i));
        if (o == null) o = new Options(a.name(), Map.of());
        o.only("signature", "timeout", "no-reply", "on-reply");
        ipcsh.Callback onReply = o.get("on-reply") == null ? null : callback(a, o.get("on-reply"));
        long timeout = o.duration("timeout", Calls.DEFAULT_TIMEOUT);
        boolean noReply = o.flag("no-reply", false);
        String sig = o.string("signature", null);
        String what = a.name() + " " + dest + " " + path + " " + (iface == null ? "" : iface + ".") + member;
        if (sig == null) {
            sig = Introspection.inSignature(bus, a.name(), dest, path, iface, member);
            if (sig == null && !args.isEmpty()) {
                throw new IpcException(what + ": its introspection data does not say the method's signature; give it: {:signature \"…\"}");
            }
            if (sig == null) sig = "";
        }
        return Calls.result(Calls.call(bus, a.name(), dest, path, iface, member, Signature.parse(what, sig), args, timeout, noReply, onReply));
    }

    private static ipcsh.Callback callback(Args a, Object v) {
        if (v instanceof ipcsh.Callback c) return c;
        throw new IpcException(a.name() + ": option :on-reply must be a function, not " + Args.describe(v));
    }

    static Object variant(Args a) {
        a.arity(2, 2);
        String sig = a.string(0, "signature");
        Signature.Type t = Signature.single(a.name(), sig);
        new ToWire(a.name()).one(t, a.get(1), "value"); // checked now, not when it is sent
        return new DbusVariant(sig, a.get(1));
    }

    static Object names(Args a) {
        a.arity(1, 2);
        Bus bus = bus(a);
        boolean activatable = a.options(1).only("activatable").flag("activatable", false);
        return Names.list(bus, a.name(), activatable);
    }

    static Object owner(Args a) {
        a.arity(2, 2);
        return Names.owner(bus(a), a.name(), name(a, 1, "bus name"));
    }

    static Object introspect(Args a) {
        a.arity(3, 3);
        Bus bus = bus(a);
        return Introspection.of(bus, a.name(), name(a, 1, "destination"), path(a, 2));
    }

    static Object tree(Args a) {
        a.arity(2, 2);
        return Introspection.tree(bus(a), a.name(), name(a, 1, "destination"));
    }

    static Object get(Args a) {
        a.arity(5, 5);
        Bus bus = bus(a);
        String dest = name(a, 1, "destination"), path = path(a, 2), iface = name(a, 3, "interface"), prop = name(a, 4, "property");
        return Calls.result(Calls.call(bus, a.name(), dest, path, "org.freedesktop.DBus.Properties", "Get",
                Signature.parse(a.name(), "ss"), List.of(iface, prop), Calls.DEFAULT_TIMEOUT, false));
    }

    static Object set(Args a) {
        a.arity(6, 7);
        Bus bus = bus(a);
        String dest = name(a, 1, "destination"), path = path(a, 2), iface = name(a, 3, "interface"), prop = name(a, 4, "property");
        Object value = a.get(5);
        String sig = a.options(6).only("signature").string("signature", null);
        if (!(value instanceof DbusVariant)) {
            if (sig == null) sig = Introspection.propertyType(bus, a.name(), dest, path, iface, prop);
            if (sig != null) value = new DbusVariant(sig, value);
        }
        Calls.call(bus, a.name(), dest, path, "org.freedesktop.DBus.Properties", "Set",
                Signature.parse(a.name(), "ssv"), List.of(iface, prop, value), Calls.DEFAULT_TIMEOUT, false);
        return null;
    }

    static Object props(Args a) {
        a.arity(4, 4);
        Bus bus = bus(a);
        return Calls.result(Calls.call(bus, a.name(), name(a, 1, "destination"), path(a, 2), "org.freedesktop.DBus.Properties", "GetAll",
                Signature.parse(a.name(), "s"), List.of(name(a, 3, "interface")), Calls.DEFAULT_TIMEOUT, false));
    }

    static Object on(Args a) {
        a.arity(3, 3);
        Bus bus = bus(a);
        Options o = a.options(1).only(SignalWatch.KEYS.toArray(String[]::new));
        Map<String, String> want = new LinkedHashMap<>();
        for (String k : SignalWatch.KEYS) {
            String v = o.string(k, null);
            if (v != null) want.put(k, v);
        }
        if (want.containsKey("path")) checkPath(a, want.get("path"), ":path");
        if (want.containsKey("path-namespace")) checkPath(a, want.get("path-namespace"), ":path-namespace");
        Callback f = a.callback(2);
        return SignalWatch.add(bus, a.name(), want, f, RegisteredAt.here("dbus-on"));
    }

    private static void checkPath(Args a, String p, String what) {
        if (!ObjectPaths.valid(p)) throw new IpcException(a.name() + ": " + what + " \"" + p + "\" is not an object path");
    }

    static Object emit(Args a) {
        if (a.size() < 4) throw a.usage();
        Bus bus = bus(a);
        String path = path(a, 1), iface = name(a, 2, "interface"), member = name(a, 3, "signal name");
        Options o = trailing(a, 4);
        int end = o == null ? a.size() : a.size() - 1;
        List<Object> args = new ArrayList<>();
        for (int i = 4; i < end; i++) args.add(a.get(i));
        String sig = o == null ? null : o.only("signature").string("signature", null);
        if (sig == null) sig = Emit.declared(bus, path, iface, member);
        if (sig == null) {
            StringBuilder sb = new StringBuilder();
            for (Object v : args) sb.append(new ToWire(a.name()).natural(v, "argument"));
            sig = sb.toString();
        }
        Emit.signal(bus, a.name(), path, iface, member, Signature.parse(a.name(), sig), args);
        return null;
    }

    static Object export(Args a) {
        a.arity(4, 5);
        Bus bus = bus(a);
        String path = path(a, 1);
        String iface = name(a, 2, "interface");
        if (!(a.get(3) instanceof Map<?, ?> methods)) throw a.wrongType(3, "a map of methods {\"Name\" {:in \"s\" :out \"s\" :fn f}}");
        Options o = a.options(4).only("properties", "signals");
        Exported e = ExportSpec.make(bus, a.name(), path, iface, methods, o.get("properties"), o.get("signals"),
                RegisteredAt.here("dbus-export " + path));
        bus.exports.add(a.name(), e);
        return e;
    }

    static Object requestName(Args a) {
        a.arity(2, 3);
        Bus bus = bus(a);
        String n = name(a, 1, "bus name");
        Options o = a.options(2).only("replace", "allow-replacement", "queue");
        long flags = (o.flag("allow-replacement", false) ? 1 : 0) | (o.flag("replace", false) ? 2 : 0)
                | (o.flag("queue", false) ? 0 : 4);
        long r = ((Number) Calls.daemon(bus, a.name(), "RequestName", "su", n, flags)).longValue();
        switch ((int) r) {
            case 1, 4 -> bus.ownedNames.add(n);
            case 3 -> {
                Object who = Names.owner(bus, a.name(), n);
                throw new IpcException(a.name() + " " + n + ": the name is taken" + (who instanceof Map<?, ?> m
                        ? " by " + m.get("owner") + (m.get("pid") == null ? "" : " (pid " + m.get("pid") + " " + m.get("command") + ")") : ""));
            }
            default -> { }
        }
        return Keyword.of(switch ((int) r) {
            case 1 -> "primary-owner";
            case 2 -> "in-queue";
            case 4 -> "already-owner";
            default -> "exists";
        });
    }

    static Object monitor(Args a) {
        a.arity(1, 2);
        Bus bus = bus(a);
        ipcsh.registry.Options o = a.options(1).only("match", "print", "log", "pcap", "max-queue");
        List<String> rules = new ArrayList<>();
        Object match = o.get("match");
        if (match instanceof String s) rules.add(s);
        else if (match instanceof List<?> l) {
            for (Object r : l) {
                if (!(r instanceof String s)) throw new IpcException(a.name() + ": :match must be match rule strings, not " + Args.describe(r));
                rules.add(s);
            }
        } else if (match != null) throw new IpcException(a.name() + ": :match must be a match rule string or a vector of them");
        for (String r : rules) {
            if (r.contains("eavesdrop")) throw new IpcException(a.name() + ": :match \"" + r + "\": leave eavesdrop out (the monitor adds it where it is needed)");
        }
        long max = o.count("max-queue", MonitorDriver.QUEUE_MAX, 1, 10_000_000);
        return BusMonitor.open(a.name(), bus, rules, o.flag("print", true), o.string("log", null), o.string("pcap", null), max);
    }

    static Object releaseName(Args a) {
        a.arity(2, 2);
        Bus bus = bus(a);
        String n = name(a, 1, "bus name");
        long r = ((Number) Calls.daemon(bus, a.name(), "ReleaseName", "s", n)).longValue();
        bus.ownedNames.remove(n);
        return Keyword.of(r == 1 ? "released" : r == 2 ? "non-existent" : "not-owner");
    }
}
