package ipcsh.groups;

import ipcsh.RegisteredAt;
import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.Interrupts;
import ipcsh.loop.CallbackError;
import ipcsh.loop.ChannelEvents;
import ipcsh.loop.Copy;
import ipcsh.loop.EventLoop;
import ipcsh.loop.Pending;
import ipcsh.registry.Args;
import ipcsh.Callback;
import ipcsh.registry.Registry;

import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/** Callbacks on the interpreter thread: channel events, timers, waiting for the loop. */
public final class EventLoopBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "Event loop";
    }

    @Override
    public void register(Registry r) {
        r.add("on-readable", "([ch f])", """
                Calls (f ch) on the interpreter thread whenever ch has something to read (Tcl's fileevent); \
                f may also take no arguments. \
                End of stream and errors count as readable, so f should check (eof? ch) and close or \
                remove itself, or it is called again and again. While ch still has buffered input f is \
                called again at once: a handler that reads one line sees every line. One handler per \
                channel: a new one replaces the old, nil removes it, closing ch removes it. A handler \
                that throws is removed and its error reported once, with where it was registered. \
                A script keeps running while a handler is set. Returns nil.""",
                a -> watch(a, false)).returns("void");
        r.add("on-writable", "([ch f])", """
                Calls (f ch) (or (f) when f takes none) on the interpreter thread whenever ch can take \
                more data without waiting \
                (errors and hang-up count as writable: the write then reports them). Remove it with nil \
                once there is nothing more to write, or it is called again and again. One handler per \
                channel; a handler that throws is removed and its error reported once. Returns nil.""",
                a -> watch(a, true)).returns("void");
        r.add("after", "([ms f])", """
                Calls (f) once on the interpreter thread after ms milliseconds (0 to 2147483647, about \
                24.9 days); returns a timer for \
                cancel. Timers due at the same time run in the order they were made. A script keeps \
                running while a timer is pending.""",
                a -> timer(a, false)).returns("Timer");
        r.add("every", "([ms f])", """
                Calls (f) on the interpreter thread every ms milliseconds (1 to 2147483647) until (cancel \
                t); returns the \
                timer t. The first call is ms from now. A call that throws cancels the timer and its \
                error is reported once, with where the timer was made.""",
                a -> timer(a, true)).returns("Timer");
        r.add("cancel", "([t])", """
                Cancels a timer from after or every, or stops a background copy (its :on-done is then not \
                called), or a D-Bus signal watch from dbus-on. Cancelling twice does nothing. Returns nil.""",
                a -> {
                    a.arity(1, 1);
                    if (a.get(0) instanceof EventLoop.Timer t) EventLoop.main().cancel(t);
                    else if (a.get(0) instanceof Copy c) c.cancel();
                    else if (a.get(0) instanceof ipcsh.Cancellable c) c.cancel();
                    else throw a.wrongType(0, "a timer (from after or every), a background copy or a dbus-on watch");
                    return null;
                }).returns("void");
        r.add("wait-for", "([pred] [pred opts])", """
                Serves events (callbacks, timers, accepts) until (pred) returns truthy, then returns true \
                (Tcl's vwait). pred may also be a promise or future: then it waits until that is \
                delivered. With {:timeout ms} (0 to 2147483647; nil: none) it returns false when the time \
                is up first. Ctrl-C ends \
                the wait with an error. Call it from the script's top level or the REPL, not from a \
                callback.""",
                a -> {
                    a.arity(1, 2);
                    BooleanSupplier done = condition(a);
                    long timeout = a.options(1).only("timeout").duration("timeout", -1);
                    try {
                        return EventLoop.main().runUntil(done, timeout, "wait-for");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new Interrupts.InterruptedError("wait-for");
                    }
                }).returns("boolean");
        r.add("pending", "([])", """
                What keeps the script from ending, as rows {:kind :timer :what "every 1000 ms" :at \
                "job.ipcs:3:1"}: servers (:server), handlers (:on-readable, :on-writable), timers, taps, \
                background copies, output still queued on a non-blocking channel (:output), traps, then \
                the children the shell will end when it ends (:child; they do not keep it alive). :at is \
                where the script made it, nil when unknown. SIGQUIT (Ctrl-\\) prints the same on standard \
                error, with what the interpreter thread is doing (blocked in a wait, serving events), and \
                the shell goes on: the way to find out why a script does not end or does not answer.""",
                a -> {
                    a.arity(0, 0);
                    return Pending.list();
                }).returns("any[]");
        r.add("run-loop", "([])", """
                Serves events until nothing is left to serve: no handler, server, timer or background \
                copy. A script does this by itself after its top level; in the REPL events are served \
                while it waits for input. Ctrl-C ends it. Returns nil.""",
                a -> {
                    a.arity(0, 0);
                    EventLoop loop = EventLoop.main();
                    try {
                        loop.runUntil(() -> !loop.alive(), -1, "run-loop");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new Interrupts.InterruptedError("run-loop");
                    }
                    return null;
                }).returns("void");
    }

    private static Object watch(Args a, boolean write) {
        Channel ch = a.arity(2, 2).channel(0);
        if (a.get(1) == null) {
            ChannelEvents.set(ch, write, null, null);
            return null;
        }
        Callback f = a.callback(1);
        ChannelEvents.set(ch, write, () -> f.call(ch), RegisteredAt.here(a.name() + " " + ch.describe()));
        return null;
    }

    private static Object timer(Args a, boolean repeat) {
        long ms = a.arity(2, 2).duration(0, "ms");
        if (repeat && ms == 0) throw new ipcsh.IpcException("every: ms must be 1 or more, not 0");
        Callback f = a.callback(1);
        EventLoop loop = EventLoop.main();
        String what = a.name() + " " + ms + " ms callback";
        Throwable at = RegisteredAt.here(what);
        EventLoop.Timer[] t = new EventLoop.Timer[1];
        Runnable task = () -> {
            try {
                f.call();
            } catch (ExitRequest e) {
                throw e;
            } catch (Throwable e) {
                if (repeat) loop.cancel(t[0]);
                throw new CallbackError(what, e, at);
            }
        };
        String shown = a.name() + " " + ms + " ms";
        t[0] = repeat ? loop.every(ms, task, shown, at) : loop.after(ms, task, shown, at);
        return t[0];
    }

    static boolean truthy(Object v) {
        return v != null && !Boolean.FALSE.equals(v);
    }

    private static BooleanSupplier condition(Args a) {
        Object v = a.get(0);
        if (v instanceof Callback f) return () -> truthy(f.call());
        if (v instanceof Future<?> fut) return fut::isDone;
        throw a.wrongType(0, "a predicate function, a promise or a future");
    }
}
