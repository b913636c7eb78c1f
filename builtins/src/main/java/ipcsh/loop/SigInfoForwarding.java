package ipcsh.loop;

import ipcsh.IpcException;
import ipcsh.os.LibC;
import ipcsh.os.SigAction;
import ipcsh.os.Signals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Trapped signals through a native SA_SIGINFO handler ({@link LibC#sigInfoForwarder}) that
 * writes each signal's siginfo_t to a non-blocking pipe; the interpreter thread's loop watches
 * the pipe's read end itself ({@link EventLoop#serve}), so a record becomes a trap call with the
 * sender's pid and uid and no thread in between.
 *
 * <p>Why not the JVM's dispatch (sun.misc.Signal): it passes no siginfo, and starts a Java
 * thread for every signal, most of a round trip's cost. Why not signalfd: it needs the signal
 * blocked in every thread, and the JVM's threads, made before ipcsh runs, unblock HUP, INT and
 * TERM. The handler is the whole native part: one write(2) of at most PIPE_BUF bytes is atomic,
 * and on a full pipe the signal is dropped, as the kernel coalesces standard signals anyway.
 *
 * <p>The kernel gives a process's signal to any thread that does not block it, first to the
 * launcher's primordial thread, which then has to wake a second one. So a thread other than the
 * interpreter's that runs the handler leaves it with the signal blocked, and from then on the
 * kernel wakes the interpreter thread itself: one wake-up per signal, as C's sigwaitinfo. (A
 * program started by such a thread would inherit the blocked signal; ipcsh's spawn sets the
 * child's mask, and nothing in ipcsh starts programs with ProcessBuilder.)
 *
 * <p>Only actions the JVM can do without are replaced: the default, SIG_IGN, and the JVM's
 * handler for sun.misc.Signal (shutdown hooks on HUP, INT, TERM; JLine's WINCH). Each signal's
 * first replaced action is kept, byte for byte, and {@link #restore} installs it again.
 */
final class SigInfoForwarding implements SignalWay {
    private static final int BATCH = 32;

    private final int readFd;
    private final long handler;
    private final Set<Long> replaceable = new HashSet<>();
    private final Map<Integer, byte[]> original = new HashMap<>();
    private final byte[] buf = new byte[BATCH * SigAction.SIGINFO_SIZE];

    private SigInfoForwarding(int readFd, long handler) {
        this.readFd = readFd;
        this.handler = handler;
        LibC c = LibC.get();
        replaceable.add(LibC.SIG_DFL);
        replaceable.add(LibC.SIG_IGN);
        replaceable.add(handler);
        // QUIT always carries the JVM's sun.misc.Signal handler (unless -Xrs), HUP, INT, TERM usually do.
        for (int s : new int[] {3, Signals.HUP, Signals.INT, Signals.TERM}) replaceable.add(SigAction.handler(c.sigaction(s, null)));
    }

    /** The forwarding for this process, or null on a machine ipcsh has no handler code for. */
    static SigInfoForwarding open() {
        LibC c = LibC.get();
        int[] p = c.pipe2(LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        long h;
        try {
            h = c.sigInfoForwarder(p[1], c.gettid()); // opened on the interpreter thread, which serves the pipe
        } catch (RuntimeException e) {
            c.close(p[0]);
            c.close(p[1]);
            throw e;
        }
        if (h == 0) {
            c.close(p[0]);
            c.close(p[1]);
            return null;
        }
        // Both ends live as long as the process: the handler's code names the write end.
        SigInfoForwarding f = new SigInfoForwarding(p[0], h);
        EventLoop.main().serve(p[0], f::drain);
        return f;
    }

    @Override
    public void handle(int sig) {
        install(sig, SigAction.of(handler, LibC.SA_SIGINFO | LibC.SA_RESTART));
    }

    @Override
    public void ignore(int sig) {
        install(sig, SigAction.of(LibC.SIG_IGN, 0));
    }

    @Override
    public void restore(int sig) {
        byte[] old = original.remove(sig);
        if (old != null) LibC.get().sigaction(sig, old);
    }

    private void install(int sig, byte[] act) {
        LibC c = LibC.get();
        if (!original.containsKey(sig)) {
            long now = SigAction.handler(c.sigaction(sig, null));
            if (!replaceable.contains(now)) {
                throw new IpcException("trap: cannot trap SIG" + Signals.name(sig)
                        + ": the JVM (or a library in it) has a handler of its own for it");
            }
        }
        byte[] old = c.sigaction(sig, act);
        original.putIfAbsent(sig, old);
    }

    /** Runs on the interpreter thread when the pipe has records: each whole record is one signal. */
    private void drain() {
        int n;
        while ((n = LibC.get().read(readFd, buf, 0, buf.length)) > 0) {
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n).order(ByteOrder.nativeOrder());
            for (int at = 0; at + SigAction.SIGINFO_SIZE <= n; at += SigAction.SIGINFO_SIZE) {
                int sig = b.getInt(at), code = b.getInt(at + 8);
                boolean sent = code == SI_USER || code == SI_QUEUE || code == SI_TKILL || code == SI_MESGQ
                        || (sig == SIGCHLD && code > 0);
                Long pid = sent ? (long) b.getInt(at + SigAction.SI_PID_OFFSET) : null;
                Long uid = sent ? Integer.toUnsignedLong(b.getInt(at + SigAction.SI_UID_OFFSET)) : null;
                try {
                    Traps.arrived(sig, pid, uid);
                } catch (ipcsh.ExitRequest e) {
                    throw e;
                } catch (RuntimeException e) {
                    EventLoop.main().report(e); // the records after it still count
                }
            }
            if (n < buf.length) return;
        }
    }

    /** si_code values whose si_pid and si_uid name a sending process (kill, sigqueue, tgkill, mq_notify). */
    private static final int SI_USER = 0, SI_QUEUE = -1, SI_MESGQ = -3, SI_TKILL = -6, SIGCHLD = 17;
}
