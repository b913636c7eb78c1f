package ipcsh.os;

import ipcsh.IpcException;
import ipcsh.Keyword;

import java.util.Locale;

/**
 * Linux signal names and numbers (x86_64 and aarch64 share them), and the ones a JVM process
 * must leave alone. A signal is named by a keyword (:TERM, :SIGTERM), a string or a number.
 */
public final class Signals {
    private static final String[] NAMES = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
        "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
        "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
    public static final int HUP = 1, INT = 2, KILL = 9, USR1 = 10, USR2 = 12, TERM = 15;

    private Signals() {}

    /** Every named signal, in number order. */
    public static int count() {
        return NAMES.length - 1;
    }

    /** The name without SIG (TERM), or "SIGRTMIN+n"-style for the others. */
    public static String name(int sig) {
        if (sig > 0 && sig < NAMES.length) return NAMES[sig];
        if (sig >= 34 && sig <= 64) return "RTMIN+" + (sig - 34);
        return String.valueOf(sig);
    }

    /**
     * The number of a signal named by a keyword, string or number; 0 is allowed when
     * allowZero (kill's existence check). Unknown names fail naming the caller.
     */
    public static int number(Object spec, String caller, boolean allowZero) {
        if (spec instanceof Number n) {
            long v = n.longValue();
            if ((v == 0 && allowZero) || (v > 0 && v <= 64 && v != 32 && v != 33)) return (int) v;
            throw new IpcException(caller + ": no signal number " + v + " (1-31, 34-64" + (allowZero ? ", or 0 to test" : "") + ")");
        }
        String s = Keyword.word(spec);
        if (s == null) throw new IpcException(caller + ": a signal is a keyword (:TERM), a name or a number, not " + spec);
        String u = s.toUpperCase(Locale.ROOT);
        if (u.startsWith("SIG")) u = u.substring(3);
        for (int i = 1; i < NAMES.length; i++) if (NAMES[i].equals(u)) return i;
        throw new IpcException(caller + ": unknown signal :" + s + " (see (signals))");
    }

    /**
     * Why a signal cannot be trapped in this process, or null when it can: the kernel never
     * delivers KILL and STOP to a handler, and the JVM (JDK 25's HotSpot, seen with sigaction(2)) has
     * handlers of its own for the synchronous fault signals, QUIT, USR2 (thread suspension), PIPE and XFSZ.
     */
    /**
     * Why the shell must not send sig to itself (its own pid or process group), or null: the
     * JVM's signals of {@link #reserved} (a stray USR2 makes HotSpot print "stray SR signal",
     * SEGV one a crash report). KILL and STOP are the kernel's and do what they say.
     */
    public static String reservedForSelf(int sig) {
        return sig == KILL || sig == 19 ? null : reserved(sig);
    }

    public static String reserved(int sig) {
        return switch (sig) {
            case KILL, 19 -> "the kernel does not let a process catch SIG" + name(sig);
            case 11, 7, 8, 4 -> "the JVM uses SIG" + name(sig) + " for its own faults (null checks, stack banging)";
            case 3 -> "the shell uses SIGQUIT (Ctrl-\\) to print what keeps it alive, as (pending) lists it";
            case USR2 -> "the JVM uses SIGUSR2 to suspend and resume threads (JFR's sampling)";
            case 13 -> "the JVM handles SIGPIPE itself (a write to a closed pipe or socket fails with EPIPE instead)";
            case 25 -> "the JVM handles SIGXFSZ itself (a write past the file size limit fails with EFBIG instead)";
            default -> null;
        };
    }
}
