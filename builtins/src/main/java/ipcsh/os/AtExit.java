package ipcsh.os;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the shell made and must undo when it ends: its socket files, FIFOs, temporary
 * segments and queues, children it started. One JVM shutdown hook (which the JVM also runs on
 * SIGINT, SIGTERM and SIGHUP) runs every action still registered, newest first; an object
 * that is removed or closed earlier cancels its action. Actions must be quick and must not
 * throw (they are run once each; a failure is ignored: the shell is ending).
 *
 * <p>After the actions the hook wakes the shell's own threads that wait in a native call with
 * no time-out ({@link #wakeAtEnd}) and lets them end: HotSpot's exit waits up to 300 ms for a
 * thread that is still inside native code, so every run that had started one (the SIGQUIT
 * reader does, 200 ms in) ended 300 ms late.
 */
public final class AtExit {
    /** How long the hook waits for woken threads to end (each is a poll's return away). */
    private static final long WAKE_WAIT_MS = 100;
    private static final Map<Object, Runnable> ACTIONS = new LinkedHashMap<>();
    private static final Map<Thread, Runnable> WAITERS = new LinkedHashMap<>();
    private static boolean hooked, running;
    private static volatile boolean ending;

    private AtExit() {}

    /** Runs action at exit unless {@link #cancel} is called with key first; a new action for a key replaces the old. */
    public static synchronized void register(Object key, Runnable action) {
        if (running || !hook()) return;
        ACTIONS.remove(key);
        ACTIONS.put(key, action);
    }

    /**
     * Thread t waits in a native call with no time-out; at exit, after the actions, wake is run
     * (it must make that call return) and t must then see {@link #ending} and end. False when
     * the JVM is already shutting down: then t must not start waiting.
     */
    public static synchronized boolean wakeAtEnd(Thread t, Runnable wake) {
        if (running || !hook()) return false;
        WAITERS.put(t, wake);
        return true;
    }

    /** Thread t has ended on its own, or waits no more: nothing to wake at exit. */
    public static synchronized void cancelWake(Thread t) {
        WAITERS.remove(t);
    }

    /** Whether the shell is ending: a thread registered with {@link #wakeAtEnd} returns when it sees this. */
    public static boolean ending() {
        return ending;
    }

    /** Installs the shutdown hook once; false if the JVM is already shutting down (too late for one). */
    private static boolean hook() {
        if (!hooked) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(AtExit::runAll, "ipcsh-at-exit"));
            } catch (IllegalStateException shuttingDown) {
                return false;
            }
            hooked = true;
        }
        return true;
    }

    /**
     * At exit, removes path with remove only if path still names the file {@code made} (checked
     * just before): a file renamed over it since (the original a fifo-tap put back, another
     * user's file) stays. Keyed by key as {@link #register}.
     */
    public static void removeAtExit(Object key, String path, FileId made, Runnable remove) {
        register(key, () -> {
            if (made.isAt(path)) remove.run();
        });
    }

    /** Forgets key's action without running it; returns whether there was one. */
    public static synchronized boolean cancel(Object key) {
        return ACTIONS.remove(key) != null;
    }

    /** The shutdown hook: every registered action, newest first, then the waiting threads woken. */
    private static void runAll() {
        List<Runnable> todo;
        Map<Thread, Runnable> waiters;
        synchronized (AtExit.class) {
            running = true;
            todo = new ArrayList<>(ACTIONS.values());
            ACTIONS.clear();
            waiters = new LinkedHashMap<>(WAITERS);
            WAITERS.clear();
        }
        for (int i = todo.size() - 1; i >= 0; i--) {
            runQuietly(todo.get(i));
        }
        ending = true;
        waiters.values().forEach(AtExit::runQuietly);
        long deadline = System.nanoTime() + WAKE_WAIT_MS * 1_000_000;
        for (Thread t : waiters.keySet()) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) break;
            try {
                t.join(left);
            } catch (InterruptedException e) {
                return; // the JVM is ending anyway; it only waits longer
            }
        }
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error ignored) {
            // the shell is ending; the next one still runs
        }
    }
}
