package ipcsh.lang.js;

import ipcsh.RegisteredAt;
import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.loop.ChannelEvents;
import ipcsh.loop.EventLoop;
import org.graalvm.polyglot.Value;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads that answer with a Promise (ch.getsAsync(), ch.readAsync(n), for await over
 * ch.lines()): at once when the channel has a whole frame, else when the loop's channel events
 * say it is readable. Reads on a channel are served in the order they were asked for: while
 * some wait, a new one queues behind them, and the channel's one readable handler lets the
 * oldest try (it fires again while input is still buffered, for the next one).
 */
final class AsyncReads {
    private static final Map<String, Object> NON_BLOCKING = Map.of("blocking", false);
    private static final Map<String, Object> BLOCKING = Map.of("blocking", true);

    private final EventLoop loop = EventLoop.main();
    private final JsValues values;
    private final Value deferred;
    /** Reads waiting for readability, by channel: closing the channel ends them with null. */
    private final Map<Channel, List<Pending>> waiting = new IdentityHashMap<>();

    AsyncReads(JsValues values, Value deferred) {
        this.values = values;
        this.deferred = deferred;
    }

    /**
     * A Promise of op's value on ch (op runs with the channel non-blocking). Holds the loop
     * while pending. It takes ch's one readable handler while it waits.
     */
    Value read(Channel ch, Supplier<Object> op) {
        Value d = deferred.execute();
        new Pending(ch, op, d.getMember("resolve"), d.getMember("reject")).start();
        return d.getMember("promise");
    }

    /** ch closed: the reads waiting on it end with null. */
    void closed(Channel ch) {
        List<Pending> w = waiting.remove(ch);
        if (w != null) loop.post(() -> w.forEach(Pending::closed));
    }

    /** Sets or removes ch's readable handler: the oldest waiting read tries. */
    private void watch(Channel ch, boolean on) {
        if (!on) {
            ChannelEvents.set(ch, false, null, null);
            return;
        }
        ChannelEvents.set(ch, false, () -> {
            List<Pending> queue = waiting.get(ch);
            if (queue != null && !queue.isEmpty()) queue.get(0).attempt();
        }, RegisteredAt.here("on-readable " + ch.describe()));
    }

    /** One async read. */
    private final class Pending {
        private final Channel ch;
        private final Supplier<Object> op;
        private final Value resolve;
        private final Value reject;
        private boolean watching;
        private EventLoop.Keeper keeper;

        Pending(Channel ch, Supplier<Object> op, Value resolve, Value reject) {
            this.ch = ch;
            this.op = op;
            this.resolve = resolve;
            this.reject = reject;
        }

        void start() {
            keeper = loop.hold("read", "an awaited read of " + ch.describe(), null);
            List<Pending> queue = waiting.get(ch);
            if (queue != null && !queue.isEmpty()) {
                queue.add(this);
                watching = true;
                return;
            }
            attempt();
        }

        private void attempt() {
            Object r;
            try {
                boolean blocking = !ch.isClosed() && Boolean.TRUE.equals(ch.configure("blocking"));
                if (blocking) ch.configure(NON_BLOCKING);
                try {
                    r = op.get();
                } finally {
                    if (blocking && !ch.isClosed()) ch.configure(BLOCKING);
                }
                if (r == null && ch.blocked() && !ch.isClosed()) {
                    if (!watching) {
                        waiting.computeIfAbsent(ch, c -> new ArrayList<>()).add(this);
                        watching = true;
                        watch(ch, true);
                    }
                    return;
                }
            } catch (IpcException e) {
                settle();
                JsRun.runJobs(() -> reject.execute(values.errorValue(e)));
                return;
            }
            settle();
            JsRun.runJobs(() -> resolve.execute(values.toJs(r)));
        }

        /** Before resolving: the continuation may read ch again. The last one out removes the handler. */
        private void settle() {
            if (watching) {
                List<Pending> queue = waiting.get(ch);
                if (queue != null && queue.remove(this) && queue.isEmpty()) {
                    waiting.remove(ch);
                    if (!ch.isClosed()) watch(ch, false);
                }
            }
            watching = false;
            loop.release(keeper);
        }

        /** ch was closed while this waited: nothing more will come. */
        void closed() {
            if (!watching) return;
            watching = false;
            loop.release(keeper);
            JsRun.runJobs(() -> resolve.execute((Object) null));
        }
    }
}
