package ipcsh.chan.drivers;

import ipcsh.os.Errno;
import ipcsh.os.OsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's limits on POSIX message queues, read when mq_open refuses: the error names
 * the limit that said no and its current value, so the user knows which knob to turn.
 */
final class MqLimits {
    private static final String DIR = "/proc/sys/fs/mqueue/";
    /** What a privileged (CAP_SYS_RESOURCE) process may ask for regardless of msg_max / msgsize_max. */
    private static final long HARD_MSGMAX = 65536, HARD_MSGSIZEMAX = 16L * 1024 * 1024;

    private MqLimits() {}

    static long read(String name, long dflt) {
        return ipcsh.os.ProcFiles.number(DIR + name, dflt);
    }

    /** RLIMIT_MSGQUEUE of this process (bytes), from /proc/self/limits; -1 when unknown or unlimited. */
    static long rlimitMsgqueue() {
        try {
            for (String line : ipcsh.os.ProcFiles.read("/proc/self/limits").split("\n")) {
                if (line.startsWith("Max msgqueue size")) {
                    String soft = line.substring("Max msgqueue size".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    /** mq_open's failure as the user should read it. */
    static OsException explain(OsException e, String name, boolean create, long maxMsgs, long msgSize) {
        int errno = e.errno();
        String hint = switch (errno) {
            case Errno.ENOENT -> create ? null : "no such queue; {:create true} makes it";
            case Errno.EEXIST -> "the queue exists already and :exclusive was given";
            case Errno.EACCES -> owner(name);
            case Errno.ENOSPC -> "the system's limit on queues is reached: /proc/sys/fs/mqueue/queues_max is "
                    + read("queues_max", -1);
            case Errno.EMFILE -> {
                long rl = rlimitMsgqueue();
                // the kernel charges each message's header and the priority tree beside the data
                long need = maxMsgs * (msgSize + 48 + 32);
                yield rl < 0 ? "too many open descriptors" : "RLIMIT_MSGQUEUE (ulimit -q) is " + rl
                        + " bytes for this user, and this queue needs about " + need + " bytes (:max-msgs "
                        + maxMsgs + " × :msg-size " + msgSize + " and overhead) on top of the user's other queues";
            }
            case Errno.EINVAL -> invalid(maxMsgs, msgSize);
            default -> null;
        };
        return new OsException("mq", name, errno, hint);
    }

    private static String invalid(long maxMsgs, long msgSize) {
        long msgMax = read("msg_max", -1), sizeMax = read("msgsize_max", -1);
        if (maxMsgs > Math.max(msgMax, HARD_MSGMAX) || (maxMsgs > msgMax && msgMax > 0)) {
            return ":max-msgs " + maxMsgs + " exceeds the limit: /proc/sys/fs/mqueue/msg_max is " + msgMax
                    + " (a privileged process may go up to " + HARD_MSGMAX + ")";
        }
        if (msgSize > Math.max(sizeMax, HARD_MSGSIZEMAX) || (msgSize > sizeMax && sizeMax > 0)) {
            return ":msg-size " + msgSize + " exceeds the limit: /proc/sys/fs/mqueue/msgsize_max is " + sizeMax
                    + " (a privileged process may go up to " + HARD_MSGSIZEMAX + ")";
        }
        return null;
    }

    private static String owner(String name) {
        Path p = Path.of("/dev/mqueue" + name);
        try {
            int uid = (Integer) Files.getAttribute(p, "unix:uid");
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            return String.format("owned by uid %d with mode %04o", uid, mode & 07777);
        } catch (IOException | RuntimeException ex) {
            return null;
        }
    }
}
