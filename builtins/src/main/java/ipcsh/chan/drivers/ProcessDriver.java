package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.FdDriver;
import ipcsh.chan.Waiter;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A spawned process seen as one channel (Tcl's {@code open |cmd r+}): writes go to its
 * stdin, reads come from its stdout. Closing waits for it and reports a failure status.
 */
public final class ProcessDriver extends FdDriver {
    private static final String[] SIGNALS = {"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};

    private final int pid;
    private final String command;
    private final String tty; // the slave's path when the child runs on our pseudo-terminal
    private Integer status; // exit code, or 128+signal
    private int termSignal;
    private String outcome;

    /** A child the shell started and will end with it, and where the script started it. */
    public record Child(long pid, String command, Throwable registeredAt) {}

    /** The children still running that end with the shell, oldest first (not the detached ones). */
    public static List<Child> children() {
        return Children.list();
    }

    private ProcessDriver(int rfd, int wfd, int pid, String command, String tty) {
        super(rfd, wfd);
        this.pid = pid;
        this.command = command;
        this.tty = tty;
    }

    /** Where a child's standard stream goes: a pipe to us, ours, /dev/null, or another descriptor. */
    public record Stdio(String how, int fd) {
        public static final Stdio PIPE = new Stdio("pipe", -1), INHERIT = new Stdio("inherit", -1),
                NULL = new Stdio("null", -1), MERGE = new Stdio("merge", -1);

        public static Stdio of(Object spec, String stream) {
            if (spec == null) return stream.equals("stderr") ? INHERIT : PIPE;
            if (spec instanceof Channel ch) {
                int fd = stream.equals("stdin") ? ch.readFd() : ch.writeFd();
                if (fd < 0) throw new IpcException("spawn: " + ch.describe() + " cannot be the child's " + stream);
                return new Stdio("fd", fd);
            }
            String w = Keyword.word(spec);
            return switch (w == null ? "" : w) {
                case "pipe" -> PIPE;
                case "inherit" -> INHERIT;
                case "null" -> NULL;
                case "merge" -> {
                    if (!stream.equals("stderr")) throw new IpcException("spawn: :merge applies to :stderr only");
                    yield MERGE;
                }
                default -> throw new IpcException("spawn: " + stream + " must be :pipe, :inherit, :null"
                        + (stream.equals("stderr") ? ", :merge" : "") + " or a channel, not " + spec);
            };
        }
    }

    public static Channel spawn(List<String> argv, Map<String, String> env, String dir,
                                Stdio in, Stdio out, Stdio err) {
        return spawn(argv, env, dir, in, out, err, false);
    }

    /**
     * Starts argv. Unless detached, the child is ended with the shell ({@link Children}); a
     * detached child gets a session of its own and outlives the shell.
     */
    public static Channel spawn(List<String> argv, Map<String, String> env, String dir,
                                Stdio in, Stdio out, Stdio err, boolean detach) {
        return spawn(argv, env, dir, in, out, err, detach, Map.of());
    }

    /**
     * As above, and the child gets descriptor k as a copy of our descriptor fds.get(k) (k from
     * 3 up): a socketpair end, an eventfd, a memfd. It gets no other descriptor of ours.
     */
    public static Channel spawn(List<String> argv, Map<String, String> env, String dir,
                                Stdio in, Stdio out, Stdio err, boolean detach, Map<Integer, Integer> fds) {
        if (argv.isEmpty()) throw new IpcException("spawn: no command given");
        if (dir != null) ProgramCheck.directory("spawn", dir);
        LibC c = LibC.get();
        List<Integer> toClose = new ArrayList<>();
        int ourIn = -1, ourOut = -1;
        try {
            int[] stdio = {-1, -1, -1};
            if (in == Stdio.PIPE) {
                int[] p = c.pipe2(LibC.O_CLOEXEC);
                stdio[0] = p[0];
                toClose.add(p[0]);
                ourIn = p[1];
                setNonBlocking(ourIn);
            } else {
                stdio[0] = childFd(in, LibC.O_RDONLY, toClose);
            }
            if (out == Stdio.PIPE) {
                int[] p = c.pipe2(LibC.O_CLOEXEC);
                stdio[1] = p[1];
                toClose.add(p[1]);
                ourOut = p[0];
                setNonBlocking(ourOut);
            } else {
                stdio[1] = childFd(out, LibC.O_WRONLY, toClose);
            }
            stdio[2] = err == Stdio.MERGE ? stdio[1] : childFd(err, LibC.O_WRONLY, toClose);
            if (!fds.isEmpty()) {
                // each source copied above the highest target first, so no dup2 in the child
                // overwrites a descriptor another one still has to copy
                int top = java.util.Collections.max(fds.keySet());
                stdio = java.util.Arrays.copyOf(stdio, top + 1);
                java.util.Arrays.fill(stdio, 3, top + 1, -1);
                for (Map.Entry<Integer, Integer> e : fds.entrySet()) {
                    int copy = c.fcntl(e.getValue(), LibC.F_DUPFD_CLOEXEC, top + 1);
                    toClose.add(copy);
                    stdio[e.getKey()] = copy;
                }
            }
            String[] envp = environment(env);
            int pid;
            try {
                pid = c.spawn(argv.toArray(String[]::new), envp, dir, stdio, detach);
            } catch (OsException e) {
                throw e.errno() == Errno.ENOENT && e.call().equals("spawn") ? noSuchProgram(argv.get(0)) : e;
            }
            ProcessDriver d = new ProcessDriver(ourOut, ourIn, pid, String.join(" ", argv), null);
            if (!detach) Children.started(d, pid, d.command, ipcsh.RegisteredAt.here("spawn"));
            ourIn = ourOut = -1;
            return new Channel(d);
        } finally {
            for (int fd : toClose) c.close(fd);
            if (ourIn >= 0) c.close(ourIn);
            if (ourOut >= 0) c.close(ourOut);
        }
    }

    static String[] environment(Map<String, String> env) {
        Map<String, String> environment = new LinkedHashMap<>(System.getenv());
        if (env != null) environment.putAll(env);
        return environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    /**
     * Starts argv on a new pseudo-terminal: the child's stdin, stdout and stderr, and the
     * controlling terminal of its own session, so prompting and line-buffered programs act as with
     * a person. The channel is the master side; terminal options (:rows :cols :echo :raw) apply
     * before the child starts.
     */
    public static Channel spawnPty(List<String> argv, Map<String, String> env, String dir, Map<String, Object> termOptions) {
        if (argv.isEmpty()) throw new IpcException("spawn: no command given");
        LibC c = LibC.get();
        int master = c.posixOpenpt(LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC);
        try {
            c.grantpt(master);
            c.unlockpt(master);
            String tty = c.ptsname(master);
            ProcessDriver probe = new ProcessDriver(master, master, -1, String.join(" ", argv), tty);
            c.setWindowSize(master, 24, 80);
            for (Map.Entry<String, Object> e : termOptions.entrySet()) probe.set(e.getKey(), e.getValue());
            int pid = c.spawnOnTerminal(argv.toArray(String[]::new), environment(env), dir, tty);
            setNonBlocking(master);
            ProcessDriver d = new ProcessDriver(master, master, pid, probe.command, tty);
            Children.started(d, pid, d.command, ipcsh.RegisteredAt.here("spawn"));
            Channel ch = new Channel(d);
            master = -1;
            // A terminal ends output lines with CR LF: lines read without the CR, as from a pipe.
            ch.configure(Map.of("translation", Keyword.of("auto")));
            return ch;
        } finally {
            if (master >= 0) c.close(master);
        }
    }

    /** A pty's master reads EIO once the last slave descriptor is closed: that is its end of stream. */
    @Override
    public int read(byte[] buf, int off, int len) {
        if (tty == null) return super.read(buf, off, len);
        try {
            return super.read(buf, off, len);
        } catch (OsException e) {
            if (e.errno() == ipcsh.os.Errno.EIO) return 0;
            throw e;
        }
    }

    /** On a pty there is no half-close: the terminal's end-of-file character (Ctrl-D) tells the child instead. */
    @Override
    public void closeWrite() {
        if (tty == null) {
            super.closeWrite();
            return;
        }
        LibC.get().write(wfd, new byte[] {4}, 0, 1);
    }

    @Override
    public void closeRead() {
        if (tty == null) super.closeRead();
    }

    @Override
    public boolean settable(String key) {
        return tty != null && java.util.Set.of("rows", "cols", "echo", "raw").contains(key);
    }

    @Override
    public boolean set(String key, Object value) {
        if (tty == null) return false;
        LibC c = LibC.get();
        switch (key) {
            case "rows", "cols" -> {
                if (!(value instanceof Number n) || n.longValue() < 1 || n.longValue() > 9999) {
                    throw new IpcException("configure " + command + ": :" + key + " must be a number of 1..9999, not " + value);
                }
                int[] rc = c.getWindowSize(rfd);
                if (key.equals("rows")) rc[0] = n.intValue(); else rc[1] = n.intValue();
                c.setWindowSize(rfd, rc[0], rc[1]);
                return true;
            }
            case "echo" -> {
                byte[] t = c.tcgetattr(rfd);
                int at = LibC.TERMIOS_LFLAG_OFFSET;
                int lflag = (t[at] & 0xff) | (t[at + 1] & 0xff) << 8 | (t[at + 2] & 0xff) << 16 | (t[at + 3] & 0xff) << 24;
                lflag = value != null && !Boolean.FALSE.equals(value) ? lflag | LibC.ECHO : lflag & ~LibC.ECHO;
                for (int i = 0; i < 4; i++) t[at + i] = (byte) (lflag >> (8 * i));
                c.tcsetattr(rfd, LibC.TCSANOW, t);
                return true;
            }
            case "raw" -> {
                if (value == null || Boolean.FALSE.equals(value)) {
                    throw new IpcException("configure " + command + ": :raw can only be turned on (spawn a new pty for cooked mode)");
                }
                byte[] t = c.tcgetattr(rfd);
                c.cfmakeraw(t);
                c.tcsetattr(rfd, LibC.TCSANOW, t);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** A pty child: send-line ends lines with a carriage return there, as a person's Enter key. */
    @Override
    public boolean terminal() {
        return tty != null;
    }

    private static IpcException noSuchProgram(String program) {
        return ProgramCheck.noSuchProgram("spawn", program);
    }

    /**
     * The child's end for a non-pipe stream. A channel's descriptor is reopened through
     * /proc so the child gets its own, blocking, open file description.
     */
    private static int childFd(Stdio s, int access, List<Integer> toClose) {
        LibC c = LibC.get();
        switch (s.how()) {
            case "inherit":
                return -1;
            case "null": {
                int fd = c.open("/dev/null", access | LibC.O_CLOEXEC, 0);
                toClose.add(fd);
                return fd;
            }
            case "fd": {
                try {
                    int fd = c.open("/proc/self/fd/" + s.fd(), access | LibC.O_CLOEXEC, 0);
                    toClose.add(fd);
                    return fd;
                } catch (OsException e) {
                    return s.fd(); // sockets cannot be reopened: share the description
                }
            }
            default:
                throw new IllegalStateException(s.how());
        }
    }

    public int pid() {
        return pid;
    }

    /** Waits for the process to end and returns its exit code (128+n when killed by signal n). */
    public int waitFor(long timeoutMs) {
        if (status != null) return status;
        LibC c = LibC.get();
        int pidfd = c.pidfdOpen(pid);
        try {
            long dl = Waiter.deadline(timeoutMs);
            while (true) {
                int[] r = c.waitpid(pid, LibC.WNOHANG);
                if (r[0] == pid) {
                    record(r[1]);
                    return status;
                }
                if (!Waiter.await(pidfd, LibC.POLLIN, dl, "wait " + command)) {
                    throw new ipcsh.chan.TimeoutError("wait for process " + pid + " (" + command + ")", timeoutMs);
                }
            }
        } finally {
            c.close(pidfd);
        }
    }

    /** Whether the process still runs (an ended one is reaped here). */
    public boolean alive() {
        if (status != null) return false;
        int[] r = LibC.get().waitpid(pid, LibC.WNOHANG);
        if (r[0] == pid) {
            record(r[1]);
            return false;
        }
        return true;
    }

    /** Sends sig to the process; an ended one is an error, since its pid may belong to another by now. */
    public void signal(int sig, String verb) {
        if (!alive()) throw new IpcException(verb + ": process " + pid + " (" + command + ") has already ended (" + outcome + ")");
        LibC.get().kill(pid, sig);
    }

    /** After the process ended: its exit code, or {:signal :TERM :number 15} when a signal ended it. */
    public Object result() {
        if (termSignal == 0) return (long) (int) status;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("signal", Keyword.of(ipcsh.os.Signals.name(termSignal)));
        m.put("number", (long) termSignal);
        return m;
    }

    private void record(int raw) {
        Children.reaped(this);
        int sig = raw & 0x7f;
        termSignal = sig;
        if (sig == 0) {
            status = (raw >> 8) & 0xff;
            outcome = "exited with status " + status;
        } else {
            status = 128 + sig;
            outcome = "was killed by signal " + sig + (sig < SIGNALS.length ? " (" + SIGNALS[sig] + ")" : "");
        }
    }

    /** Closes our ends, waits for the process, and fails unless it exited 0. */
    @Override
    public void close() {
        super.close();
        int code = waitFor(-1);
        // Closing a pty hangs the terminal up: the SIGHUP that ends the child then is ours, not its failure.
        if (code != 0 && !(tty != null && termSignal == ipcsh.os.Signals.HUP)) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("pid", (long) pid);
            data.put("exit", (long) code);
            data.put("command", command);
            throw new IpcException("process " + pid + " (" + command + ") " + outcome, data);
        }
    }

    @Override public String kind() { return "process"; }
    @Override public String name() { return command; }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = super.options();
        m.put("pid", (long) pid);
        m.put("command", command);
        if (tty != null && rfd >= 0) {
            m.put("tty", tty);
            int[] rc = LibC.get().getWindowSize(rfd);
            m.put("rows", (long) rc[0]);
            m.put("cols", (long) rc[1]);
            byte[] t = LibC.get().tcgetattr(rfd);
            m.put("echo", (t[LibC.TERMIOS_LFLAG_OFFSET] & LibC.ECHO) != 0);
        }
        if (status != null) m.put("exit", (long) status);
        return m;
    }
}
