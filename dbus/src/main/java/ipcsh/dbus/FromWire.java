package ipcsh.dbus;

import ipcsh.IpcException;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.types.Variant;

import java.lang.reflect.Array;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What dbus-java read to script values, by the D-Bus type: integers as longs (t past 2^63 as a
 * big integer), ay as bytes, arrays and structs as vectors, dicts as maps, variants unwrapped,
 * object paths and signatures as strings.
 */
final class FromWire {
    private FromWire() {}

    static List<Object> all(String who, String sig, Object[] values) {
        Signature s = Signature.parse(who, sig);
        List<Object> out = new ArrayList<>(values.length);
        for (int i = 0; i < values.length && i < s.types().size(); i++) out.add(one(who, s.types().get(i), values[i]));
        return out;
    }

    /** Closes the unix fds that came with m, for a message nobody converts (an unknown method): received fds are never leaked. */
    static void closeFds(org.freedesktop.dbus.messages.Message m) {
        for (org.freedesktop.dbus.FileDescriptor fd : m.getFiledescriptors()) {
            ipcsh.chan.drivers.FdPassing.close(new int[] {fd.getIntFileDescriptor()});
        }
        m.getFiledescriptors().clear();
    }

    static Object one(String who, Signature.Type t, Object v) {
        if (v == null) return null;
        switch (t.code()) {
            case 'y': return (long) (((Number) v).byteValue() & 0xFF);
            case 'n', 'i', 'x': return ((Number) v).longValue();
            case 'q': return v instanceof UInt16 u ? (long) u.intValue() : ((Number) v).longValue();
            case 'u': return v instanceof UInt32 u ? u.longValue() : ((Number) v).longValue();
            case 't':
                if (v instanceof UInt64 u) {
                    BigInteger b = u.value();
                    return b.bitLength() <= 63 ? (Object) b.longValue() : b;
                }
                return ((Number) v).longValue();
            case 'd': return ((Number) v).doubleValue();
            case 'b': return v;
            case 's', 'g': return v.toString();
            case 'o': return v instanceof DBusPath p ? p.getPath() : v.toString();
            case 'h':
                // ours now (recvmsg gave it): a channel of its kind, as (recv sock {:fds true}) gives
                if (v instanceof org.freedesktop.dbus.FileDescriptor fd) {
                    return ipcsh.chan.drivers.FdPassing.channels(new int[] {fd.getIntFileDescriptor()}).get(0);
                }
                throw new IpcException(who + ": a unix fd (type h) arrived without its descriptor");
            case 'v':
                if (v instanceof Variant<?> var) return one(who, Signature.single(who, var.getSig()), var.getValue());
                return v;
            case 'a': return array(who, t.item(0), v);
            case '{': {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    out.put(one(who, t.item(0), e.getKey()), one(who, t.item(1), e.getValue()));
                }
                return out;
            }
            case '(': {
                Object[] fields = v instanceof Collection<?> c ? c.toArray() : (Object[]) v;
                List<Object> out = new ArrayList<>(fields.length);
                for (int i = 0; i < fields.length; i++) out.add(one(who, t.item(i), fields[i]));
                return out;
            }
            default: throw new IllegalStateException("type " + t);
        }
    }

    private static Object array(String who, Signature.Type e, Object v) {
        if (e.code() == 'y') {
            if (v instanceof byte[] b) return b;
            Collection<?> c = (Collection<?>) v;
            byte[] b = new byte[c.size()];
            int i = 0;
            for (Object o : c) b[i++] = ((Number) o).byteValue();
            return b;
        }
        List<Object> out = new ArrayList<>();
        if (v instanceof Collection<?> c) {
            for (Object o : c) out.add(one(who, e, o));
        } else {
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) out.add(one(who, e, Array.get(v, i)));
        }
        return out;
    }
}
