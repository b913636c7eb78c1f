package ipcsh.os;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct sigaction and siginfo_t as bytes, the forms {@link LibC#sigaction} and
 * {@link LibC#sigInfoForwarder} take and give: plain Java, as {@link SockAddr} is for addresses.
 * The layouts are the same on x86_64 and aarch64 glibc.
 */
public final class SigAction {
    /** sizeof(struct sigaction), and where sa_flags sits (sa_handler is at 0). */
    public static final int SIZE = 152, FLAGS_OFFSET = 136;
    /** sizeof(siginfo_t), and where si_pid and si_uid sit for kill(2), sigqueue(3) and the kernel's SIGCHLD. */
    public static final int SIGINFO_SIZE = 128, SI_PID_OFFSET = 16, SI_UID_OFFSET = 20;

    private SigAction() {}

    /** A struct sigaction with handler (or {@link LibC#SIG_DFL}, {@link LibC#SIG_IGN}), flags and an empty sa_mask. */
    public static byte[] of(long handler, int flags) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        b.putLong(0, handler).putInt(FLAGS_OFFSET, flags);
        return b.array();
    }

    /** The sa_handler (or sa_sigaction) of a struct sigaction from {@link LibC#sigaction}. */
    public static long handler(byte[] act) {
        return ByteBuffer.wrap(act).order(ByteOrder.nativeOrder()).getLong(0);
    }
}
