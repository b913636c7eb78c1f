package ipcsh.loop;

import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Interrupts;
import ipcsh.chan.TimeoutError;
import ipcsh.os.Signals;
import ipcsh.Callback;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Signal traps: the table of what each trapped signal does, and the one place a signal
 * arrives ({@link #arrived}, on the interpreter thread), whichever {@link SignalWay} brought it:
 * {@link SigInfoForwarding} on x86_64, which knows the sender, or {@link JvmSignalDispatch}.
 * Trap functions run on the interpreter thread like every callback.
 *
 * <p>State is touched on the interpreter thread only.
 */
public final class Traps {
    private record Trap(int sig, String action, Callback f, Throwable at) {}

    private static final Map<Integer, Trap> TRAPS = new TreeMap<>();
    private static final long[] ARRIVED = new long[65];
    private static final Map<Integer, Map<String, Object>> LAST = new HashMap<>();
    private static final Map<Integer, EventLoop.Keeper> KEEPERS = new HashMap<>();
    private static SignalWay way;

    private Traps() {}

    /** Runs f with the signal's map on the interpreter thread each time sig arrives; keeps a script alive. */
    public static void set(int sig, Callback f, Throwable registeredAt) {
        way(sig).handle(sig);
        replace(new Trap(sig, "fn", f, registeredAt));
    }

    /** The signal is ignored (SIG_IGN). */
    public static void ignore(int sig) {
        way(sig).ignore(sig);
        replace(new Trap(sig, "ignore", null, null));
    }

    /** Back to what the shell does without a trap (for INT, TERM, HUP: clean up and exit 128+n). */
    public static void reset(int sig) {
        replace(null, sig);
        if (way != null) way.restore(sig);
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
        Trap before = TRAPS.get(sig);
        boolean temporary = before == null || !"fn".equals(before.action());
        if (temporary) way(sig).handle(sig);
        long seen = ARRIVED[sig];
        try {
            boolean got = EventLoop.main().runUntil(() -> ARRIVED[sig] > seen, timeoutMs, "wait-signal :" + Signals.name(sig));
            if (!got) throw new TimeoutError("wait-signal :" + Signals.name(sig), timeoutMs);
            return new LinkedHashMap<>(LAST.get(sig));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupts.InterruptedError("wait-signal");
        } finally {
            if (temporary) {
                Trap t = TRAPS.get(sig);
                if (t != null && t.action().equals("ignore")) way.ignore(sig);
                else if (t == null) way.restore(sig);
            }
        }
    }

    /**
     * A signal arrived (on the interpreter thread): what a trap function and wait-signal get is
     * {:signal :USR1 :number 10 :pid sender :uid sender's-uid}, pid and uid null when unknown.
     */
    static void arrived(int sig, Long pid, Long uid) {
        if (sig <= 0 || sig >= ARRIVED.length) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("signal", Keyword.of(Signals.name(sig)));
        m.put("number", (long) sig);
        m.put("pid", pid);
        m.put("uid", uid);
        ARRIVED[sig]++;
        LAST.put(sig, m);
        Trap t = TRAPS.get(sig);
        if (t == null || t.f() == null) return;
        try {
            t.f().call(new LinkedHashMap<>(m));
        } catch (ExitRequest e) {
            throw e;
        } catch (Throwable e) {
            // The trap stays: a signal handler that vanished after one error would be a surprise.
            throw new CallbackError("trap :" + Signals.name(sig) + " callback", e, t.at());
        }
    }

    /** The way signals come in, chosen on the first trap; fails first for a signal no trap may take. */
    private static SignalWay way(int sig) {
        String why = Signals.reserved(sig);
        if (why != null) throw new IpcException("trap: cannot trap SIG" + Signals.name(sig) + ": " + why);
        if (way == null) {
            SignalWay native_ = SigInfoForwarding.open();
            way = native_ != null ? native_ : new JvmSignalDispatch();
        }
        return way;
    }

    private static void replace(Trap t) {
        replace(t, t.sig());
    }

    private static void replace(Trap t, int sig) {
        Trap old = t == null ? TRAPS.remove(sig) : TRAPS.put(sig, t);
        boolean held = old != null && old.action().equals("fn");
        boolean holds = t != null && t.action().equals("fn");
        if (held) EventLoop.main().release(KEEPERS.remove(sig));
        if (holds) KEEPERS.put(sig, EventLoop.main().hold("trap", ":" + Signals.name(sig), t.at()));
    }
}
