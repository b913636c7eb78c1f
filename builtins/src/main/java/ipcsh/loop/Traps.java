package ipcsh.loop;

import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Interrupts;
import ipcsh.chan.TimeoutError;
import ipcsh.os.Signals;
import ipcsh.registry.Callback;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Signal traps. The JVM's own signal dispatch (sun.misc.Signal) is the way in: a handler
 * runs on a JVM thread made for that one signal, and only counts it and posts to the
 * {@link EventLoop}, so trap functions run on the interpreter thread like every callback.
 *
 * <p>Why not signalfd: it only reports signals that every thread of the process blocks, and the
 * JVM starts threads (GC, JIT, its signal dispatcher) whose masks ipcsh does not control, so a
 * signal would still reach one of them. The price: the JVM's dispatch carries no siginfo, so
 * the sender's pid and uid are unknown (nil) in the trap's map.
 *
 * <p>State is touched on the interpreter thread only, except the arrival counters.
 */
public final class Traps {
    private record Trap(int sig, String action, Callback f, Throwable at) {}

    private static final Map<Integer, Trap> TRAPS = new TreeMap<>();
    /** The handler that was there before ipcsh's (the JVM's, which exits 128+n for INT/TERM/HUP). */
    private static final Map<Integer, SignalHandler> ORIGINAL = new HashMap<>();
    private static final AtomicLongArray ARRIVED = new AtomicLongArray(65);
    private static final SignalHandler POST = s -> {
        int n = s.getNumber();
        ARRIVED.incrementAndGet(n);
        EventLoop.main().post(() -> deliver(n));
    };

    private Traps() {}

    /** Runs f with the signal's map on the interpreter thread each time sig arrives; keeps a script alive. */
    public static void set(int sig, Callback f, Throwable registeredAt) {
        install(sig, POST);
        replace(new Trap(sig, "fn", f, registeredAt));
    }

    /** The signal is ignored (SIG_IGN). */
    public static void ignore(int sig) {
        install(sig, SignalHandler.SIG_IGN);
        replace(new Trap(sig, "ignore", null, null));
    }

    /** Back to what the shell does without a trap (for INT, TERM, HUP: clean up and exit 128+n). */
    public static void reset(int sig) {
        replace(null, sig);
        SignalHandler old = ORIGINAL.remove(sig);
        if (old != null) Signal.handle(new Signal(Signals.name(sig)), old);
    }

    /** The traps set now, as data: [{:signal :USR1 :number 10 :action :fn}…]. */
    public static List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Trap t : TRAPS.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("signal", Keyword.of(Signals.name(t.sig())));
            m.put("number", (long) t.sig());
            m.put("action", Keyword.of(t.action()));
            out.add(m);
        }
        return out;
    }

    /**
     * Serves events until sig arrives and returns its map; a timeout (ms, negative: none) and
     * Ctrl-C end the wait with an error. A trap set for sig runs as well.
     */
    public static Map<String, Object> await(int sig, long timeoutMs) {
        boolean temporary = !TRAPS.containsKey(sig) || !"fn".equals(TRAPS.get(sig).action());
        SignalHandler before = temporary ? install(sig, POST) : null;
        long seen = ARRIVED.get(sig);
        try {
            boolean got = EventLoop.main().runUntil(() -> ARRIVED.get(sig) > seen, timeoutMs, "wait-signal :" + Signals.name(sig));
            if (!got) throw new TimeoutError("wait-signal :" + Signals.name(sig), timeoutMs);
            return event(sig);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupts.InterruptedError("wait-signal");
        } finally {
            if (temporary) {
                Trap t = TRAPS.get(sig);
                Signal.handle(new Signal(Signals.name(sig)), t != null && t.action().equals("ignore") ? SignalHandler.SIG_IGN : before);
                if (t == null) ORIGINAL.remove(sig);
            }
        }
    }

    /** What a trap function receives. */
    public static Map<String, Object> event(int sig) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("signal", Keyword.of(Signals.name(sig)));
        m.put("number", (long) sig);
        m.put("pid", null);
        m.put("uid", null);
        return m;
    }

    private static SignalHandler install(int sig, SignalHandler h) {
        String why = Signals.reserved(sig);
        if (why != null) throw new IpcException("trap: cannot trap SIG" + Signals.name(sig) + ": " + why);
        SignalHandler old;
        try {
            old = Signal.handle(new Signal(Signals.name(sig)), h);
        } catch (IllegalArgumentException e) {
            throw new IpcException("trap: cannot trap SIG" + Signals.name(sig) + ": the JVM reserves it (" + e.getMessage() + ")");
        }
        if (old == SignalHandler.SIG_IGN && h != SignalHandler.SIG_IGN && (sig == Signals.HUP || sig == Signals.INT || sig == Signals.TERM)) {
            // The JVM then installs nothing (it honours nohup and the like): say so rather than wait forever.
            throw new IpcException("trap: cannot trap SIG" + Signals.name(sig)
                    + ": it was ignored when the shell started (nohup, or a parent that ignores it), and the JVM keeps it so");
        }
        if (!ORIGINAL.containsKey(sig)) ORIGINAL.put(sig, old);
        return old;
    }

    private static void replace(Trap t) {
        replace(t, t.sig());
    }

    private static void replace(Trap t, int sig) {
        Trap old = t == null ? TRAPS.remove(sig) : TRAPS.put(sig, t);
        boolean held = old != null && old.action().equals("fn");
        boolean holds = t != null && t.action().equals("fn");
        if (holds && !held) EventLoop.main().hold();
        if (held && !holds) EventLoop.main().release();
    }

    private static void deliver(int sig) {
        Trap t = TRAPS.get(sig);
        if (t == null || t.f() == null) return;
        try {
            t.f().call(event(sig));
        } catch (ExitRequest e) {
            throw e;
        } catch (Throwable e) {
            // The trap stays: a signal handler that vanished after one error would be a surprise.
            throw new CallbackError("trap :" + Signals.name(sig) + " callback", e, t.at());
        }
    }
}
