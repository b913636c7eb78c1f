package ipcsh.rpc;

import ipcsh.Callback;
import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.Framing;
import ipcsh.loop.EventLoop;
import ipcsh.loop.Reactor;
import ipcsh.chan.Interrupts;
import ipcsh.os.LibC;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A JSON-RPC 2.0 peer over a channel (or a read and a write channel, as stdin and stdout):
 * calls go out with fresh ids and wait for the reply with that id; requests and notifications
 * that come in go to the handlers {@link RpcHandlers} runs. Both sides at once: a client
 * answers its server's requests (LSP's workspace/configuration), a server may call its client.
 *
 * <p>Replies are read by the event loop: the channel is made non-blocking and watched by the
 * reactor, which posts a read to the interpreter thread when bytes arrive. A blocking
 * {@link #call} sends, then serves the loop ({@link EventLoop#runUntil}) until its reply is
 * in, so the handlers of requests that arrive meanwhile run, on the interpreter thread, while
 * the call waits. Requests are posted as tasks of their own rather than run inside the read,
 * so a handler may itself call the peer: the read that delivered it has returned and the
 * channel is watched again.
 */
public final class RpcPeer implements Closeable {
    private final Channel in, out;
    private final String name;
    private final EventLoop loop = Reactor.get().loop();
    private final Map<Long, RpcCall> calls = new HashMap<>();
    final RpcHandlers handlers;
    private final boolean owned;
    private final Throwable registeredAt;
    private Reactor.Interest watch;
    /** Calls waiting on this thread (a handler served meanwhile may call too). */
    private int waiting;
    /** A task to watch again is queued: calls in a row then cost no epoll_ctl each. */
    private boolean rewatchQueued;
    private EventLoop.Keeper keeper;
    private long nextId = 1;
    private boolean closed;
    private String endedBy;
    private Runnable onEnd;

    private RpcPeer(Channel in, Channel out, boolean owned, Throwable registeredAt) {
        this.in = in;
        this.out = out;
        this.owned = owned;
        this.registeredAt = registeredAt;
        this.name = in == out ? in.describe() : in.describe() + " and " + out.describe();
        this.handlers = new RpcHandlers(this);
    }

    /**
     * A peer reading in and writing out (the same channel for a socket or a process). framing
     * null: the channel's own when it carries JSON, else :json-lines. owned: closing the peer
     * (or the peer's end of stream) closes the channels.
     */
    public static RpcPeer open(Channel in, Channel out, Framing framing, boolean owned, Throwable registeredAt) {
        Framing f = framing != null ? framing : in.framing();
        if (f == Framing.LINES || f == Framing.RAW) f = Framing.JSON_LINES;
        if (!f.json()) {
            throw new IpcException("rpc: :framing :" + f.keyword() + " carries no JSON values; use :json-lines or :content-length");
        }
        if (in.readFd() < 0) throw new IpcException("rpc: " + in.describe() + " is not open for reading");
        if (out.writeFd() < 0 && !out.driver().messages()) throw new IpcException("rpc: " + out.describe() + " is not open for writing");
        Map<String, Object> o = new HashMap<>();
        o.put("framing", Keyword.of(f.keyword()));
        out.configure(o);
        o.put("blocking", false);
        in.configure(o);
        RpcPeer p = new RpcPeer(in, out, owned, registeredAt);
        p.watch = Reactor.get().watch(in.readFd(), false, p::readable, in::hasBufferedInput);
        in.onClose(p::stopWatching);
        return p;
    }

    /**
     * Serves handlers; hold: keeps the script running while the peer is open (a served channel,
     * not each connection of a listening server); onEnd (may be null) is told when it ends.
     */
    public RpcPeer serving(Map<String, Callback> handlers, boolean hold, Runnable onEnd) {
        this.handlers.putAll(handlers);
        this.handlers.server = true;
        if (hold) keeper = loop.hold("rpc-serve", name, registeredAt);
        this.onEnd = onEnd;
        return this;
    }

    public String name() {
        return name;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "#<rpc " + name + (closed ? " closed" : "") + ">";
    }

    // ------------------------------------------------------------------ calling

    /** Sends a request with a fresh id; listener (may be null) hears its reply on the interpreter thread. */
    public RpcCall send(String verb, String method, Object params, Consumer<RpcCall> listener) {
        check(verb, method);
        RpcCall c = new RpcCall(nextId++, method, verb);
        if (listener != null) {
            // a script (or a JS Promise) waits for the reply without a blocking verb: keep it running
            EventLoop.Keeper k = loop.hold("rpc-call", "\"" + method + "\" to " + name, registeredAt);
            // posted, not run inside the read: the listener may make a blocking call on this peer,
            // whose reply needs the read to have returned (JS runs a Promise's continuation in it)
            c.listener = call -> loop.post(() -> {
                loop.release(k);
                listener.accept(call);
            });
        }
        Map<String, Object> req = request(method, params);
        req.put("id", c.id);
        calls.put(c.id, c);
        try {
            write(req, verb);
        } catch (RuntimeException e) {
            calls.remove(c.id);
            throw e;
        }
        return c;
    }

    /** A request and its result; a JSON-RPC error reply is thrown as an error with :code :message :data. */
    public Object call(String method, Object params, long timeoutMs) {
        RpcCall[] c = new RpcCall[1];
        await(() -> List.of(c[0] = send("rpc-call", method, params, null)), timeoutMs, "rpc-call \"" + method + "\"");
        if (c[0].error != null) throw c[0].error;
        return c[0].result;
    }

    public void notify(String method, Object params) {
        check("rpc-notify", method);
        write(request(method, params), "rpc-notify");
    }

    /** One batch of requests; the results in order, an error reply as {"error" {:code :message :data}}. */
    public List<Object> batch(List<String> methods, List<Object> params, long timeoutMs) {
        check("rpc-batch", methods.isEmpty() ? "" : methods.get(0));
        List<RpcCall> cs = new ArrayList<>();
        List<Object> reqs = new ArrayList<>();
        for (int i = 0; i < methods.size(); i++) {
            RpcCall c = new RpcCall(nextId++, methods.get(i), "rpc-batch");
            Map<String, Object> req = request(methods.get(i), params.get(i));
            req.put("id", c.id);
            reqs.add(req);
            cs.add(c);
        }
        await(() -> {
            for (RpcCall c : cs) calls.put(c.id, c);
            try {
                write(reqs, "rpc-batch");
            } catch (RuntimeException e) {
                for (RpcCall c : cs) calls.remove(c.id);
                throw e;
            }
            return cs;
        }, timeoutMs, "rpc-batch");
        List<Object> results = new ArrayList<>();
        for (RpcCall c : cs) {
            if (c.error == null) {
                results.add(c.result);
            } else {
                Map<String, Object> d = c.error.data();
                results.add(Map.of("error", RpcErrors.object(d.get("code") instanceof Number n ? n.longValue() : RpcErrors.INTERNAL,
                        String.valueOf(d.get("message")), d.get("data"))));
            }
        }
        return results;
    }

    /**
     * Waits for the replies of cs, running the loop's other work meanwhile. The reply's own
     * channel is polled here on the interpreter thread, not only through the reactor: the
     * reactor's hop (its wake-up, then the loop's) would double a round trip's latency. Other
     * events wait at most {@link #POLL_MS} while the call waits.
     */
    private void await(java.util.function.Supplier<List<RpcCall>> send, long timeoutMs, String what) {
        boolean ok;
        List<RpcCall> cs = null;
        // the reactor steps aside while this thread reads the channel itself: a wake-up of its
        // thread per reply costs more than taking the descriptor out of epoll and back. Before
        // the request goes: a quick reply would wake the reactor in between.
        stopWatching();
        waiting++;
        try {
            cs = send.get();
            ok = waitHere(cs, timeoutMs, what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        } finally {
            waiting--;
            if (cs != null) for (RpcCall c : cs) if (!c.done) calls.remove(c.id);
            if (watch == null && !closed && endedBy == null && in.readFd() >= 0) {
                // the reactor watches again when the loop next runs, not now: the script's next
                // call would take it out again
                if (!rewatchQueued) {
                    rewatchQueued = true;
                    loop.post(this::watchAgain);
                }
                // frames that came behind the reply wait in the channel's buffer, where epoll cannot see them
                if (in.hasBufferedInput()) loop.post(this::readable);
            }
        }
        if (!ok) {
            throw new IpcException(what + " to " + name + ": no reply in " + timeoutMs + " ms (ETIMEDOUT)",
                    Map.of("errno", "ETIMEDOUT", "peer", name));
        }
    }

    private static final int POLL_MS = 2;

    private void watchAgain() {
        rewatchQueued = false;
        if (waiting > 0) return; // a call reads for itself, and queues this again when it ends
        if (watch == null && !closed && endedBy == null && in.readFd() >= 0) {
            watch = Reactor.get().watch(in.readFd(), false, this::readable, in::hasBufferedInput);
        }
    }

    private boolean waitHere(List<RpcCall> cs, long timeoutMs, String what) throws InterruptedException {
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMs * 1_000_000L;
        int[] fd = new int[1];
        short[] events = {LibC.POLLIN}, ready = new short[1];
        java.util.function.BooleanSupplier answered = () -> cs.stream().allMatch(c -> c.done);
        // read when poll said so or bytes wait buffered: a read that finds nothing is a syscall lost
        boolean readNow = false;
        while (true) {
            if (answered.getAsBoolean()) return true;
            if (Interrupts.pending()) throw new Interrupts.InterruptedError(what);
            loop.runOnce(0);
            if (!closed && endedBy == null && (readNow || in.hasBufferedInput())) readable(answered);
            if (answered.getAsBoolean()) return true;
            long left = deadline == Long.MAX_VALUE ? POLL_MS : (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) return false;
            fd[0] = closed || endedBy != null ? -1 : in.readFd();
            if (fd[0] < 0) {
                loop.runOnce(Math.min(POLL_MS, left));
            } else {
                ready[0] = 0;
                LibC.get().poll(fd, events, ready, (int) Math.min(POLL_MS, left));
                readNow = ready[0] != 0;
            }
        }
    }

    private void check(String verb, String method) {
        if (closed || endedBy != null) {
            throw new IpcException(verb + " \"" + method + "\": " + (endedBy != null ? endedBy : "the peer " + name + " is closed"),
                    Map.of("errno", "EPIPE", "peer", name));
        }
    }

    private static Map<String, Object> request(String method, Object params) {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("jsonrpc", "2.0");
        req.put("method", method);
        if (params != null) req.put("params", params);
        return req;
    }

    void write(Object msg, String verb) {
        synchronized (out) {
            out.puts(msg);
        }
    }

    // ------------------------------------------------------------------ reading

    /** Every frame buffered or readable now (a bounded number, then the reactor comes back). */
    private void readable() {
        readable(() -> false);
    }

    /** The same, stopping once enough says so (a waiting call has its reply: what follows can wait). */
    private void readable(java.util.function.BooleanSupplier enough) {
        for (int i = 0; i < 1024 && !closed && endedBy == null && !enough.getAsBoolean(); i++) {
            Object msg;
            try {
                msg = in.gets();
            } catch (ExitRequest e) {
                throw e;
            } catch (IpcException e) {
                handlers.unreadable(e);
                continue;
            }
            if (msg == null) {
                if (in.eof() || in.isClosed()) ended();
                return;
            }
            dispatch(msg);
        }
    }

    private void dispatch(Object msg) {
        if (msg instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(RpcPeer::isReply)) {
            for (Object r : l) reply((Map<?, ?>) r);
        } else if (isReply(msg)) {
            reply((Map<?, ?>) msg);
        } else {
            loop.post(() -> handlers.serve(msg));
        }
    }

    private static boolean isReply(Object m) {
        return m instanceof Map<?, ?> map && !map.containsKey("method") && (map.containsKey("result") || map.containsKey("error"));
    }

    private void reply(Map<?, ?> m) {
        Object id = m.get("id");
        RpcCall c = null;
        if (id instanceof Number n) c = calls.remove(n.longValue());
        else if (id instanceof String s && s.matches("[0-9]{1,18}")) c = calls.remove(Long.parseLong(s));
        if (c == null) {
            loop.report(new IpcException("rpc " + name + ": a reply with id " + (id instanceof String ? "\"" + id + "\"" : id)
                    + " that no call waits for; ignored", Map.of("peer", name)));
            return;
        }
        if (m.containsKey("error")) c.fail(RpcErrors.fromReply(c.verb, c.method, name, m.get("error")));
        else c.succeed(m.get("result"));
    }

    /** The other side closed: every waiting call fails naming it, the peer stops. */
    private void ended() {
        endedBy = "the peer " + name + " closed the connection";
        stopWatching();
        List<RpcCall> waiting = new ArrayList<>(calls.values());
        calls.clear();
        for (RpcCall c : waiting) {
            c.fail(new IpcException(c.verb + " \"" + c.method + "\": " + endedBy + " with the call outstanding (EPIPE)",
                    Map.of("errno", "EPIPE", "peer", name, "method", c.method)));
        }
        // requests read before the end are posted: answer them first (a client may half-close and wait)
        loop.post(this::closeWhenAnswered);
    }

    private void closeWhenAnswered() {
        if (handlers.deferred > 0 && !closed) {
            loop.after(5, this::closeWhenAnswered);
            return;
        }
        if (owned && !closed) closeChannels();
        finish();
    }

    private void stopWatching() {
        if (watch != null) {
            watch.cancel();
            watch = null;
        }
    }

    private void finish() {
        loop.release(keeper);
        keeper = null;
        if (onEnd != null) {
            Runnable r = onEnd;
            onEnd = null;
            r.run();
        }
    }

    private void closeChannels() {
        in.close();
        if (out != in) out.close();
    }

    /** Stops the peer: waiting calls fail, the channels close. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        stopWatching();
        List<RpcCall> waiting = new ArrayList<>(calls.values());
        calls.clear();
        for (RpcCall c : waiting) {
            c.fail(new IpcException(c.verb + " \"" + c.method + "\": the peer " + name + " was closed with the call outstanding",
                    Map.of("errno", "ECANCELED", "peer", name)));
        }
        closeChannels();
        finish();
    }

    EventLoop loop() {
        return loop;
    }

    /** Sets the handler of method (null removes it). */
    public void on(String method, Callback handler) {
        handlers.put(method, handler);
    }
}
