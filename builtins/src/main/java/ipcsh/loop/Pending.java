package ipcsh.loop;

import ipcsh.Keyword;
import ipcsh.chan.drivers.ProcessDriver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Why a script does not end: what keeps the event loop alive (the {@link EventLoop#keepers}:
 * servers, handlers, timers, taps, copies, traps), the children the shell will end when it
 * ends, and what the interpreter thread is doing. As data for the (pending) builtin and as
 * text for SIGQUIT ({@link QuitReport}), which may run while the interpreter thread is blocked;
 * so everything here is read from any thread.
 */
public final class Pending {
    private static volatile Thread interpreter;

    private Pending() {}

    /** The thread that runs user code (the session's): its state is part of the report. */
    public static void interpreter(Thread t) {
        interpreter = t;
    }

    /** Rows {:kind :timer :what "every 1000 ms" :at "job.ipcs:3:1"}, keepers first, then children. */
    public static List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (EventLoop.Keeper k : EventLoop.main().keepers()) out.add(row(k.kind(), k.what(), k.registeredAt()));
        for (ProcessDriver.Child c : ProcessDriver.children()) {
            out.add(row("child", c.command() + " (pid " + c.pid() + ")", c.registeredAt()));
        }
        return out;
    }

    private static Map<String, Object> row(String kind, String what, Throwable at) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", Keyword.of(kind));
        m.put("what", what);
        m.put("at", at == null ? null : CallbackError.where(at));
        return m;
    }

    /** The report SIGQUIT prints: one line per row, aligned, and what the interpreter thread does. */
    public static String report() {
        List<Map<String, Object>> rows = list();
        StringBuilder sb = new StringBuilder("ipcsh " + ProcessHandle.current().pid() + ": ");
        boolean kept = rows.stream().anyMatch(r -> !"child".equals(r.get("kind").toString().substring(1)));
        sb.append(kept ? "kept alive by" : "nothing keeps it alive").append('\n'); // children do not: they end with it
        int kw = 4, ww = 4;
        for (Map<String, Object> r : rows) {
            kw = Math.max(kw, r.get("kind").toString().length() - 1);
            ww = Math.min(60, Math.max(ww, r.get("what").toString().length()));
        }
        for (Map<String, Object> r : rows) {
            String what = r.get("what").toString();
            if (what.length() > 60) what = what.substring(0, 59) + "…";
            sb.append("  ").append(pad(r.get("kind").toString().substring(1), kw)).append("  ").append(pad(what, ww));
            if (r.get("at") != null) sb.append("  ").append(r.get("at"));
            sb.append('\n');
        }
        String state = interpreterState();
        if (state != null) sb.append("  interpreter: ").append(state).append('\n');
        return sb.toString();
    }

    private static String pad(String s, int n) {
        return s.length() >= n ? s : s + " ".repeat(n - s.length());
    }

    /**
     * "blocked in a wait at job.ipcs:7:1", "serving events", "running at ..."; null without an
     * interpreter thread. A wait found on its stack is what a deadlock with the script's own
     * callbacks looks like: they cannot run until it returns.
     */
    static String interpreterState() {
        Thread t = interpreter;
        if (t == null) return null;
        StackTraceElement[] stack = t.getStackTrace();
        boolean waiting = false, serving = false;
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            if (!waiting && c.equals("ipcsh.chan.Waiter")) waiting = true;
            if (c.equals(EventLoop.class.getName()) && (e.getMethodName().equals("run") || e.getMethodName().equals("runUntil"))) {
                serving = true;
                break; // below it: the wait-for or the script runner, not the callback's own wait
            }
        }
        Throwable here = new Throwable("interpreter");
        here.setStackTrace(stack);
        String at = CallbackError.where(here);
        String where = at == null ? "" : " at " + at;
        if (waiting) return "blocked in a wait" + where + " (callbacks cannot run until it returns)";
        if (serving) return "serving events" + where;
        return "running" + where;
    }
}
