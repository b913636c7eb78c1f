package ipcsh.chan.drivers;

import ipcsh.os.AtExit;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The children the shell started and must not leave behind. Each one still running when the
 * shell ends gets SIGTERM, and so do its own descendants (its own {@link AtExit} action,
 * cancelled once it is reaped); then
 * one last action waits up to {@link #GRACE_MS} for all of them together and SIGKILLs the
 * rest, so a shell with many children still ends within the grace.
 */
final class Children {
    /** How long children have between SIGTERM and SIGKILL when the shell ends. */
    static final long GRACE_MS = 500;

    private static final Set<Integer> TERMINATED = ConcurrentHashMap.newKeySet();
    /** Their children: not ours to wait for, so watched through /proc. */
    private static final Set<Integer> DESCENDANTS = ConcurrentHashMap.newKeySet();
    private static boolean finisher;
    /** The children not yet waited for, oldest first, for (pending). */
    private static final Map<Object, ProcessDriver.Child> STARTED = Collections.synchronizedMap(new LinkedHashMap<>());

    private Children() {}

    /** The children still running (not waited for, not ended): for (pending). */
    static List<ProcessDriver.Child> list() {
        List<ProcessDriver.Child> all;
        synchronized (STARTED) {
            all = new ArrayList<>(STARTED.values());
        }
        all.removeIf(c -> !running((int) c.pid()));
        return all;
    }

    /**
     * pid was started for key (its process driver) by the script's form at registeredAt: end it
     * with the shell unless {@link #reaped} first.
     */
    static void started(Object key, int pid, String command, Throwable registeredAt) {
        STARTED.put(key, new ProcessDriver.Child(pid, command, registeredAt));
        started(key, pid);
    }

    private static void started(Object key, int pid) {
        synchronized (Children.class) {
            // registered before the first child's action, so it runs after all of them (newest first)
            if (!finisher) AtExit.register(Children.class, Children::finish);
            finisher = true;
        }
        AtExit.register(key, () -> {
            // its own children too (sh -c "a; b" waits in sh while b runs): listed before any signal
            List<Integer> descendants = descendants(pid);
            LibC.get().kill(pid, LibC.SIGTERM);
            TERMINATED.add(pid);
            for (int d : descendants) {
                try {
                    LibC.get().kill(d, LibC.SIGTERM);
                    DESCENDANTS.add(d);
                } catch (OsException e) {
                    // ended meanwhile
                }
            }
        });
    }

    /** key's child was waited for: nothing left to end. */
    static void reaped(Object key) {
        STARTED.remove(key);
        AtExit.cancel(key);
    }

    private static void finish() {
        LibC c = LibC.get();
        long deadline = System.nanoTime() + GRACE_MS * 1_000_000;
        while ((!TERMINATED.isEmpty() || !DESCENDANTS.isEmpty()) && System.nanoTime() < deadline) {
            TERMINATED.removeIf(Children::gone);
            DESCENDANTS.removeIf(pid -> !running(pid));
            if (TERMINATED.isEmpty() && DESCENDANTS.isEmpty()) return;
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
        for (int pid : DESCENDANTS) {
            try {
                c.kill(pid, LibC.SIGKILL);
            } catch (OsException e) {
                // gone meanwhile
            }
        }
        DESCENDANTS.clear();
    }

    /** pid's descendants, from /proc/PID/task/TID/children (empty where the kernel does not list them). */
    static List<Integer> descendants(int pid) {
        List<Integer> out = new ArrayList<>();
        Deque<Integer> todo = new ArrayDeque<>(List.of(pid));
        while (!todo.isEmpty() && out.size() < 10_000) {
            int p = todo.pop();
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + p + "/task"))) {
                for (Path t : tasks) {
                    for (String w : Files.readString(t.resolve("children")).trim().split("\\s+")) {
                        if (w.isEmpty()) continue;
                        int child = Integer.parseInt(w);
                        out.add(child);
                        todo.push(child);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // ended while we looked
            }
        }
        return out;
    }

    /** Whether pid (not our child) still runs; a zombie has ended. */
    private static boolean running(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
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
