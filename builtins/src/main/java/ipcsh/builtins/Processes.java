package ipcsh.builtins;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.drivers.ProcessDriver;
import ipcsh.chan.drivers.ProcessDriver.Stdio;
import ipcsh.registry.Args;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Spawned processes as channels. */
public final class Processes implements Registry.Group {
    @Override
    public String title() {
        return "Processes";
    }

    @Override
    public void register(Registry r) {
        r.add("spawn", "([cmd & args] [[cmd & args] opts])", """
                Starts a program and returns a process channel: what you write goes to its stdin, what you \
                read comes from its stdout (Tcl's open |cmd r+). (spawn "tr" "a-z" "A-Z") or \
                (spawn ["sh" "-c" "..."] {:stderr :merge}). Options: :stdin and :stdout (:pipe default, \
                :inherit, :null, or a channel), :stderr (:inherit default, :merge into stdout, :null, or \
                a channel), :dir, :env (a map added to the environment), :detach (below), and any channel option. \
                (close ch :write) sends it end of input; (close ch) waits for it and raises an error \
                unless it exited 0. The program is looked up in PATH (spawn: no such program "x" in PATH \
                otherwise; a :dir that is not a directory is named with its errno). \
                Children do not outlive the shell: when it ends (normally, after an error, by (exit n), \
                Ctrl-C, SIGTERM, SIGHUP or SIGINT) each one still running gets SIGTERM, and so do its \
                own children (sh -c "a; b"), then SIGKILL 500 ms later if they have not ended. {:detach true} opts out: the child runs in a session \
                of its own (setsid, so a terminal's Ctrl-C and hang-up do not reach it either) and \
                outlives the shell; give it :stdin/:stdout :null or a file if it must not depend on \
                pipes to the shell.""",
                a -> {
                    if (a.size() == 0) throw a.usage();
                    List<String> argv;
                    Options o;
                    if (a.get(0) instanceof List<?> l) {
                        a.arity(1, 2);
                        argv = new ArrayList<>();
                        for (Object x : l) {
                            if (!(x instanceof String s)) throw a.wrongType(0, "a vector of strings");
                            argv.add(s);
                        }
                        o = a.options(1);
                    } else {
                        argv = a.strings(0, "a command or argument");
                        o = a.options(a.size());
                    }
                    Map<String, String> env = null;
                    if (o.get("env") instanceof Map<?, ?> m) {
                        env = new LinkedHashMap<>();
                        for (Map.Entry<?, ?> e : m.entrySet()) env.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
                    } else if (o.has("env")) {
                        throw new IpcException("spawn: option :env must be a map");
                    }
                    Channel ch = ProcessDriver.spawn(argv, env, o.string("dir", null),
                            Stdio.of(o.get("stdin"), "stdin"), Stdio.of(o.get("stdout"), "stdout"),
                            Stdio.of(o.get("stderr"), "stderr"), o.flag("detach", false));
                    return PipesAndFiles.configureRest(ch, o, "stdin", "stdout", "stderr", "dir", "env", "detach");
                });
        r.add("pid", "([] [ch])", """
                The pid of the process behind a process channel; without an argument, the shell's own pid.""",
                a -> {
                    a.arity(0, 1);
                    if (!a.has(0)) return (long) ipcsh.os.LibC.get().getpid();
                    return (long) process(a).pid();
                });
        r.add("wait", "([ch] [ch timeout-ms])", """
                Waits for the process behind ch to end and returns its exit status (128+n when killed by \
                signal n). Does not close the channel. Bounded by timeout-ms when given (a timeout error when the \
                time is up first), and by Ctrl-C.""",
                a -> {
                    a.arity(1, 2);
                    long t = a.has(1) ? a.integer(1, "a timeout in ms") : -1;
                    return (long) process(a).waitFor(t);
                });
    }

    private static ProcessDriver process(Args a) {
        Channel ch = a.channel(0);
        if (ch.driver() instanceof ProcessDriver p) return p;
        throw a.wrongType(0, "a process channel (from spawn)");
    }
}
