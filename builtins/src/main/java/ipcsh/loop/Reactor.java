package ipcsh.loop;

import ipcsh.IpcException;
import ipcsh.os.AtExit;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The one native waiter (DESIGN.md): a daemon thread in epoll_wait over raw descriptors of
 * every kind. When a descriptor is ready it posts the interest's task to the {@link EventLoop},
 * and the task runs on the interpreter thread. Descriptors are armed EPOLLONESHOT and armed
 * again only after the task ran, so events never pile up in the queue while a callback works.
 *
 * <p>A descriptor has at most one read and one write {@link Interest}. End of stream, hang-up
 * and errors count as readable (and hang-up and errors as writable), as in Tcl. A descriptor
 * epoll refuses (a regular file, EPERM) is always ready: its task is posted at once.
 *
 * <p>epoll_ctl from the interpreter thread takes effect in a concurrent epoll_wait, so the
 * reactor never has to be woken to see new interests.
 *
 * <p>A few interests run on the reactor thread itself ({@link #watchHere}): work that must go on
 * while the interpreter thread is blocked (a tap's relay, whose client may be the blocked form).
 */
public final class Reactor {
    private static volatile Reactor instance;

    private final EventLoop loop;
    private final int epfd;
    private final Object lock = new Object();
    private final Map<Integer, Entry> byFd = new HashMap<>();
    private final Map<Long, Entry> byKey = new HashMap<>();
    /** epoll data 0: the eventfd that wakes the reactor to end at exit (entries' keys start at 1). */
    private static final long END_KEY = 0;
    private long nextKey = END_KEY + 1;

    /** The process-wide reactor, posting to {@link EventLoop#main()}; started on first use. */
    public static Reactor get() {
        Reactor r = instance;
        if (r == null) {
            synchronized (Reactor.class) {
                if (instance == null) instance = new Reactor(EventLoop.main());
                r = instance;
            }
        }
        return r;
    }

    private Reactor(EventLoop loop) {
        this.loop = loop;
        LibC c = LibC.get();
        this.epfd = c.epollCreate();
        int end = c.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        c.epollCtl(epfd, LibC.EPOLL_CTL_ADD, end, LibC.EPOLLIN, END_KEY);
        Thread t = new Thread(this::run, "ipcsh-reactor");
        t.setDaemon(true);
        AtExit.wakeAtEnd(t, () -> c.write(end, ONE, 0, ONE.length));
        t.start();
    }

    public EventLoop loop() {
        return loop;
    }

    private final class Entry {
        final int fd;
        final long key = nextKey++;
        Interest read, write;
        boolean registered, alwaysReady;

        Entry(int fd) {
            this.fd = fd;
        }
    }

    /** Interest in one direction of one descriptor; {@link #cancel} it before the descriptor closes. */
    public final class Interest {
        private final Entry entry;
        private final boolean write;
        private final Runnable task;
        private final BooleanSupplier again;
        /** Runs on the reactor thread, not posted to the loop. */
        private final boolean here;
        private boolean inFlight, cancelled;

        private Interest(Entry entry, boolean write, Runnable task, BooleanSupplier again, boolean here) {
            this.entry = entry;
            this.write = write;
            this.task = task;
            this.again = again;
            this.here = here;
        }

        public int fd() {
            return entry.fd;
        }

        public boolean cancelled() {
            synchronized (lock) {
                return cancelled;
            }
        }

        public void cancel() {
            Reactor.this.cancel(this);
        }
    }

    /**
     * Runs task on the loop thread whenever fd is readable (write false) or writable. After each
     * run the descriptor is armed again, unless {@code again} (may be null) says it is still
     * ready without the OS (a channel with buffered input): then the task is posted at once.
     * Fails when the direction already has an interest.
     */
    public Interest watch(int fd, boolean write, Runnable task, BooleanSupplier again) {
        return watch(fd, write, task, again, false);
    }

    /**
     * Runs task on the reactor thread itself whenever fd is readable or writable, armed again
     * after each run like {@link #watch}. The task must never block or run user code: every
     * other watcher of the shell waits while it runs. For descriptors epoll takes (not regular files).
     */
    public Interest watchHere(int fd, boolean write, Runnable task) {
        return watch(fd, write, task, null, true);
    }

    private Interest watch(int fd, boolean write, Runnable task, BooleanSupplier again, boolean here) {
        if (fd < 0) throw new IpcException("watch: descriptor is closed");
        synchronized (lock) {
            Entry e = byFd.get(fd);
            if (e == null) {
                e = new Entry(fd);
                byFd.put(fd, e);
                byKey.put(e.key, e);
            }
            if (here && e.alwaysReady) throw new IpcException("fd " + fd + " cannot be watched by the reactor (epoll refuses it)");
            if ((write ? e.write : e.read) != null) {
                throw new IpcException("fd " + fd + " already has a " + (write ? "writable" : "readable") + " watcher");
            }
            Interest i = new Interest(e, write, task, again, here);
            if (write) e.write = i;
            else e.read = i;
            try {
                arm(e);
            } catch (RuntimeException ex) {
                if (write) e.write = null;
                else e.read = null;
                if (e.read == null && e.write == null) forget(e);
                throw ex;
            }
            return i;
        }
    }

    public void cancel(Interest i) {
        synchronized (lock) {
            if (i.cancelled) return;
            i.cancelled = true;
            Entry e = i.entry;
            if (e.read == i) e.read = null;
            if (e.write == i) e.write = null;
            if (e.read == null && e.write == null) {
                if (e.registered) {
                    try {
                        LibC.get().epollCtl(epfd, LibC.EPOLL_CTL_DEL, e.fd, 0, 0);
                    } catch (OsException ignored) {
                        // already closed elsewhere: the kernel dropped it with the descriptor
                    }
                }
                forget(e);
            } else {
                arm(e);
            }
        }
    }

    private void forget(Entry e) {
        if (byFd.get(e.fd) == e) byFd.remove(e.fd);
        byKey.remove(e.key);
    }

    /** Arms the interests not running now; holds the lock. */
    private void arm(Entry e) {
        int mask = 0;
        if (e.read != null && !e.read.inFlight) mask |= LibC.EPOLLIN | LibC.EPOLLRDHUP;
        if (e.write != null && !e.write.inFlight) mask |= LibC.EPOLLOUT;
        if (mask == 0) return; // one-shot: disarmed until a running task finishes
        if (e.alwaysReady) {
            fireReady(e, mask);
            return;
        }
        try {
            LibC.get().epollCtl(epfd, e.registered ? LibC.EPOLL_CTL_MOD : LibC.EPOLL_CTL_ADD, e.fd,
                    mask | LibC.EPOLLONESHOT, e.key);
            e.registered = true;
        } catch (OsException ex) {
            if (ex.errno() != Errno.EPERM) throw ex;
            if ((e.read != null && e.read.here) || (e.write != null && e.write.here)) {
                throw new IpcException("fd " + e.fd + " cannot be watched by the reactor (epoll refuses it)");
            }
            e.alwaysReady = true; // regular files and the like: always readable and writable
            fireReady(e, mask);
        }
    }

    private void fireReady(Entry e, int events) {
        List<Interest> ready = new ArrayList<>(2);
        boolean in = (events & (LibC.EPOLLIN | LibC.EPOLLRDHUP | LibC.EPOLLHUP | LibC.EPOLLERR)) != 0;
        boolean out = (events & (LibC.EPOLLOUT | LibC.EPOLLHUP | LibC.EPOLLERR)) != 0;
        if (in && e.read != null && !e.read.inFlight) ready.add(e.read);
        if (out && e.write != null && !e.write.inFlight) ready.add(e.write);
        for (Interest i : ready) {
            i.inFlight = true;
            if (i.here) hereReady.add(i);
            else post(i);
        }
    }

    /** Interests of {@link #watchHere} found ready under the lock; the reactor runs them after it. */
    private final List<Interest> hereReady = new ArrayList<>();

    private void runHere(Interest i) {
        try {
            i.task.run();
        } catch (RuntimeException | Error ex) {
            loop.report(ex);
        } finally {
            synchronized (lock) {
                if (!i.cancelled) {
                    i.inFlight = false;
                    arm(i.entry);
                }
            }
        }
    }

    private void post(Interest i) {
        loop.post(() -> runTask(i));
    }

    private void runTask(Interest i) {
        synchronized (lock) {
            if (i.cancelled) return;
        }
        try {
            i.task.run();
        } finally {
            synchronized (lock) {
                if (!i.cancelled) {
                    if (i.again != null && i.again.getAsBoolean()) {
                        post(i);
                    } else {
                        i.inFlight = false;
                        arm(i.entry);
                    }
                }
            }
        }
    }

    private static final byte[] ONE = {1, 0, 0, 0, 0, 0, 0, 0};

    private void run() {
        int[] events = new int[64];
        long[] keys = new long[64];
        while (true) {
            Interest[] here;
            int n;
            try {
                n = LibC.get().epollWait(epfd, events, keys, -1);
            } catch (RuntimeException e) {
                // The one waiter must not die: every watcher of the shell would go silent.
                loop.report(e);
                try {
                    Thread.sleep(100); // a lasting failure must not flood the user
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            if (AtExit.ending()) return;
            synchronized (lock) {
                for (int k = 0; k < n; k++) {
                    Entry e = byKey.get(keys[k]);
                    if (e == null) continue; // cancelled after the kernel reported it
                    try {
                        fireReady(e, events[k]);
                        arm(e); // the interest that did not fire is armed again at once
                    } catch (RuntimeException ex) {
                        loop.report(ex);
                    }
                }
                if (hereReady.isEmpty()) continue;
                here = hereReady.toArray(new Interest[0]);
                hereReady.clear();
            }
            // outside the lock: a task may watch and cancel, and its owner's lock comes before this one
            for (Interest i : here) {
                boolean cancelled;
                synchronized (lock) {
                    cancelled = i.cancelled;
                }
                if (!cancelled) runHere(i);
            }
        }
    }
}
