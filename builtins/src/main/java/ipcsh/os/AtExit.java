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
 */
public final class AtExit {
    private static final Map<Object, Runnable> ACTIONS = new LinkedHashMap<>();
    private static boolean hooked, running;

    private AtExit() {}

    /** Runs action at exit unless {@link #cancel} is called with key first; a new action for a key replaces the old. */
    public static synchronized void register(Object key, Runnable action) {
        if (running) return;
        if (!hooked) {
            Runtime.getRuntime().addShutdownHook(new Thread(AtExit::runAll, "ipcsh-at-exit"));
            hooked = true;
        }
        ACTIONS.remove(key);
        ACTIONS.put(key, action);
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

    /** Runs every registered action now, newest first (the shutdown hook; also for an orderly exit path). */
    public static void runAll() {
        List<Runnable> todo;
        synchronized (AtExit.class) {
            todo = new ArrayList<>(ACTIONS.values());
            ACTIONS.clear();
        }
        for (int i = todo.size() - 1; i >= 0; i--) {
            try {
                todo.get(i).run();
            } catch (RuntimeException | Error ignored) {
                // the shell is ending; the next action still runs
            }
        }
    }
}
