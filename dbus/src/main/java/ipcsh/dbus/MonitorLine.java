package ipcsh.dbus;

import ipcsh.Keyword;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.messages.Error;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.messages.MethodReturn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A monitored message as recv gives it (a map) and as it is printed (one line, busctl monitor's fields). */
final class MonitorLine {
    private MonitorLine() {}

    static Map<String, Object> map(Message m) {
        Map<String, Object> out = new LinkedHashMap<>();
        String type = m instanceof MethodCall ? "method-call" : m instanceof MethodReturn ? "method-return"
                : m instanceof Error ? "error" : m instanceof DBusSignal ? "signal" : "unknown";
        out.put("type", Keyword.of(type));
        out.put("serial", m.getSerial());
        if (m instanceof MethodReturn || m instanceof Error) out.put("reply-serial", m.getReplySerial());
        out.put("sender", m.getSource());
        out.put("destination", m.getDestination());
        if (m instanceof Error) {
            out.put("error-name", m.getName());
        } else if (!(m instanceof MethodReturn)) {
            out.put("path", m.getPath());
            out.put("interface", m.getInterface());
            out.put("member", m.getName());
        }
        String sig = m.getSig() == null ? "" : m.getSig();
        out.put("signature", sig);
        try {
            Object[] p = m.getParameters();
            List<Object> args = FromWire.all("dbus-monitor", sig, p == null ? new Object[0] : p);
            closeChannels(args);
            out.put("args", args);
        } catch (Exception e) {
            out.put("args", null);
            out.put("note", "its arguments could not be read: " + Calls.oneLine(e));
        }
        return out;
    }

    /**
     * A watched message's unix fds show as closed channels of their kind: a monitor holding a copy
     * of a pipe's write end would keep its reader from ever seeing the end.
     */
    private static void closeChannels(Object v) {
        if (v instanceof ipcsh.chan.Channel ch) ch.close();
        else if (v instanceof java.util.Collection<?> c) c.forEach(MonitorLine::closeChannels);
        else if (v instanceof Map<?, ?> m) m.values().forEach(MonitorLine::closeChannels);
    }

    static String of(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder();
        Object type = m.get("type");
        String t = type instanceof Keyword k ? k.name() : String.valueOf(type);
        if (t.equals("dropped")) return "dropped " + m.get("count") + " messages (the script did not keep up)";
        sb.append(t.replace('-', '_')).append(' ').append(m.get("serial"));
        if (m.get("reply-serial") != null) sb.append(" reply-to ").append(m.get("reply-serial"));
        sb.append(' ').append(or(m.get("sender"), "-")).append(" -> ").append(or(m.get("destination"), "*"));
        if (m.get("error-name") != null) {
            sb.append(' ').append(m.get("error-name"));
        } else if (m.get("member") != null && !t.equals("method-return")) {
            sb.append(' ').append(or(m.get("path"), "-")).append(' ');
            if (m.get("interface") != null) sb.append(m.get("interface")).append('.');
            sb.append(m.get("member"));
        }
        Object args = m.get("args");
        if (args instanceof List<?> l && !l.isEmpty()) {
            sb.append(' ');
            value(sb, args);
        }
        return sb.toString();
    }

    private static Object or(Object v, String dflt) {
        return v == null ? dflt : v;
    }

    private static void value(StringBuilder sb, Object v) {
        if (v instanceof String s) {
            sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        } else if (v instanceof byte[] b) {
            sb.append("#bytes[").append(b.length).append(']');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(' ');
                value(sb, l.get(i));
            }
            sb.append(']');
        } else if (v instanceof Map<?, ?> mm) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : mm.entrySet()) {
                if (!first) sb.append(", ");
                first = false;
                value(sb, e.getKey());
                sb.append(' ');
                value(sb, e.getValue());
            }
            sb.append('}');
        } else {
            sb.append(v);
        }
    }
}
