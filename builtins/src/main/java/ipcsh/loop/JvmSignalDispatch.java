package ipcsh.loop;

import ipcsh.IpcException;
import ipcsh.os.Signals;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.HashMap;
import java.util.Map;

/**
 * Trapped signals through the JVM's own dispatch (sun.misc.Signal), where ipcsh has no native
 * handler code for the machine ({@link SigInfoForwarding}): a handler runs on a JVM thread made
 * for that one signal and posts it to the {@link EventLoop}. It passes no siginfo, so the
 * sender's pid and uid are unknown.
 */
final class JvmSignalDispatch implements SignalWay {
    /** The handler that was there before ipcsh's (the JVM's, which exits 128+n for INT/TERM/HUP). */
    private final Map<Integer, SignalHandler> original = new HashMap<>();
    private final SignalHandler post = s -> {
        int n = s.getNumber();
        EventLoop.main().post(() -> Traps.arrived(n, null, null));
    };

    @Override
    public void handle(int sig) {
        install(sig, post);
    }

    @Override
    public void ignore(int sig) {
        install(sig, SignalHandler.SIG_IGN);
    }

    @Override
    public void restore(int sig) {
        SignalHandler old = original.remove(sig);
        if (old != null) Signal.handle(new Signal(Signals.name(sig)), old);
    }

    private void install(int sig, SignalHandler h) {
        SignalHandler old;
        try {
            old = Signal.handle(new Signal(Signals.name(sig)), h);
        } catch (IllegalArgumentException e) {
            throw new IpcException("trap: cannot trap SIG" + Signals.name(sig) + ": the JVM reserves it (" + e.getMessage() + ")");
        }
        if (old == SignalHandler.SIG_IGN && h != SignalHandler.SIG_IGN && (sig == Signals.HUP || sig == Signals.INT || sig == Signals.TERM)) {
            Signal.handle(new Signal(Signals.name(sig)), old);
            // The JVM then installs nothing (it honours nohup and the like): say so rather than wait forever.
            throw new IpcException("trap: cannot trap SIG" + Signals.name(sig)
                    + ": it was ignored when the shell started (nohup, or a parent that ignores it), and the JVM keeps it so");
        }
        original.putIfAbsent(sig, old);
    }
}
