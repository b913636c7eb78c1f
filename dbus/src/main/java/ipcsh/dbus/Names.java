package ipcsh.dbus;

import ipcsh.IpcException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Who is on the bus: names with their owner's pid, uid and command line, as busctl list shows them. */
final class Names {
    private Names() {}

    static List<Object> list(Bus bus, String who, boolean activatable) {
        TreeSet<String> names = new TreeSet<>(ORDER);
        for (Object n : (List<?>) Calls.daemon(bus, who, "ListNames", "")) names.add((String) n);
        TreeSet<String> canActivate = new TreeSet<>();
        if (activatable) {
            for (Object n : (List<?>) Calls.daemon(bus, who, "ListActivatableNames", "")) canActivate.add((String) n);
            names.addAll(canActivate);
        }
        Map<String, Map<String, Object>> byOwner = new HashMap<>();
        List<Object> rows = new ArrayList<>();
        for (String n : names) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", n);
            String owner = n.startsWith(":") ? n : ownerOf(bus, who, n);
            row.put("owner", owner);
            Map<String, Object> p = owner == null ? null : byOwner.computeIfAbsent(owner, o -> process(bus, who, o));
            row.put("pid", p == null ? null : p.get("pid"));
            row.put("uid", p == null ? null : p.get("uid"));
            row.put("command", p == null ? null : p.get("command"));
            if (activatable) row.put("activatable", canActivate.contains(n));
            rows.add(row);
        }
        return rows;
    }

    /** Well-known names by name, then unique names by number (:1.2 before :1.10). */
    private static final Comparator<String> ORDER = (a, b) -> {
        boolean ua = a.startsWith(":"), ub = b.startsWith(":");
        if (ua != ub) return ua ? 1 : -1;
        if (!ua) return a.compareTo(b);
        int c = Integer.compare(a.length(), b.length());
        return c != 0 ? c : a.compareTo(b);
    };

    static Object owner(Bus bus, String who, String name) {
        String owner = name.startsWith(":") ? name : ownerOf(bus, who, name);
        if (owner == null) return null;
        if (name.startsWith(":") && !Boolean.TRUE.equals(Calls.daemon(bus, who, "NameHasOwner", "s", name))) return null;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", name);
        row.put("owner", owner);
        row.putAll(process(bus, who, owner));
        return row;
    }

    private static String ownerOf(Bus bus, String who, String name) {
        try {
            return (String) Calls.daemon(bus, who, "GetNameOwner", "s", name);
        } catch (IpcException e) {
            if ("org.freedesktop.DBus.Error.NameHasNoOwner".equals(e.data().get("dbus-error"))) return null;
            throw e;
        }
    }

    private static Map<String, Object> process(Bus bus, String who, String owner) {
        Map<String, Object> p = new LinkedHashMap<>();
        Object pid = quietly(bus, who, "GetConnectionUnixProcessID", owner);
        p.put("pid", pid);
        p.put("uid", quietly(bus, who, "GetConnectionUnixUser", owner));
        p.put("command", pid == null ? null : command(((Number) pid).longValue()));
        return p;
    }

    /** The bus daemon's answer, or nil when it has none (a name that went away, a peer on another machine). */
    private static Object quietly(Bus bus, String who, String member, String owner) {
        try {
            return Calls.daemon(bus, who, member, "s", owner);
        } catch (IpcException e) {
            if (e.data().get("dbus-error") == null) throw e;
            return null;
        }
    }

    static String command(long pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            int n = b.length;
            while (n > 0 && b[n - 1] == 0) n--;
            for (int i = 0; i < n; i++) if (b[i] == 0) b[i] = ' ';
            return new String(b, 0, n, StandardCharsets.UTF_8);
        } catch (Exception e) {
            return null;
        }
    }
}
