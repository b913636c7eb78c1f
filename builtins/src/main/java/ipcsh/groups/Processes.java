package ipcsh.groups;

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
                pipes to the shell. \
                With {:pty true} the child runs on a new pseudo-terminal, its controlling terminal in a \
                session of its own, with stdin, stdout and stderr on it: prompting and line-buffered \
                programs (python3 -i, getpass prompts, ssh-like tools) behave as with a person, and \
                (configure ch :tty) names it. Terminal options, at spawn or later with configure: :rows and \
                :cols (default 24x80; a change sends the child SIGWINCH), :echo (false: what is sent is \
                not echoed back) and :raw (true: no line editing, no echo, no signal keys). On a pty \
                (close ch :write) sends the end-of-file key (Ctrl-D), and closing the channel hangs up \
                the terminal (the child gets SIGHUP; a child that this ends is not an error). \
                :fds gives the child more descriptors: {:fds {3 ch}} makes its descriptor 3 a copy of \
                ch's (keys 3 to 1023; a channel with one descriptor, such as a socketpair end, an \
                eventfd, a pipe end or a socket, or a memfd segment). The child gets those and 0, 1 \
                and 2, and no other descriptor of the shell's. A channel given is handed over: the \
                child gets it blocking, as programs expect, and the shell's channel over it is closed \
                once the child runs (non-blocking is a flag of the open file, which both copies \
                share), so a socketpair end's other side sees end of stream when the child ends. An \
                eventfd stays open on both sides, non-blocking (a child that reads it waits for it \
                with select or poll first).""",
                a -> {
                    if (a.size() == 0) throw a.usage();
                    List<String> argv;
                    Options o;
                    if (a.get(0) instanceof List<?>) {
                        a.arity(1, 2);
                        argv = a.stringList(0, "a vector of strings");
                        o = a.options(1);
                    } else {
                        argv = a.strings(0, "a command or argument");
                        o = a.options(a.size());
                    }
                    Channel.checkOptions("spawn", o.map(), "stdin", "stdout", "stderr", "dir", "env", "detach", "pty", "rows", "cols",
                            "echo", "raw", "fds");
                    Descriptors.Given fds = Descriptors.childFds(o.get("fds"));
                    Map<String, String> env = o.stringMap("env");
                    String dir = o.string("dir", null);
                    if (o.flag("pty", false)) {
                        for (String k : List.of("stdin", "stdout", "stderr")) {
                            if (o.has(k)) throw new IpcException("spawn: :" + k + " cannot be set with :pty (the terminal is all three)");
                        }
                        if (!fds.fds().isEmpty()) throw new IpcException("spawn: :fds cannot be given with :pty");
                        Map<String, Object> term = new LinkedHashMap<>();
                        for (String k : List.of("rows", "cols", "echo", "raw")) if (o.has(k)) term.put(k, o.get(k));
                        Channel ch = ProcessDriver.spawnPty(argv, env, dir, term);
                        return PipesAndFiles.configureRest(ch, o, "pty", "rows", "cols", "echo", "raw", "dir", "env");
                    }
                    Stdio in = Stdio.of(o.get("stdin"), "stdin"), out = Stdio.of(o.get("stdout"), "stdout"),
                            err = Stdio.of(o.get("stderr"), "stderr");
                    boolean detach = o.flag("detach", false);
                    fds.blocking();
                    Channel ch;
                    try {
                        ch = ProcessDriver.spawn(argv, env, dir, in, out, err, detach, fds.fds());
                    } catch (RuntimeException e) {
                        fds.takeBack();
                        throw e;
                    }
                    fds.handOver();
                    return PipesAndFiles.configureRest(ch, o, "stdin", "stdout", "stderr", "dir", "env", "detach", "fds");
                }).returns("Channel");
        r.add("pid", "([] [ch])", """
                The pid of the process behind a process channel; without an argument, the shell's own pid.""",
                a -> {
                    a.arity(0, 1);
                    if (!a.has(0)) return (long) ipcsh.os.LibC.get().getpid();
                    return (long) process(a).pid();
                }).returns("number");
        r.add("wait", "([ch] [ch opts])", """
                Waits for the process behind ch to end and returns its exit status, or {:signal :TERM \
                :number 15} when a signal ended it. Does not close the channel. {:timeout ms} (or a plain \
                number of ms, 0 to 2147483647) bounds the wait: a timeout error when the time is up first; Ctrl-C breaks it.""",
                a -> {
                    a.arity(1, 2);
                    long t = a.get(1) instanceof Number ? a.duration(1, "timeout-ms")
                            : a.options(1).only("timeout").duration("timeout", -1);
                    ProcessDriver p = process(a);
                    p.waitFor(t);
                    return p.result();
                }).returns("any");
        r.add("signal", "([ch] [ch sig])", """
                Sends signal sig (default :TERM; a keyword, name or number as for kill) to the process \
                behind a process channel. A process that has already ended is an error (its pid may be \
                another's by now). Returns true.""",
                a -> {
                    a.arity(1, 2);
                    ProcessDriver p = process(a);
                    int sig = a.has(1) ? ipcsh.os.Signals.number(a.get(1), "signal", false) : ipcsh.os.Signals.TERM;
                    p.signal(sig, "signal");
                    return true;
                }).returns("boolean");
        r.add("alive?", "([ch])", """
                Whether the process behind a process channel still runs.""",
                a -> {
                    a.arity(1, 1);
                    return process(a).alive();
                }).returns("boolean");
        r.add("interact", "([ch] [ch opts])", """
                Hands the terminal to ch (Expect's interact): what you type goes to it as typed (Ctrl-C \
                too: the terminal is in raw mode meanwhile), what it writes is shown, until it ends \
                (returns :eof) or you type the escape key (returns :escape; then the dialogue can go \
                on with expect). The escape key is Ctrl-] unless {:escape "\\u0001"} names another \
                (one character). A pty child gets the terminal's size first. Works in the REPL and in \
                scripts run from a terminal; without one, stdin is copied as it comes.""",
                a -> {
                    Channel ch = a.arity(1, 2).channel(0);
                    String esc = a.options(1).only("escape").text("escape", "\u001d");
                    if (esc.length() != 1 || esc.charAt(0) > 0x7f) {
                        throw new IpcException("interact: option :escape must be one ASCII character, not \"" + esc + "\"");
                    }
                    return ipcsh.chan.Interact.run(ch, (byte) esc.charAt(0));
                }).returns("string");
        r.add("exec", "([cmd & args] [[cmd & args] opts])", """
                Runs a program to completion and returns {:exit n :out "…" :err "…"} (Tcl's exec; \
                :signal :TERM is added when a signal ended it, and :exit is then 128+n). A failing \
                status is data, not an error. Options: :in (a string or bytes for its stdin; without it \
                stdin is /dev/null), :dir, :env (a map added to the environment), :timeout (ms: then the \
                program is killed and an error raised; Ctrl-C does the same), :binary (true: :out and \
                :err are bytes). Example: (:out (exec "uname" "-r")).""",
                a -> {
                    if (a.size() == 0) throw a.usage();
                    List<String> argv;
                    Options o;
                    if (a.get(0) instanceof List<?>) {
                        a.arity(1, 2);
                        argv = command(a, a.get(0), 0);
                        o = a.options(1);
                    } else {
                        int n = a.get(a.size() - 1) instanceof Map<?, ?> ? a.size() - 1 : a.size();
                        argv = new ArrayList<>();
                        for (int i = 0; i < n; i++) argv.add(a.string(i, "a command or argument"));
                        o = a.options(n);
                    }
                    return runStages(a, List.of(argv), o);
                }).returns("any");
        r.add("pipeline", "([& stages] [& stages opts])", """
                Runs commands joined by pipes, like a shell's a | b | c, to completion: each stage is a \
                vector [cmd arg…]. Returns {:exit n :out "…" :err "…" :statuses [s1 s2 …]}: :out is the \
                last stage's output, :err every stage's stderr, :statuses each stage's exit status in \
                order (bash's PIPESTATUS; 128+n for signal n) and :exit the last one's. An options map \
                at the end takes exec's options (:in feeds the first stage). Example: \
                (pipeline ["grep" "x"] ["wc" "-l"] {:in "x\\ny\\nx\\n"}) has :out "2\\n". Every stage's program \
                is looked up in PATH, and :dir checked, before the first stage starts: a missing one is \
                an error naming it, and nothing has run.""",
                a -> {
                    if (a.size() == 0) throw a.usage();
                    int n = a.get(a.size() - 1) instanceof Map<?, ?> ? a.size() - 1 : a.size();
                    if (n == 0) throw a.usage();
                    List<List<String>> stages = new ArrayList<>();
                    for (int i = 0; i < n; i++) stages.add(command(a, a.get(i), i));
                    return runStages(a, stages, a.options(n));
                }).returns("any");
    }

    private static List<String> command(Args a, Object v, int i) {
        if (!(v instanceof List<?> l) || l.isEmpty()) throw a.wrongType(i, "a command vector [cmd arg…]");
        return a.stringList(i, "a command vector [cmd arg…]");
    }

    private static Object runStages(Args a, List<List<String>> stages, Options o) {
        o.only("in", "dir", "env", "timeout", "binary");
        Object in = o.get("in");
        byte[] input = in == null ? null : in instanceof byte[] b ? b
                : in instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8) : null;
        if (in != null && input == null) throw new IpcException(a.name() + ": option :in must be a string or bytes, not " + Args.describe(in));
        long timeout = o.duration("timeout", -1);
        return ipcsh.chan.drivers.Exec.run(a.name(), stages, input, o.stringMap("env"), o.string("dir", null), timeout,
                o.flag("binary", false));
    }

    private static ProcessDriver process(Args a) {
        Channel ch = a.channel(0);
        if (ch.driver() instanceof ProcessDriver p) return p;
        throw a.wrongType(0, "a process channel (from spawn)");
    }
}
