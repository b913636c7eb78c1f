package ipcsh.chan.drivers;

import ipcsh.os.AtExit;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The children the shell started and must not leave behind. Each one still running when the
 * shell ends gets SIGTERM (its own {@link AtExit} action, cancelled once it is reaped); then
 * one last action waits up to {@link #GRACE_MS} for all of them together and SIGKILLs the
 * rest, so a shell with many children still ends within the grace.
 */
final class Children {
    /** How long children have between SIGTERM and SIGKILL when the shell ends. */
    static final long GRACE_MS = 500;

    private static final Set<Integer> TERMINATED = ConcurrentHashMap.newKeySet();
    private static boolean finisher;

    private Children() {}

    /** pid was started for key (its process driver): end it with the shell unless {@link #reaped} first. */
    static void started(Object key, int pid) {
        synchronized (Children.class) {
            // registered before the first child's action, so it runs after all of them (newest first)
            if (!finisher) AtExit.register(Children.class, Children::finish);
            finisher = true;
        }
        AtExit.register(key, () -> {
            LibC.get().kill(pid, LibC.SIGTERM);
            TERMINATED.add(pid);
        });
    }

    /** key's child was waited for: nothing left to end. */
    static void reaped(Object key) {
        AtExit.cancel(key);
    }

    private static void finish() {
        LibC c = LibC.get();
        long deadline = System.nanoTime() + GRACE_MS * 1_000_000;
        while (!TERMINATED.isEmpty() && System.nanoTime() < deadline) {
            TERMINATED.removeIf(Children::gone);
            if (TERMINATED.isEmpty()) return;
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                break;
            }
        }
        for (int pid : TERMINATED) {
            try {
                c.kill(pid, LibC.SIGKILL);
                c.waitpid(pid, 0);
            } catch (OsException e) {
                // reaped meanwhile by the interpreter thread: nothing left to do
            }
        }
        TERMINATED.clear();
    }

    /** Reaps pid if it has ended; a pid that is not our child any more counts as gone. */
    private static boolean gone(int pid) {
        try {
            return LibC.get().waitpid(pid, LibC.WNOHANG)[0] != 0;
        } catch (OsException e) {
            return true;
        }
    }
}
