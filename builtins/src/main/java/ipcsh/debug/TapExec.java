package ipcsh.debug;

import ipcsh.IpcException;
import ipcsh.Palette;
import ipcsh.RegisteredAt;
import ipcsh.chan.Channel;
import ipcsh.chan.FrameDecoder;
import ipcsh.chan.Framing;
import ipcsh.chan.drivers.ProcessDriver;
import ipcsh.loop.EventLoop;
import ipcsh.loop.Reactor;
import ipcsh.loop.Traps;
import ipcsh.os.LibC;
import ipcsh.os.OsException;
import ipcsh.os.SigAction;
import ipcsh.os.Signals;

import java.util.ArrayList;
import java.util.List;

/**
 * tap-exec and ipcsh --tap-stdio: runs a program with its stdin, stdout and stderr relayed
 * through us and logged like a tap (stdin as c->s, stdout as s->c, stderr as events), for
 * the programs an editor spawns (language servers, debug adapters). One relay thread polls
 * the three streams and passes each chunk on as soon as it is read, before logging it, so
 * nothing waits in a buffer of ours; the log has a thread of its own ({@link TapLog}).
 * Signals that would end us (HUP INT TERM USR1; the JVM keeps USR2 and QUIT) go to the program instead; its exit
 * status, or the signal that ended it, is the result.
 */
public final class TapExec {
    private static final int CHUNK = 64 * 1024;
    private static final int[] FORWARDED = {Signals.HUP, Signals.INT, Signals.TERM, Signals.USR1};

    private final Channel child;
    private final ProcessDriver process;
    private final int errFd;
    private final TapLog log;
    private final FrameDecoder[] decoders = new FrameDecoder[2];
    private volatile boolean relayed;

    private TapExec(Channel child, int errFd, TapLog log, Framing framing) {
        this.child = child;
        this.process = (ProcessDriver) child.driver();
        this.errFd = errFd;
        this.log = log;
        if (framing != null && log != null) {
            decoders[0] = new FrameDecoder(framing, false);
            decoders[1] = new FrameDecoder(framing, false);
        }
    }

