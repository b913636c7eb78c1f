package ipcsh.shm;

import ipcsh.IpcException;
import ipcsh.chan.Interrupts;
import ipcsh.chan.TimeoutError;
import ipcsh.os.Errno;
import ipcsh.os.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Map;

/**
 * A glibc pthread_mutex_t inside a segment, process-shared and robust: when the thread holding it
 * dies (its process killed), the kernel walks the robust list glibc registered for that thread
 * (set_robust_list(2), done for every thread pthread_create starts, the JVM's included), marks the
 * futex word FUTEX_OWNER_DIED and wakes a waiter, whose lock returns EOWNERDEAD: it holds the
 * mutex and is told so. Until it calls pthread_mutex_consistent the mutex is marked inconsistent;
 * unlocking without that makes it unusable for everyone (ENOTRECOVERABLE).
 *
 * <p>A pthread mutex belongs to the thread that locked it: only that thread may unlock it. Every
 * script's code runs on the one interpreter thread, so that is always so; {@link #unlock} checks.
 * A wait is pthread_mutex_clocklock in {@value #SLICE_MS} ms slices with Ctrl-C and the deadline
 * checked between them (as a semaphore's); an unlock wakes the waiter at once (the futex).
 */
public final class Mutex {
    private static final int SLICE_MS = 50;
    private static final VarHandle KIND = ValueLayout.JAVA_INT.varHandle();
    private static volatile int initialisedKind = -1;
    private final Segment seg;
    private final long offset;
    private final MemorySegment m;
    private Thread holder;
    private boolean ownerDied;

    private Mutex(Segment seg, long offset, MemorySegment m) {
        this.seg = seg;
        this.offset = offset;
        this.m = m;
    }

    /**
     * The mutex at offset of seg. With init, it is initialised (robust, process-shared, error-checking),
     * whatever was there; without it, bytes that are all zero (a new segment) are initialised once
     * (the first to set the __kind word wins, so two processes starting together agree), and anything
     * else must already be a robust process-shared mutex.
     */
    public static Mutex at(String verb, Segment seg, long offset, boolean init) {
        long size = LibC.PTHREAD_MUTEX_SIZE;
        if (!seg.writable()) throw new IpcException(verb + " " + seg.name() + ": segment is mapped read-only (opened with :read); a mutex is written to");
        if (offset < 0 || offset + size > seg.size()) {
            throw new IpcException(verb + " " + seg.name() + ": offset " + offset + " + " + size + " bytes (a pthread_mutex_t) is "
                    + (offset < 0 ? "negative" : "past the end (" + seg.size() + ")"));
        }
        MemorySegment all = seg.memory();
        if ((all.address() + offset) % 8 != 0) {
            throw new IpcException(verb + " " + seg.name() + ": offset " + offset + " is not aligned; a pthread_mutex_t needs a multiple of 8");
        }
        MemorySegment m = all.asSlice(offset, size);
        if (init) {
            LibC.get().pthreadMutexInitRobustShared(m);
        } else if (isZero(m)) {
            KIND.compareAndSet(m, (long) LibC.PTHREAD_MUTEX_KIND_OFFSET, 0, initialKind(verb));
        }
        int kind = (int) KIND.getVolatile(m, (long) LibC.PTHREAD_MUTEX_KIND_OFFSET);
        int need = LibC.PTHREAD_MUTEX_ROBUST_BIT | LibC.PTHREAD_MUTEX_PSHARED_BIT;
        if ((kind & need) != need) {
            throw new IpcException(String.format("%s %s: the bytes at offset %d are not a robust process-shared mutex "
                    + "(__kind 0x%x); (mutex seg %d {:init true}) makes one there", verb, seg.name(), offset, kind, offset));
        }
        return new Mutex(seg, offset, m);
    }

    private static boolean isZero(MemorySegment m) {
        for (long i = 0; i < m.byteSize(); i++) if (m.get(ValueLayout.JAVA_BYTE, i) != 0) return false;
        return true;
    }

