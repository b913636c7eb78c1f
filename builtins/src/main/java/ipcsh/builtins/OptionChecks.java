package ipcsh.builtins;

import ipcsh.IpcException;
import ipcsh.registry.Options;

/**
 * The checks on sizes, counts, modes and timeouts of the IPC builtins' options, in one place, before
 * any side effect: a value out of range is an error naming the builtin, the option and what
 * it may be.
 */
final class OptionChecks {
    private OptionChecks() {}

    /** A positive integer option, or dflt when absent. */
    static long positive(String b, Options o, String key, long dflt) {
        if (!o.has(key)) return dflt;
        long v = o.integer(key, dflt);
        if (v <= 0) throw new IpcException(b + ": :" + key + " must be a positive integer, not " + v);
        return v;
    }

    static long nonNegative(String b, Options o, String key, long dflt, long max) {
        if (!o.has(key)) return dflt;
        long v = o.integer(key, dflt);
        if (v < 0 || v > max) throw new IpcException(b + ": :" + key + " must be 0.." + max + ", not " + v);
        return v;
    }

    /** :mode, permission bits, default 0600. */
    static int mode(String b, Options o) {
        long m = o.integer("mode", 0600);
        if (m < 0 || m > 0777) throw new IpcException(b + ": :mode must be permission bits 0..0777, not " + m);
        return (int) m;
    }

    /** :timeout in ms, -1 (none) when absent or nil. */
    static long timeout(String b, Options o) {
        if (o.get("timeout") == null) return -1;
        long t = o.integer("timeout", -1);
        if (t < 0) throw new IpcException(b + ": :timeout must be 0 or more ms, not " + t);
        return t;
    }
}
