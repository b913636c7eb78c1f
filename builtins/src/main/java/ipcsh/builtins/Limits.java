package ipcsh.builtins;

import ipcsh.IpcException;

/**
 * The checks of issue 9's durations and sizes, in one place until the registry's typed
 * validators (Options/Args) take them over: each fails before any side effect or wait.
 */
final class Limits {
    private Limits() {}

    /** A timeout in ms: 0 or more; -1 (absent) passes through as "no limit". */
    static long timeout(String builtin, long ms, boolean given) {
        if (given && ms < 0) throw new IpcException(builtin + ": option :timeout must be 0 or more ms, not " + ms);
        return ms;
    }

    /** A byte count within 1..1 GiB. */
    static long bytes(String builtin, String key, long n) {
        if (n < 1 || n > (1 << 30)) throw new IpcException(builtin + ": option :" + key + " must be 1..1073741824 bytes, not " + n);
        return n;
    }
}