    /**
     * Runs argv to its end, relaying our stdin, stdout and stderr; logFile null with logOff
     * logs nothing. Serves the event loop meanwhile (forwarded signals arrive through it).
     * Returns the exit status as wait does: a number, or {:signal :TERM :number 15}.
     */
    public static Object run(List<String> argv, LogFormat format, Framing framing, String logFile, boolean logOff) {
        if (argv.isEmpty()) throw new IpcException("tap-exec: no command given");
        if (logFile == null && !logOff) throw new IpcException("tap-exec: option :log is required (a file name, or false): stdout is the program's");
        TapLog log = logOff ? null : new TapLog(format, logFile);
        LibC c = LibC.get();
        int[] err = c.pipe2(LibC.O_CLOEXEC);
        Channel ch;
        try {
            ch = ProcessDriver.spawn(argv, null, null, ProcessDriver.Stdio.PIPE, ProcessDriver.Stdio.PIPE,
                    new ProcessDriver.Stdio("fd", err[1]));
        } catch (RuntimeException e) {
            c.close(err[0]);
            c.close(err[1]);
            if (log != null) log.close();
            throw new IpcException("tap-exec: " + e.getMessage(), e instanceof IpcException ie ? ie.data() : java.util.Map.of(), e);
        }
        c.close(err[1]);
        TapExec t = new TapExec(ch, err[0], log, framing);
        EventLoop loop = Reactor.get().loop();
        Throwable at = RegisteredAt.here("tap-exec");
        for (int sig : FORWARDED) {
            Traps.set(sig, a -> {
                c.kill(t.process.pid(), sig);
                return null;
            }, at);
        }
        // logged once signals are forwarded: a SIGTERM sent after "started" reaches the program
        t.event("started " + String.join(" ", argv) + " (pid " + t.process.pid() + ")");
        Thread relay = new Thread(t::relay, "ipcsh-tap-exec");
        relay.setDaemon(true);
        relay.start();
        try {
            loop.runUntil(() -> t.relayed && !t.process.alive(), -1, "tap-exec " + argv.get(0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (int sig : FORWARDED) Traps.reset(sig);
        }
        Object result = t.process.result();
        t.event("exited: " + (result instanceof Number n ? "status " + n : "signal " + ((java.util.Map<?, ?>) result).get("signal")));
        if (log != null) log.close();
        try {
            ch.close();
        } catch (IpcException e) {
            // close reports a program that failed; here its status is the result
        }
        return result;
    }

    /** Ends this process the way the program ended: its status, or death by the same signal. */
    public static int exitLike(Object result) {
        if (result instanceof Number n) return n.intValue();
        int sig = ((Number) ((java.util.Map<?, ?>) result).get("number")).intValue();
        LibC c = LibC.get();
        c.sigaction(sig, SigAction.of(LibC.SIG_DFL, 0));
        c.kill(c.getpid(), sig);
        return 128 + sig; // a signal the default action of which does not end us
    }

    private void relay() {
        LibC c = LibC.get();
        int toChild = child.writeFd(), fromChild = child.readFd();
        List<Integer> fds = new ArrayList<>(List.of(0, fromChild, errFd));
        byte[] buf = new byte[CHUNK];
        try {
            while (fds.contains(fromChild) || fds.contains(errFd)) {
                int[] f = fds.stream().mapToInt(Integer::intValue).toArray();
                short[] ev = new short[f.length], ready = new short[f.length];
                java.util.Arrays.fill(ev, LibC.POLLIN);
                c.poll(f, ev, ready, -1);
                for (int i = 0; i < f.length; i++) {
                    if (ready[i] == 0) continue;
                    int fd = f[i];
                    int n;
                    try {
                        n = c.read(fd, buf, 0, buf.length);
                    } catch (OsException e) {
                        n = 0;
                    }
                    if (n == LibC.WOULD_BLOCK) continue;
                    if (n <= 0) {
                        fds.remove((Integer) fd);
                        if (fd == 0) {
                            event("stdin ended; closing the program's stdin");
                            child.close("write");
                        } else if (fd == fromChild) {
                            event("stdout ended");
                        }
                        continue;
                    }
                    byte[] chunk = java.util.Arrays.copyOf(buf, n);
                    if (fd == 0) {
                        if (!writeAll(toChild, chunk)) {
                            fds.remove((Integer) 0);
                            event("the program's stdin is closed (EPIPE); " + n + " bytes not delivered");
                        }
                        logData(true, chunk);
                    } else if (fd == fromChild) {
                        writeAll(1, chunk);
                        logData(false, chunk);
                    } else {
                        writeAll(2, chunk);
                        if (log != null) event("stderr " + Dumps.text(chunk, 0, chunk.length, "  ", Palette.PLAIN));
                    }
                }
            }
        } finally {
            c.close(errFd);
            relayed = true;
            Reactor.get().loop().post(() -> { }); // wake the loop to see it
        }
    }

    /** Writes all of b to fd, waiting for room when fd is non-blocking; false when the reader is gone. */
    private static boolean writeAll(int fd, byte[] b) {
        LibC c = LibC.get();
        int off = 0;
        try {
            while (off < b.length) {
                int n = c.write(fd, b, off, b.length - off);
                if (n == LibC.WOULD_BLOCK) {
                    c.poll(new int[] {fd}, new short[] {LibC.POLLOUT}, new short[1], -1);
                    continue;
                }
                off += n;
            }
            return true;
        } catch (OsException e) {
            return false;
        }
    }

    private long[] offsets = new long[2];

    private void logData(boolean toServer, byte[] chunk) {
        if (log == null) return;
        long now = System.currentTimeMillis();
        int d = toServer ? 0 : 1;
        FrameDecoder dec = decoders[d];
        if (dec != null) {
            List<Object> frames = new ArrayList<>();
            try {
                dec.feed(chunk, frames);
            } catch (RuntimeException e) {
                decoders[d] = null;
                event((toServer ? "c->s" : "s->c") + " framing lost (" + e.getMessage() + "); logging raw chunks from here");
            }
            for (Object f : frames) log.add(new TapLog.Entry(1, toServer, now, null, 0, f, null));
            if (decoders[d] != null) return;
        }
        log.add(new TapLog.Entry(1, toServer, now, chunk, offsets[d], null, null));
        offsets[d] += chunk.length;
    }

    private void event(String text) {
        if (log != null) log.add(new TapLog.Entry(1, false, System.currentTimeMillis(), null, 0, null, text));
    }
}
