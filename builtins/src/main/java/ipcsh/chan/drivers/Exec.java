package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.TimeoutError;
import ipcsh.chan.Waiter;
import ipcsh.os.LibC;
import ipcsh.os.OsException;
import ipcsh.os.Signals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs commands to completion (Tcl's exec, a shell's pipeline): stages joined by pipes, the
 * first fed from a byte array, the last one's stdout and every stage's stderr collected, each
 * stage's status reported like bash's PIPESTATUS. One poll loop feeds and drains at once, so a
 * child that writes much before it reads cannot deadlock against us.
 */
public final class Exec {
    private final String verb;
    private final List<Integer> pids = new ArrayList<>();
    private final List<String> commands = new ArrayList<>();
    private final List<Integer> open = new ArrayList<>(); // our descriptors, closed whatever happens

    private Exec(String verb) {
        this.verb = verb;
    }

    /**
     * Runs the stages; in (may be null: stdin is /dev/null) goes to the first. Returns
     * {:exit n :out … :err …} plus :statuses for more than one stage and :signal when a signal
     * ended the last stage. A timeout (ms, negative: none) or Ctrl-C kills them all and fails.
     */
    public static Map<String, Object> run(String verb, List<List<String>> stages, byte[] in, Map<String, String> env,
                                          String dir, long timeoutMs, boolean binary) {
        return new Exec(verb).start(stages, in, env, dir, timeoutMs, binary);
    }

    private Map<String, Object> start(List<List<String>> stages, byte[] in, Map<String, String> env, String dir,
                                      long timeoutMs, boolean binary) {
        ProgramCheck.check(verb, stages, dir); // before the first stage starts
        LibC c = LibC.get();
        int inW = -1, outR = -1, errR = -1;
        boolean done = false;
        try {
            int stdin;
            if (in != null) {
                int[] p = c.pipe2(LibC.O_CLOEXEC);
                open.add(p[0]);
                open.add(p[1]);
                stdin = p[0];
                inW = p[1];
            } else {
                stdin = c.open("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
                open.add(stdin);
            }
            int[] err = c.pipe2(LibC.O_CLOEXEC);
            open.add(err[0]);
            open.add(err[1]);
            errR = err[0];
            String[] envp = ProcessDriver.environment(env);
            for (int i = 0; i < stages.size(); i++) {
                int[] out = c.pipe2(LibC.O_CLOEXEC);
                open.add(out[0]);
                open.add(out[1]);
                List<String> argv = stages.get(i);
                if (argv.isEmpty()) throw new IpcException(verb + ": stage " + (i + 1) + " has no command");
                pids.add(c.spawn(argv.toArray(String[]::new), envp, dir, new int[] {stdin, out[1], err[1]}));
                commands.add(String.join(" ", argv));
                closeFd(out[1]);
                closeFd(stdin); // the stage holds its own copy now
                stdin = out[0];
            }
            outR = stdin;
            closeFd(err[1]);
            Map<String, Object> result = pump(inW, in, outR, errR, Waiter.deadline(timeoutMs), timeoutMs, binary);
            done = true;
            return result;
        } finally {
            for (int fd : open) c.close(fd);
            open.clear();
            if (!done) killAll();
        }
    }

    private int closeFd(int fd) {
        if (fd >= 0 && open.remove((Integer) fd)) LibC.get().close(fd);
        return -1;
    }

    private Map<String, Object> pump(int inW, byte[] in, int outR, int errR, long deadline, long timeoutMs, boolean binary) {
        LibC c = LibC.get();
        for (int fd : new int[] {inW, outR, errR}) {
            if (fd >= 0) c.fcntl(fd, LibC.F_SETFL, c.fcntl(fd, LibC.F_GETFL, 0) | LibC.O_NONBLOCK);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int[] fds = {inW, outR, errR};
        short[] ev = {LibC.POLLOUT, LibC.POLLIN, LibC.POLLIN};
        short[] rev = new short[3];
        int sent = 0;
        if (in != null && in.length == 0) fds[0] = closeFd(inW);
        while (fds[1] >= 0 || fds[2] >= 0) {
            if (!Waiter.awaitAny(fds, ev, rev, deadline, verb)) throw new TimeoutError(verb + " " + commands, timeoutMs);
            if (fds[0] >= 0 && rev[0] != 0) {
                try {
                    int n = c.write(fds[0], in, sent, Math.min(in.length - sent, 64 * 1024));
                    if (n > 0) sent += n;
                    if (sent == in.length) fds[0] = closeFd(fds[0]);
                } catch (OsException e) {
                    if (e.errno() != ipcsh.os.Errno.EPIPE) throw e;
                    fds[0] = closeFd(fds[0]); // the stage stopped reading: like a shell, not an error
                }
            }
            for (int i = 1; i <= 2; i++) {
                if (fds[i] < 0 || rev[i] == 0) continue;
                int n = c.read(fds[i], buf, 0, buf.length);
                if (n > 0) (i == 1 ? out : err).write(buf, 0, n);
                else if (n == 0) fds[i] = -1; // closed with the others in start's finally
            }
        }
        closeFd(fds[0]);
        List<Object> statuses = new ArrayList<>();
        int lastSignal = 0;
        for (int pid : pids) {
            int raw = reap(pid, deadline, timeoutMs);
            int sig = raw & 0x7f;
            statuses.add((long) (sig == 0 ? (raw >> 8) & 0xff : 128 + sig));
            lastSignal = sig;
        }
        pids.clear();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("exit", statuses.get(statuses.size() - 1));
        if (lastSignal != 0) m.put("signal", Keyword.of(Signals.name(lastSignal)));
        m.put("out", binary ? out.toByteArray() : out.toString(StandardCharsets.UTF_8));
        m.put("err", binary ? err.toByteArray() : err.toString(StandardCharsets.UTF_8));
        if (statuses.size() > 1) m.put("statuses", statuses);
        return m;
    }

    private int reap(int pid, long deadline, long timeoutMs) {
        LibC c = LibC.get();
        int pidfd = c.pidfdOpen(pid);
        try {
            while (true) {
                int[] r = c.waitpid(pid, LibC.WNOHANG);
                if (r[0] == pid) return r[1];
                if (!Waiter.await(pidfd, LibC.POLLIN, deadline, verb)) throw new TimeoutError(verb + " " + commands, timeoutMs);
            }
        } finally {
            c.close(pidfd);
        }
    }

    /** After a timeout, Ctrl-C or an error: nothing of ours may outlive the call. */
    private void killAll() {
        LibC c = LibC.get();
        for (int pid : pids) {
            try {
                c.kill(pid, Signals.KILL);
                c.waitpid(pid, 0);
            } catch (OsException ignored) {
                // already reaped or gone
            }
        }
        pids.clear();
    }
}
