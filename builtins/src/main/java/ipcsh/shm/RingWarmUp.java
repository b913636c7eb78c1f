package ipcsh.shm;

import ipcsh.os.LibC;
import ipcsh.os.LinkAhead;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.regex.Pattern;

/**
 * A ring's data path runs interpreted until C1 has compiled it, some 250 methods in all (the
 * ring's own, the JDK's memory-segment and var-handle code beneath them, the native calls'
 * stubs), and a process compiles them while its first ring copy runs: on 2 CPUs the two
 * sides' compiler threads then take the CPUs both copying threads need, and 1 GiB through a
 * 1 MiB ring ran at half the speed it has once they are compiled (bench/run shm-ring). A
 * script file that names shm-ring has them compiled while it loads instead: a thread of its
 * own moves bytes from /dev/zero to /dev/null through a private ring in this process's own
 * memory (no shared object, nothing another process sees), in both roles.
 */
public final class RingWarmUp {
    /** shm-ring (ipc.shmRing in JavaScript). */
    public static final LinkAhead.Ahead AHEAD = new LinkAhead.Ahead(Pattern.compile("shm-ring|shmRing"),
            "ipcsh-ring-warm-up", RingWarmUp::run);
    private static final long CAPACITY = 64 * 1024, CHUNK = 16 * 1024;
    /**
     * Rounds (a fill and a drain) per batch, and the pause between batches. C1 drops a queued
     * compilation whose method has not run for 50 ms (TieredCompileTaskTimeout), and during
     * start-up its queue is longer than that: the path has to stay in use until compiled, but
     * not take a core from the start-up it runs beside.
     */
    private static final int BATCH = 20, PAUSE_MS = 5;
    /**
     * A batch this fast ran compiled code: a round (with its doorbell's calls) takes ~11 us once
     * the ring's methods are compiled, 20-30 us while only the JDK's beneath them are, 100 us
     * and more interpreted.
     */
    private static final long FAST_NS = BATCH * 15_000L;
    /** Batches in a row that must be fast, and when to give up (a loaded machine). */
    private static final int FAST_BATCHES = 3;
    private static final long GIVE_UP_NS = 3_000_000_000L;

    private RingWarmUp() {}

    /** Runs the path; quietly stops when something is missing (no /dev/zero): the first real copy compiles it then. */
    static void run() {
        LibC c = LibC.get();
        int zero = -1, sink = -1;
        int[] bells = null;
        // shared, as a ring's mapping: its session's methods are the ones the real copy calls
        try (Arena arena = Arena.ofShared()) {
            MemorySegment mem = arena.allocate(RingDriver.HEADER + CAPACITY, 4096);
            bells = c.pipe2(LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            RingDriver w = RingDriver.detached(mem, CAPACITY, true, bells[0], bells[1]);
            RingDriver r = RingDriver.detached(mem, CAPACITY, false, bells[0], bells[1]);
            zero = c.open("/dev/zero", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            sink = c.open("/dev/null", LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
            Bell bell = new Bell(bells[0], bells[1]);
            long giveUp = System.nanoTime() + GIVE_UP_NS;
            for (int fast = 0; fast < FAST_BATCHES && System.nanoTime() - giveUp < 0; ) {
                long t = System.nanoTime();
                if (!batch(w, r, zero, sink, bell)) return;
                fast = System.nanoTime() - t < FAST_NS ? fast + 1 : 0;
                Thread.sleep(PAUSE_MS);
            }
        } catch (RuntimeException | InterruptedException e) {
            // a process without /dev/zero or /dev/null, or out of descriptors: nothing compiled ahead
        } finally {
            if (zero >= 0) c.close(zero);
            if (sink >= 0) c.close(sink);
            if (bells != null) {
                c.close(bells[0]);
                c.close(bells[1]);
            }
        }
    }

    /**
     * The native calls a side's doorbell makes when it sleeps and is woken (a byte written from
     * an array, the pipe read empty into one, a poll), which the rounds below never need.
     */
    private record Bell(int read, int write, byte[] buf, int[] fds, short[] events, short[] revents) {
        Bell(int read, int write) {
            this(read, write, new byte[4096], new int[] {read}, new short[] {LibC.POLLIN}, new short[1]);
        }

        void ring() {
            LibC c = LibC.get();
            c.write(write, buf, 0, 1);
            c.poll(fds, events, revents, 0);
            while (c.read(read, buf, 0, buf.length) > 0) {
                // emptied, as a side drains its doorbell before it sleeps
            }
        }
    }

    /** A fill, then a drain of what it put there, BATCH times: never full or empty, so no side waits or rings. */
    private static boolean batch(RingDriver w, RingDriver r, int zero, int sink, Bell bell) {
        for (int i = 0; i < BATCH; i++) {
            bell.ring();
            long n = w.fillFrom(zero, CHUNK);
            if (n <= 0) return false;
            for (long d; n > 0; n -= d) {
                d = r.drainTo(sink, n);
                if (d <= 0) return false;
            }
        }
        return true;
    }
}
