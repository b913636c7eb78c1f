package ipcsh.groups;

import ipcsh.RegisteredAt;
import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.drivers.ProcessDriver;
import ipcsh.loop.Traps;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;
import ipcsh.os.Signals;
import ipcsh.registry.Args;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sending signals and trapping them (TclX's kill and signal). */
public final class SignalBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "Signals";
    }

    @Override
    public void register(Registry r) {
        r.add("kill", "([pid] [pid sig] [pid sig opts])", """
                Sends signal sig (default :TERM) to pid, or to the process behind a process channel. sig is \
                a keyword (:TERM, :USR1; :SIGUSR1 works too), a name or a number. Signal 0 sends nothing and \
                tests whether the process exists: true or false (true also for another user's process). \
                A negative pid, or {:group true}, signals the process group. Returns true; a process that \
                does not exist (ESRCH) or may not be signalled (EPERM) is an error. The receiver learns who \
                sent it: another ipcsh's trap map gets this shell's :pid and real :uid. A signal the JVM \
                reserves (the ones trap refuses: QUIT, USR2, SEGV...) is refused when it would reach the \
                shell itself (its own pid or process group), before anything is sent.""",
                a -> {
                    a.arity(1, 3);
                    int sig = a.has(1) && a.get(1) != null ? Signals.number(a.get(1), "kill", true) : Signals.TERM;
                    Options o = a.options(2).only("group");
                    if (a.get(0) instanceof Channel ch && ch.driver() instanceof ProcessDriver p && !o.flag("group", false)) {
                        // through the channel: an ended child is known as such, its pid never reused by mistake
                        if (sig == 0) return p.alive();
                        p.signal(sig, "kill");
                        return true;
                    }
                    int pid = target(a);
                    if (o.flag("group", false) && pid > 0) pid = -pid;
                    String why = Signals.reservedForSelf(sig);
                    if (why != null && reachesSelf(pid)) {
                        throw new IpcException("kill: will not send SIG" + Signals.name(sig) + " to "
                                + (pid < 0 ? "the shell's own process group" : "the shell itself") + ": " + why
                                + " (trap refuses it too; see (signals))");
                    }
                    try {
                        LibC.get().kill(pid, sig);
                    } catch (OsException e) {
                        if (sig == 0 && e.errno() == Errno.ESRCH) return false;
                        if (sig == 0 && e.errno() == Errno.EPERM) return true;
                        throw new OsException("kill", (pid < 0 ? "process group " + -pid : "pid " + pid)
                                + (sig == 0 ? "" : " SIG" + Signals.name(sig)), e.errno());
                    }
                    return true;
                }).returns("boolean");
        r.add("signals", "([])", """
                Every signal as data: a vector of {:signal :HUP :number 1 :trap :fn} maps (:trap is the \
                trap set for it: :fn, :ignore, or nil), and :reserved with the reason when this shell \
                cannot trap it.""",
                a -> {
                    a.arity(0, 0);
                    Map<Long, Object> traps = new LinkedHashMap<>();
                    for (Map<String, Object> t : Traps.list()) traps.put((Long) t.get("number"), t.get("action"));
                    List<Map<String, Object>> out = new ArrayList<>();
                    for (int i = 1; i <= Signals.count(); i++) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("signal", Keyword.of(Signals.name(i)));
                        m.put("number", (long) i);
                        m.put("trap", traps.get((long) i));
                        m.put("reserved", Signals.reserved(i));
                        out.add(m);
                    }
                    return out;
                }).returns("any");
        r.add("trap", "([] [sig f] [sig action])", """
                Runs (f {:signal :USR1 :number 10 :pid 4242 :uid 1000}) on the interpreter thread, through \
                the event loop, each time signal sig arrives (never inside a signal handler); f may take no \
                arguments. :pid and :uid are the sender's process id and real user id (for :CHLD, the \
                child's). They are nil when no process sent it: the kernel's own signals (Ctrl-C, hang-up \
                or resize from a terminal, a timer); and always nil on machines other than x86-64, where \
                ipcsh receives signals through the JVM's dispatch, which does not pass the sender on. \
                A trap keeps a script alive; an error in f is reported and the trap stays. \
                (trap sig :ignore) ignores the signal (children spawned later inherit that, except for HUP, INT, QUIT, PIPE and TERM, which spawn resets); (trap sig :default) or (trap sig nil) restores what \
                the shell does without a trap: for :INT, :TERM and :HUP a script removes its temporary \
                objects (FIFOs it made, socket files) and exits 128+n (143 for TERM). (trap) lists the \
                traps as data. QUIT (the shell's: it prints what keeps the shell alive, see pending), \
                SEGV, BUS, FPE, ILL, USR2 (thread suspension), PIPE and XFSZ (the JVM's) and KILL, STOP \
                (the kernel's) cannot be trapped: the error says why.""",
                a -> {
                    a.arity(0, 2);
                    if (a.size() == 0) return Traps.list();
                    if (a.size() == 1) throw a.usage();
                    int sig = Signals.number(a.get(0), "trap", false);
                    Object act = a.get(1);
                    if (act == null) {
                        Traps.reset(sig);
                    } else if (act instanceof Keyword || act instanceof String) {
                        String w = a.word(1, ":ignore or :default");
                        switch (w) {
                            case "ignore" -> Traps.ignore(sig);
                            case "default" -> Traps.reset(sig);
                            default -> throw a.wrongType(1, "a function, :ignore or :default");
                        }
                    } else {
                        Traps.set(sig, a.callback(1), RegisteredAt.here("trap :" + Signals.name(sig)));
                    }
                    return null;
                }).returns("any");
        r.add("wait-signal", "([sig] [sig opts])", """
                Serves events until signal sig arrives, then returns its map {:signal :HUP :number 1 :pid 4242 \
                :uid 1000}, as a trap function gets it: the sender's pid and real uid, nil when the kernel \
                raised the signal or off x86-64 (see trap). {:timeout ms} bounds the wait (a timeout \
                error); Ctrl-C breaks it. A trap set for sig runs too.""",
                a -> {
                    a.arity(1, 2);
                    int sig = Signals.number(a.get(0), "wait-signal", false);
                    Options o = a.options(1).only("timeout");
                    return Traps.await(sig, o.duration("timeout", -1));
                }).returns("any");
    }

    /** Whether signalling pid (negative: a process group) reaches this shell. */
    private static boolean reachesSelf(int pid) {
        int self = LibC.get().getpid();
        if (pid > 0) return pid == self;
        try {
            // /proc/self/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses
            String stat = ipcsh.os.ProcFiles.read("/proc/self/stat");
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(f[2]) == -pid;
        } catch (java.io.IOException | RuntimeException e) {
            return true; // cannot tell: refuse rather than risk it
        }
    }

    private static int target(Args a) {
        if (a.get(0) instanceof Channel ch) {
            if (ch.driver() instanceof ProcessDriver p) return p.pid();
            throw a.wrongType(0, "a pid or a process channel (from spawn)");
        }
        long pid = a.integer(0, "a pid or a process channel");
        if (pid == 0 || pid == -1 || Math.abs(pid) > Integer.MAX_VALUE) {
            throw a.wrongType(0, "a pid (0 and -1 would signal every process of yours)");
        }
        return (int) pid;
    }
}
