package ipcsh.loop;

import ipcsh.chan.Interrupts;
import ipcsh.os.LibC;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The interpreter thread's event loop (DESIGN.md's one rule): other threads (the reactor,
 * signal handlers, the REPL's line reader) {@link #post} work; the loop runs it, and due
 * timers, one at a time on the thread that calls {@link #run}.
 *
 * <p>{@link #hold}/{@link #release} count what keeps a script alive after its top level
 * (servers, watchers, background copies, taps, traps); timers count while pending. Each named
 * hold is a {@link Keeper}, so {@link #keepers} can say what keeps a script running and where
 * the script made it ({@link Pending}); those lists are read from any thread.
 */
public final class EventLoop {
    private static final EventLoop MAIN = new EventLoop();

    /** The process's loop: there is one interpreter thread per shell. */
    public static EventLoop main() {
        return MAIN;
    }

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    /** Thread-safe only so that (pending) and SIGQUIT may list it while the loop runs. */
    private final PriorityBlockingQueue<Timer> timers = new PriorityBlockingQueue<>();
    private final AtomicInteger holds = new AtomicInteger();
    private final Set<Keeper> keepers = ConcurrentHashMap.newKeySet();
    private final AtomicLong timerSeq = new AtomicLong();
    private volatile Consumer<Throwable> errorHandler = t -> t.printStackTrace();

    /** A pending {@link #after}/{@link #every} callback. */
    public final class Timer implements Comparable<Timer> {
        final long seq = timerSeq.incrementAndGet();
        long due;
        final long period;
        final Runnable task;
        final String what;
        final Throwable registeredAt;
        volatile boolean cancelled;

        Timer(long due, long period, Runnable task, String what, Throwable registeredAt) {
            this.due = due;
            this.period = period;
            this.task = task;
            this.what = what;
            this.registeredAt = registeredAt;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        public boolean cancelled() {
            return cancelled;
        }

        @Override
        public String toString() {
            return "#<timer " + seq + (cancelled ? " cancelled" : period > 0 ? " every " + period / 1_000_000 + " ms" : "") + ">";
        }
    }

    /** Where a failing callback's error goes; the loop itself goes on. */
    public void onError(Consumer<Throwable> handler) {
        this.errorHandler = handler;
    }

    /** Reports an error through the error handler, as a failing callback's would be. */
    public void report(Throwable error) {
        errorHandler.accept(error);
    }

    public void post(Runnable task) {
        queue.add(task);
        if (asleep) wake();
    }

    /** Keeps the loop alive without a name: prefer {@link #hold(String, Object, Throwable)}. */
    public void hold() {
        holds.incrementAndGet();
    }

    public void release() {
        holds.decrementAndGet();
    }

    /**
     * Something that keeps a script running: its kind ("server", "on-readable", "tap"...), what it
     * is (its toString is shown) and where the script made it (a {@link CallbackError#here}
     * trace, or null).
     */
    public static final class Keeper {
        private final String kind;
        private final Object what;
        private final Throwable registeredAt;

        Keeper(String kind, Object what, Throwable registeredAt) {
            this.kind = kind;
            this.what = what;
            this.registeredAt = registeredAt;
        }

        public String kind() {
            return kind;
        }

        public String what() {
            return String.valueOf(what);
        }

        public Throwable registeredAt() {
            return registeredAt;
        }
    }

    /** Keeps the loop alive until {@link #release(Keeper)}; listed by {@link #keepers}. Any thread. */
    public Keeper hold(String kind, Object what, Throwable registeredAt) {
        Keeper k = new Keeper(kind, what, registeredAt);
        keepers.add(k);
        holds.incrementAndGet();
        return k;
    }

    /** Ends a {@link #hold(String, Object, Throwable)}; a second release of the same keeper does nothing. */
    public void release(Keeper k) {
        if (k != null && keepers.remove(k)) holds.decrementAndGet();
    }

    /** What keeps the loop alive now: named holds, then pending timers (soonest first), from any thread. */
    public List<Keeper> keepers() {
        List<Keeper> out = new ArrayList<>(keepers);
        Timer[] ts = timers.toArray(new Timer[0]);
        try {
            Arrays.sort(ts);
        } catch (IllegalArgumentException e) {
            // a periodic timer moved while it was sorted: the order is only for reading
        }
        for (Timer t : ts) {
            if (!t.cancelled) out.add(new Keeper("timer", t.what != null ? t.what : t.toString(), t.registeredAt));
        }
        int unnamed = holds.get() - keepers.size();
        if (unnamed > 0) out.add(new Keeper("other", unnamed + " pending operation" + (unnamed == 1 ? "" : "s"), null));
        return out;
    }

    /** Runs task after ms on the loop thread. Call from the loop thread. */
    public Timer after(long ms, Runnable task) {
        return after(ms, task, null, null);
    }

    /** {@link #after}, listed by {@link #keepers} as what, made at registeredAt. */
    public Timer after(long ms, Runnable task, String what, Throwable registeredAt) {
        Timer t = new Timer(System.nanoTime() + Math.max(0, ms) * 1_000_000L, 0, task, what, registeredAt);
        timers.add(t);
        return t;
    }

    /** Runs task every ms on the loop thread until cancelled. Call from the loop thread. */
    public Timer every(long ms, Runnable task) {
        return every(ms, task, null, null);
    }

    /** {@link #every}, listed by {@link #keepers} as what, made at registeredAt. */
    public Timer every(long ms, Runnable task, String what, Throwable registeredAt) {
        long p = Math.max(1, ms) * 1_000_000L;
        Timer t = new Timer(System.nanoTime() + p, p, task, what, registeredAt);
        timers.add(t);
        return t;
    }

    public void cancel(Timer t) {
        t.cancelled = true;
        timers.remove(t);
    }

    /** Something is still registered: a script keeps serving events. */
    public boolean alive() {
        return holds.get() > 0 || !timers.isEmpty() || !queue.isEmpty();
    }

    /**
     * Runs due timers and queued events, waiting at most maxWaitMs (negative: until
     * something happens) for the first one. Returns whether anything ran.
     */
    public boolean runOnce(long maxWaitMs) throws InterruptedException {
        boolean ran = runDueTimers();
        Runnable task = queue.poll();
        if (task == null && !ran) {
            long wait = maxWaitMs < 0 ? Long.MAX_VALUE : maxWaitMs * 1_000_000L;
            Timer next = timers.peek();
            if (next != null) wait = Math.min(wait, Math.max(0, next.due - System.nanoTime()));
            if (wakeFd >= 0) {
                ran = sleep(wait);
                task = queue.poll();
            } else {
                task = wait == Long.MAX_VALUE ? queue.take() : queue.poll(wait, TimeUnit.NANOSECONDS);
            }
            ran |= runDueTimers();
        }
        while (task != null) {
            runSafely(task);
            ran = true;
            task = queue.poll();
        }
        return ran;
    }

    private boolean runDueTimers() {
        boolean ran = false;
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && t.due <= now) {
            timers.poll();
            if (t.period > 0) {
                t.due += t.period;
                if (t.due < now) t.due = now + t.period;
                timers.add(t);
            }
            runSafely(t.task);
            ran = true;
        }
        return ran;
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            if (e instanceof ipcsh.ExitRequest exit) throw exit;
            errorHandler.accept(e);
        }
    }

    /** Serves events while anything keeps the loop alive (a script after its top level). */
    public void run() throws InterruptedException {
        while (alive()) runOnce(-1);
    }

    /**
     * Serves events until done holds or timeoutMs passes (negative: no limit); Tcl's vwait.
     * Returns whether done held. Ctrl-C ends the wait with {@link Interrupts.InterruptedError}.
     */
    public boolean runUntil(BooleanSupplier done, long timeoutMs, String what) throws InterruptedException {
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMs * 1_000_000L;
        while (!done.getAsBoolean()) {
            if (Interrupts.pending()) throw new Interrupts.InterruptedError(what);
            long left = deadline == Long.MAX_VALUE ? 50 : Math.min(50, (deadline - System.nanoTime()) / 1_000_000);
            if (left <= 0 && deadline != Long.MAX_VALUE) return done.getAsBoolean();
            runOnce(Math.max(1, left));
        }
        return true;
    }

    // ---- descriptors the loop thread serves itself (signal traps, issue 9)

    /** An eventfd that {@link #post} writes while the loop sleeps in poll(2); -1 until {@link #serve}. */
    private volatile int wakeFd = -1;
    private volatile boolean asleep;
    private int[] pollFds = {};
    private short[] pollEvents = {}, pollReady = {};
    private Runnable[] served = {};

    /**
     * Makes the loop thread itself run task whenever fd is readable, with no other thread
     * between the descriptor and the task: from then on the loop sleeps in poll(2) over fd and
     * an eventfd that {@link #post} writes, instead of in its queue. For a descriptor whose
     * latency is the point (the signal pipe: a round trip with a {@link Reactor} hop costs one
     * more thread wake-up); everything else goes through the Reactor. Call from the loop thread.
     */
    public void serve(int fd, Runnable task) {
        if (wakeFd < 0) {
            pollFds = new int[] {LibC.get().eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC)};
            served = new Runnable[] {null};
        }
        int n = pollFds.length;
        pollFds = Arrays.copyOf(pollFds, n + 1);
        pollFds[n] = fd;
        served = Arrays.copyOf(served, n + 1);
        served[n] = task;
        pollEvents = new short[n + 1];
        Arrays.fill(pollEvents, LibC.POLLIN);
        pollReady = new short[n + 1];
        wakeFd = pollFds[0];
    }

    private void wake() {
        LibC.get().write(wakeFd, ONE, 0, 8); // a full counter (WOULD_BLOCK) wakes the loop as well
    }

    private static final byte[] ONE = {1, 0, 0, 0, 0, 0, 0, 0};
    private final byte[] counter = new byte[8];

    /** Sleeps in poll(2) until a post, a served descriptor or nanos pass; runs the served tasks that are due. */
    private boolean sleep(long nanos) throws InterruptedException {
        boolean ran = false;
        asleep = true;
        try {
            if (!queue.isEmpty()) return false; // posted before asleep was seen
            int ms = nanos == Long.MAX_VALUE ? -1 : (int) Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000);
            Arrays.fill(pollReady, (short) 0); // poll(2) interrupted by a signal leaves them as they were
            LibC.get().poll(pollFds, pollEvents, pollReady, ms);
        } finally {
            asleep = false;
        }
        if (pollReady[0] != 0) LibC.get().read(pollFds[0], counter, 0, 8);
        for (int i = 1; i < pollFds.length; i++) {
            if (pollReady[i] != 0) {
                runSafely(served[i]);
                ran = true;
            }
        }
        if (Thread.interrupted()) throw new InterruptedException();
        return ran;
    }
}
