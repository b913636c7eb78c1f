package ipcsh;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * The one rule per kind of value a user hands a builtin: durations, sizes, counts, flags.
 * The registry's {@code Args}/{@code Options} and the channel's {@code configure} both check
 * through here (the channel layer sits below the registry), so a timeout means the same
 * wherever it is given. Errors name who was called and what was wrong: "sleep: ms must be 0 or
 * more, not -5".
 *
 * <p>A number is whole when it is an integer of any width, or a float with no fraction (JS
 * numbers arrive as doubles when they do not fit a long); anything else is a type error, never
 * truncated or wrapped.
 */
public final class ArgCheck {
    /**
     * The longest duration, 2147483647 ms (about 24.9 days): poll(2) takes an int of ms, and it
     * is JavaScript's setTimeout limit too.
     */
    public static final long MAX_MS = Integer.MAX_VALUE;
    /** The largest buffer, frame or single read, 1 GiB: one Java array must hold it. */
    public static final long MAX_BUFFER = 1L << 30;

    private ArgCheck() {}

    /** A duration in ms, 0 to {@link #MAX_MS}. */
    public static long duration(String who, String what, Object v) {
        return whole(who, what, v, 0, MAX_MS, "milliseconds");
    }

    /** A size in bytes, min to max. */
    public static long size(String who, String what, Object v, long min, long max) {
        return whole(who, what, v, min, max, "bytes");
    }

    /** A count of things (characters, connections...), min to max. */
    public static long count(String who, String what, Object v, long min, long max) {
        return whole(who, what, v, min, max, null);
    }

    /** true or false, nothing else (not nil, not "yes"). */
    public static boolean bool(String who, String what, Object v) {
        if (v instanceof Boolean b) return b;
        throw new IpcException(who + ": " + what + " must be true or false, not " + describe(v));
    }

    /** A whole number from min to max; unit names what it counts in the type error ("milliseconds"). */
    public static long whole(String who, String what, Object v, long min, long max, String unit) {
        if (v instanceof Long l && l >= min && l <= max) return l; // the usual case, checked without a BigInteger
        BigInteger n = wholeValue(v);
        if (n == null) {
            throw new IpcException(who + ": " + what + " must be a whole number" + (unit == null ? "" : " of " + unit)
                    + " (" + min + (max == Long.MAX_VALUE ? " or more" : " to " + max) + "), not " + describe(v));
        }
        if (n.compareTo(BigInteger.valueOf(min)) < 0) {
            throw new IpcException(who + ": " + what + " must be " + min + " or more, not " + n);
        }
        if (n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new IpcException(who + ": " + what + " must be at most " + max + human(max, unit) + ", not " + n);
        }
        return n.longValue();
    }

    /** A limit in the unit people think in: " ms (about 24.9 days)", " bytes (1 GiB)". */
    private static String human(long max, String unit) {
        if (unit == null) return "";
        if (unit.equals("milliseconds")) {
            return max < 86_400_000L ? " ms" : String.format(java.util.Locale.ROOT, " ms (about %.1f days)", max / 86_400_000.0);
        }
        if (unit.equals("bytes") && max >= 1024 && Long.bitCount(max) == 1) {
            int shift = Long.numberOfTrailingZeros(max);
            return " bytes (" + (1L << (shift % 10)) + " " + new String[] {"", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}[shift / 10] + ")";
        }
        return " " + unit;
    }

    /** v as an exact integer, or null when it is not a whole number. */
    private static BigInteger wholeValue(Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return BigInteger.valueOf(((Number) v).longValue());
        }
        if (v instanceof BigInteger b) return b;
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d) || d != Math.rint(d)) return null;
            return new BigDecimal(d).toBigInteger();
        }
        if (v instanceof BigDecimal d) {
            try {
                return d.toBigIntegerExact();
            } catch (ArithmeticException e) {
                return null;
            }
        }
        // clojure.lang.BigInt and other Number types: exact only through their text
        if (v instanceof Number n) {
            try {
                return new BigDecimal(n.toString().replaceAll("[NM]$", "")).toBigIntegerExact();
            } catch (ArithmeticException | NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * s itself, unless it holds a NUL byte: a name, path, program or argument ends at its first
     * NUL once it is a C string, so "/x\0y" would open "/x" and "echo\0-evil" run echo. The
     * argument layer refuses it naming the builtin and the argument; the native boundary refuses
     * it again, naming the call, with the same words.
     */
    public static String noNul(String who, String what, String s) {
        int i = s == null ? -1 : s.indexOf('\0');
        if (i < 0) return s;
        throw new IpcException(who + ": " + what + " \"" + s.replace("\0", "\\0") + "\" has a NUL byte at index " + i
                + ", where the OS would cut it short: names, paths, programs and arguments cannot hold NUL");
    }

    /**
     * The one error for an option a builtin does not take, naming the builtin (who), the option
     * and every option it does take: its own, then the channel's common ones when it opens a
     * channel ("fifo: unknown option :bogus (options: :create :mode, and the channel's :blocking ...)").
     */
    public static IpcException unknownOption(String who, String key, List<String> own, List<String> channel) {
        String known = own.isEmpty() && channel.isEmpty() ? "it takes none"
                : "options: " + words(own) + (own.isEmpty() || channel.isEmpty() ? "" : ", and the channel's ") + words(channel);
        return new IpcException(who + ": unknown option :" + key + " (" + known + ")");
    }

    private static String words(List<String> names) {
        return names.isEmpty() ? "" : ":" + String.join(" :", names);
    }

    /** A value as an error message shows it: nil, the string "x", 5, the keyword :k, a map... */
    public static String describe(Object v) {
        if (v == null) return "nil";
        if (v instanceof String s) return "the string \"" + s + "\"";
        if (v instanceof Keyword k) return "the keyword " + k;
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isNaN(d) && !Double.isInfinite(d) && d == Math.rint(d) && Math.abs(d) >= 1e15) {
                return "the number " + new BigDecimal(d).toPlainString();
            }
        }
        if (v instanceof Number n) return "the number " + n;
        if (v instanceof Boolean b) return b.toString();
        if (v instanceof byte[] b) return "a byte array of " + b.length;
        if (v instanceof Callback) return "a function";
        if (v instanceof Map<?, ?>) return "a map";
        if (v instanceof List<?>) return "a list";
        String shown = v.toString();
        return shown.startsWith("#<") ? shown : "a " + v.getClass().getSimpleName();
    }
}
