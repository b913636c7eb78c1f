package ipcsh.loop;

import ipcsh.os.AtExit;
import ipcsh.os.LibC;
import ipcsh.os.SigAction;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * SIGQUIT (Ctrl-\) prints {@link Pending#report} on stderr and the shell goes on, instead of the
 * JVM's thread dump. The signal comes through a native handler of its own
 * ({@link LibC#sigInfoForwarder}, as trapped signals do) into a pipe that a daemon thread reads,
 * not the interpreter thread: the report matters most when that thread is blocked.
 *
 * <p>The JDK's attach mechanism (jcmd, jstack) also knocks with SIGQUIT, after creating an
 * .attach_pid file; then the JVM's own handler is put back for one signal, so those tools still
 * work. Where there is no handler code for the machine (only x86_64 has it) the JVM keeps
 * SIGQUIT and prints its thread dump, as before; so it does during the shell's first
 * {@link #DELAY_MS} ms, which a short run (ipcsh -e, a quick script) then never pays for (a
 * JavaScript run installs this once its engine is made: its start-up is the first moments).
 */
public final class QuitReport {
    private static final int SIGQUIT = 3;
    static final long DELAY_MS = 200;
    private static boolean installed;

    private QuitReport() {}

    /** Takes SIGQUIT over after {@link #DELAY_MS}, on a daemon thread of its own (start-up does not wait for it). */
    public static synchronized void install() {
        if (installed) return;
        installed = true;
        Thread t = new Thread(QuitReport::serve, "ipcsh-sigquit");
        t.setDaemon(true);
        t.start();
    }

    private static void serve() {
        sleep(DELAY_MS);
        LibC c = LibC.get();
        int[] p;
        long handler;
        byte[] jvms;
        try {
            p = c.pipe2(LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            // the handler sends SIGQUIT on to this thread: it never interrupts the interpreter's waits
            handler = c.sigInfoForwarder(p[1], c.gettid());
            if (handler == 0) {
                c.close(p[0]);
                c.close(p[1]);
                return;
            }
            jvms = c.sigaction(SIGQUIT, SigAction.of(handler, LibC.SA_SIGINFO | LibC.SA_RESTART));
        } catch (RuntimeException e) {
            return; // the JVM keeps SIGQUIT: its thread dump is still some report
        }
        byte[] act = SigAction.of(handler, LibC.SA_SIGINFO | LibC.SA_RESTART);
        byte[] buf = new byte[32 * SigAction.SIGINFO_SIZE];
        int[] fds = {p[0]};
        short[] ev = {LibC.POLLIN};
        short[] rev = new short[1];
        // a run that ends as this thread starts waiting: the exit would wait 300 ms for its poll
        if (!AtExit.wakeAtEnd(Thread.currentThread(), () -> c.write(p[1], new byte[1], 0, 1))) return;
        while (true) {
            c.poll(fds, ev, rev, -1);
            if (AtExit.ending()) return;
            int n = c.read(p[0], buf, 0, buf.length);
            if (n <= 0) continue;
            if (attachRequested()) {
                // jcmd/jstack: the JVM's handler starts its attach listener; ours comes back after it
                c.sigaction(SIGQUIT, jvms);
                c.kill(c.getpid(), SIGQUIT);
                sleep(50);
                c.sigaction(SIGQUIT, act);
                continue;
            }
            String text;
            try {
                text = Pending.report();
            } catch (RuntimeException e) {
                text = "ipcsh: cannot list what keeps it alive: " + e + "\n";
            }
            System.err.print(text);
            System.err.flush();
        }
    }

    /** The file the JDK's attach client creates before it sends SIGQUIT (in the cwd or the temporary directory). */
    private static boolean attachRequested() {
        long pid = ProcessHandle.current().pid();
        String name = ".attach_pid" + pid;
        return Files.exists(Path.of("/proc/" + pid + "/cwd/" + name)) || Files.exists(Path.of(System.getProperty("java.io.tmpdir", "/tmp"), name));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
