package ipcsh.groups;

import ipcsh.chan.Channel;
import ipcsh.loop.CallbackError;
import ipcsh.loop.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.fn;
import static ipcsh.groups.T.loopUntil;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(20)
class EventLoopBuiltinsTest {
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void collectErrors() {
        EventLoop.main().onError(errors::add);
    }

    @AfterEach
    void drain() {
        loopUntil(() -> false, 20);
    }

    @Test
    void timersRunInDueOrderAndTiesInCreationOrder() {
        List<String> order = new CopyOnWriteArrayList<>();
        call("after", 60L, fn(x -> order.add("c")));
        call("after", 20L, fn(x -> order.add("a")));
        call("after", 20L, fn(x -> order.add("b")));
        call("after", 0L, fn(x -> order.add("first")));
        assertTrue(loopUntil(() -> order.size() == 4, 2000));
        assertEquals(List.of("first", "a", "b", "c"), order);
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void cancelledTimerNeverRuns() {
        List<String> ran = new CopyOnWriteArrayList<>();
        Object t = call("after", 30L, fn(x -> ran.add("cancelled one")));
        Object e = call("every", 10L, fn(x -> ran.add("tick")));
        call("cancel", t);
        call("cancel", t);
        loopUntil(() -> ran.size() >= 3, 2000);
        call("cancel", e);
        int ticks = ran.size();
        loopUntil(() -> false, 80);
        assertEquals(ticks, ran.size(), "every ran after cancel");
        assertFalse(ran.contains("cancelled one"));
    }

    @Test
    void throwingEveryCallbackIsCancelledAndReportedOnceWithWhereItWasMade() {
        int[] calls = {0};
        call("every", 5L, fn(x -> {
            calls[0]++;
            throw new IllegalStateException("boom");
        }));
        loopUntil(() -> !errors.isEmpty(), 2000);
        loopUntil(() -> false, 60);
        assertEquals(1, calls[0]);
        assertEquals(1, errors.size());
        CallbackError e = assertInstanceOf(CallbackError.class, errors.get(0));
        assertTrue(e.getMessage().contains("every 5 ms callback failed: boom"), e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(Arrays.stream(e.registeredAt().getStackTrace()).anyMatch(f -> f.getMethodName().contains("throwingEveryCallback")),
                "registration trace names the test method");
    }

    @Test
    void readableCallbackRunsAtEndOfStream() {
        List<?> p = (List<?>) call("pipe");
        Channel r = (Channel) p.get(0), w = (Channel) p.get(1);
        List<Object> got = new ArrayList<>();
        call("on-readable", r, fn(x -> {
            Object line = r.gets();
            got.add(line == null ? "EOF" : line);
            if (r.eof()) r.close();
        }));
        w.puts("only line");
        w.close();
        assertTrue(loopUntil(() -> r.isClosed(), 2000));
        assertEquals(List.of("only line", "EOF"), got);
    }

    @Test
    void readableCallbackIsCalledAgainWhileLinesRemainBuffered() {
        List<?> p = (List<?>) call("pipe");
        Channel r = (Channel) p.get(0), w = (Channel) p.get(1);
        List<Object> got = new ArrayList<>();
        call("on-readable", r, fn(x -> got.add(r.gets())));
        w.write("one\ntwo\nthree\n");
        w.flush();
        assertTrue(loopUntil(() -> got.size() == 3, 2000));
        assertEquals(List.of("one", "two", "three"), got);
        call("on-readable", r, null);
        r.close();
        w.close();
    }

    @Test
    void writableCallbackFiresAndNilRemovesIt() {
        List<?> p = (List<?>) call("pipe");
        Channel r = (Channel) p.get(0), w = (Channel) p.get(1);
        int[] n = {0};
        call("on-writable", w, fn(x -> {
            if (++n[0] == 3) call("on-writable", w, null);
        }));
        assertTrue(loopUntil(() -> n[0] == 3, 2000));
        loopUntil(() -> false, 50);
        assertEquals(3, n[0]);
        r.close();
        w.close();
    }

    @Test
    void throwingReadableCallbackIsRemovedAndReportedOnce() {
        List<?> p = (List<?>) call("pipe");
        Channel r = (Channel) p.get(0), w = (Channel) p.get(1);
        int[] calls = {0};
        call("on-readable", r, fn(x -> {
            calls[0]++;
            throw new RuntimeException("bad handler");
        }));
        w.puts("x");
        loopUntil(() -> !errors.isEmpty(), 2000);
        loopUntil(() -> false, 50);
        assertEquals(1, calls[0]);
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().startsWith("on-readable callback of " + r.id()), errors.get(0).getMessage());
        r.close();
        w.close();
    }

    @Test
    void closingTheChannelRemovesItsHandlersAndReleasesTheLoop() {
        List<?> p = (List<?>) call("pipe");
        Channel r = (Channel) p.get(0), w = (Channel) p.get(1);
        call("on-readable", r, fn(x -> {}));
        assertTrue(EventLoop.main().alive());
        r.close();
        w.close();
        loopUntil(() -> false, 20);
        assertFalse(EventLoop.main().alive());
    }

    @Test
    void waitForReturnsTrueWhenPredicateHoldsAndFalseOnTimeout() {
        boolean[] flag = {false};
        call("after", 10L, fn(x -> flag[0] = true));
        assertEquals(true, call("wait-for", (ipcsh.Callback) xs -> flag[0], opts("timeout", 2000L)));
        long t0 = System.nanoTime();
        assertEquals(false, call("wait-for", (ipcsh.Callback) xs -> null, opts("timeout", 50L)));
        assertTrue(System.nanoTime() - t0 >= 45_000_000L);
        CompletableFuture<String> f = new CompletableFuture<>();
        call("after", 5L, fn(x -> f.complete("done")));
        assertEquals(true, call("wait-for", f, opts("timeout", 2000L)));
    }

    @Test
    void runLoopReturnsOnceNothingIsRegistered() {
        List<String> ran = new ArrayList<>();
        call("after", 10L, fn(x -> ran.add("a")));
        call("after", 20L, fn(x -> ran.add("b")));
        assertNull(call("run-loop"));
        assertEquals(List.of("a", "b"), ran);
    }
}