    /**
     * The __kind pthread_mutex_init gives our attributes, read from a mutex initialised in private
     * memory: with every other byte zero, as glibc leaves them, setting __kind alone initialises one.
     */
    private static int initialKind(String verb) {
        int k = initialisedKind;
        if (k >= 0) return k;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment probe = a.allocate(LibC.PTHREAD_MUTEX_SIZE, 8);
            LibC.get().pthreadMutexInitRobustShared(probe);
            k = probe.get(ValueLayout.JAVA_INT, LibC.PTHREAD_MUTEX_KIND_OFFSET);
            probe.set(ValueLayout.JAVA_INT, LibC.PTHREAD_MUTEX_KIND_OFFSET, 0);
            if (!isZero(probe) || k == 0) {
                throw new IpcException(verb + ": this C library's pthread_mutex_init writes more than __kind; "
                        + "initialise the mutex explicitly with {:init true}, in one process");
            }
        }
        initialisedKind = k;
        return k;
    }

    /**
     * Locks, waiting up to timeoutMs (negative: as long as it takes), broken by Ctrl-C. Returns
     * true when the previous owner died holding it: the caller now holds it and should repair.
     */
    public boolean lock(String verb, long timeoutMs) {
        check(verb);
        if (holder == Thread.currentThread()) throw new IpcException(verb + " " + this + ": this shell holds it already", Map.of("errno", "EDEADLK"));
        LibC c = LibC.get();
        long start = c.monotonicNanos();
        while (true) {
            if (Interrupts.pending() || Thread.currentThread().isInterrupted()) throw new Interrupts.InterruptedError(verb + " " + this);
            long now = c.monotonicNanos();
            long left = timeoutMs < 0 ? Long.MAX_VALUE : timeoutMs * 1_000_000L - (now - start);
            int r = left <= 0 ? c.pthreadMutexTrylock(m) : c.pthreadMutexClocklock(m, now + Math.min(left, SLICE_MS * 1_000_000L));
            switch (r) {
                case 0 -> {
                    return took(false);
                }
                case Errno.EOWNERDEAD -> {
                    return took(true);
                }
                case Errno.ENOTRECOVERABLE -> throw new IpcException(verb + " " + this + ": not recoverable: a holder found "
                        + "its owner dead and unlocked without repairing (ENOTRECOVERABLE); (mutex seg " + offset
                        + " {:init true}) makes it anew", Map.of("errno", "ENOTRECOVERABLE"));
                case Errno.EDEADLK -> throw new IpcException(verb + " " + this + ": this thread holds it already (EDEADLK)", Map.of("errno", "EDEADLK"));
                default -> {
                    if (left <= 0) throw new TimeoutError(verb + " " + this, timeoutMs);
                }
            }
        }
    }

    /** Locks only if free now: null when another holds it, else whether the owner died (as {@link #lock}). */
    public Boolean tryLock(String verb) {
        check(verb);
        if (holder == Thread.currentThread()) return null;
        int r = LibC.get().pthreadMutexTrylock(m);
        if (r == Errno.ENOTRECOVERABLE) {
            throw new IpcException(verb + " " + this + ": not recoverable (ENOTRECOVERABLE); (mutex seg " + offset + " {:init true}) makes it anew",
                    Map.of("errno", "ENOTRECOVERABLE"));
        }
        return r == 0 ? Boolean.valueOf(took(false)) : r == Errno.EOWNERDEAD ? Boolean.valueOf(took(true)) : null;
    }

    private boolean took(boolean died) {
        holder = Thread.currentThread();
        ownerDied = died;
        return died;
    }

    /**
     * Unlocks. After an owner's death, repaired says the data is whole again (pthread_mutex_consistent
     * first: the next locker gets a normal mutex); false leaves the mutex unusable (ENOTRECOVERABLE),
     * so nobody goes on with data a failed repair left half done.
     */
    public void unlock(String verb, boolean repaired) {
        check(verb);
        if (holder != Thread.currentThread()) {
            throw new IpcException(verb + " " + this + ": " + (holder == null ? "not locked by this shell" : "locked by another thread")
                    + " (EPERM): a pthread mutex is unlocked by the thread that locked it", Map.of("errno", "EPERM"));
        }
        if (ownerDied && repaired) LibC.get().pthreadMutexConsistent(m);
        holder = null;
        ownerDied = false;
        LibC.get().pthreadMutexUnlock(m);
    }

    public boolean held() {
        return holder != null;
    }

    public boolean ownerDied() {
        return ownerDied;
    }

    private void check(String verb) {
        if (seg.isClosed()) throw new IpcException(verb + " " + this + ": its segment is closed");
    }

    @Override
    public String toString() {
        return "#<mutex " + seg.name() + " @" + offset + (holder != null ? " held" : "") + ">";
    }
}
