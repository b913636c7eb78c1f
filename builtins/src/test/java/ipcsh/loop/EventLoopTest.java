package ipcsh.loop;

import ipcsh.ExitRequest;
import ipcsh.os.LibC;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interpreter thread's loop on its own (a fresh EventLoop, not the shell's): what a script
 * relies on when its callbacks fail, exit, fall behind or are woken from other threads.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EventLoopTest {
    private final EventLoop loop = new EventLoop();
    private final List<Throwable> reported = new ArrayList<>();

    EventLoopTest() {
        loop.onError(reported::add);
    }

    @Test
    void aFailingCallbackIsReportedAndTheLoopGoesOnWithTheNext() throws Exception {
        List<String> ran = new ArrayList<>();
        RuntimeException boom = new IllegalStateException("boom");
        loop.post(() -> ran.add("first"));
        loop.post(() -> { throw boom; });
        loop.post(() -> ran.add("after the failure"));
        loop.after(0, () -> ran.add("timer"));
        while (loop.alive()) loop.runOnce(1000);
        assertEquals(List.of("timer", "first", "after the failure"), ran);
        assertEquals(List.of(boom), reported);
    }

    /** (exit 3) in a callback ends the shell with 3; it is not an error to report and carry on from. */
    @Test
    void anExitInACallbackLeavesTheLoopInsteadOfBeingReported() {
        AtomicInteger after = new AtomicInteger();
        loop.post(() -> { throw new ExitRequest(3); });
        loop.post(after::incrementAndGet);
        ExitRequest e = assertThrows(ExitRequest.class, () -> loop.runOnce(0));
        assertEquals(3, e.status());
        assertEquals(List.of(), reported);
        assertEquals(0, after.get());
    }

    /**
     * A periodic timer whose run took three periods and more runs once late, then on its period
     * again: the ticks it missed are dropped, not replayed back to back.
     */
    @Test
    void theTicksAnOverrunningPeriodicTimerMissedAreDroppedNotReplayed() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        loop.every(200, () -> {
            if (runs.incrementAndGet() == 1) sleep(700);
        });
        while (runs.get() == 0) loop.runOnce(1000);
        long firstEnded = System.nanoTime();
        while (System.nanoTime() - firstEnded < 120_000_000L) loop.runOnce(10);
        long window = System.nanoTime() - firstEnded;
        // the late run is due at once; the next one a period after it (later than this window)
        if (window < 190_000_000L) assertEquals(2, runs.get(), "runs within " + window / 1_000_000 + " ms of the overrun");
    }

    @Test
    void aCancelledTimerNoLongerKeepsTheLoopAlive() throws Exception {
        EventLoop.Timer t = loop.after(60_000, () -> { throw new AssertionError("ran"); });
        assertTrue(loop.alive());
        loop.cancel(t);
        assertFalse(loop.alive());
        assertTrue(t.cancelled());
    }

    /** Two things keep a server alive; one of them let go twice must not let the other go too. */
    @Test
    void aKeeperReleasedTwiceIsReleasedOnce() {
        EventLoop.Keeper server = loop.hold("server", "unix /tmp/a.sock", null);
        EventLoop.Keeper watch = loop.hold("on-readable", "fifo /tmp/b", null);
        loop.release(server);
        loop.release(server);
        assertTrue(loop.alive());
        assertEquals(List.of("on-readable"), loop.keepers().stream().map(EventLoop.Keeper::kind).toList());
        loop.release(watch);
        assertFalse(loop.alive());
        assertEquals(List.of(), loop.keepers());
    }

    @Test
    void pendingTimersAreListedSoonestFirstAfterTheNamedHolds() {
        loop.after(50_000, () -> {}, "after 50000 ms", null);
        loop.after(10_000, () -> {}, "after 10000 ms", null);
        loop.hold("tap", "tap /tmp/x", null);
        loop.hold();
        assertEquals(List.of("tap tap /tmp/x", "timer after 10000 ms", "timer after 50000 ms", "other 1 pending operation"),
                loop.keepers().stream().map(k -> k.kind() + " " + k.what()).toList());
    }

    /**
     * Once the loop serves a descriptor itself it sleeps in poll(2): the descriptor's task runs on
     * the loop's own thread, and a post from another thread still wakes it.
     */
    @Test
    void aServedDescriptorsTaskRunsOnTheLoopThreadAndAPostStillWakesIt() throws Exception {
        LibC c = LibC.get();
        int[] pipe = c.pipe2(LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        try {
            AtomicReference<Thread> servedOn = new AtomicReference<>();
            byte[] buf = new byte[16];
            loop.serve(pipe[0], () -> {
                c.read(pipe[0], buf, 0, buf.length);
                servedOn.set(Thread.currentThread());
            });
            Thread writer = Thread.ofPlatform().start(() -> {
                sleep(100);
                c.write(pipe[1], new byte[] {'x'}, 0, 1);
            });
            while (servedOn.get() == null) loop.runOnce(10_000);
            writer.join();
            assertSame(Thread.currentThread(), servedOn.get());

            AtomicReference<Thread> postedOn = new AtomicReference<>();
            Thread poster = Thread.ofPlatform().start(() -> {
                sleep(100);
                loop.post(() -> postedOn.set(Thread.currentThread()));
            });
            long t0 = System.nanoTime();
            while (postedOn.get() == null) loop.runOnce(20_000);
            poster.join();
            assertSame(Thread.currentThread(), postedOn.get());
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "the post woke the poll");
        } finally {
            c.close(pipe[0]);
            c.close(pipe[1]);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
