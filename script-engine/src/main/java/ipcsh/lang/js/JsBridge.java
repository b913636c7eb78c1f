package ipcsh.lang.js;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.lang.ErrorReport;
import ipcsh.lang.HelpBuiltins;
import ipcsh.lang.clj.ClojureRuntime;
import ipcsh.loop.EventLoop;
import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import java.io.StringReader;
import java.util.Map;

/** What the bootstrap script may call in Java: the only host members JS can see. */
public final class JsBridge {
    private final JsEngine engine;

    JsBridge(JsEngine engine) {
        this.engine = engine;
    }

    /** The channel behind a Channel object's handle; a method called on something else is an IpcError. */
    private Channel channel(Value handle, String verb) {
        if (handle != null && handle.isHostObject() && handle.asHostObject() instanceof Channel ch) return ch;
        throw engine.jsError(new IpcException(verb + ": expected a channel, got " + ipcsh.registry.Args.describe(engine.toJava(handle))));
    }

    @HostAccess.Export
    public String describe(Value handle) {
        return channel(handle, "toString").toString();
    }

    /** How the REPL prints a host object the binding wraps (a D-Bus bus: #<dbus address :1.4>). */
    @HostAccess.Export
    public String hostText(Value handle) {
        return String.valueOf(engine.toJava(handle));
    }

    @HostAccess.Export
    public Value getsAsync(Value handle) {
        Channel ch = channel(handle, "getsAsync");
        return engine.async(ch, ch::gets);
    }

    @HostAccess.Export
    public Value recvAsync(Value handle) {
        Channel ch = channel(handle, "recvAsync");
        return engine.async(ch, ch::recv);
    }

    @HostAccess.Export
    public Value readAsync(Value handle, Value count) {
        Channel ch = channel(handle, "readAsync");
        long n;
        try {
            n = ipcsh.groups.ChannelVerbs.readCount("readAsync", engine.toJava(count));
        } catch (IpcException e) {
            throw engine.jsError(e);
        }
        return engine.async(ch, () -> ch.read(n));
    }

    /** A value a JS rpc handler's Promise delivers later: the rpc layer answers when it completes. */
    @HostAccess.Export
    public java.util.concurrent.CompletableFuture<Object> deferred() {
        return new java.util.concurrent.CompletableFuture<>();
    }

    @HostAccess.Export
    public void deliver(Value deferred, Value result) {
        if (deferred.asHostObject() instanceof java.util.concurrent.CompletableFuture<?> f) {
            @SuppressWarnings("unchecked") var g = (java.util.concurrent.CompletableFuture<Object>) f;
            g.complete(engine.toJava(result));
        }
    }

    /** A rejected handler Promise: its message, and its code and data when the error carries them. */
    @HostAccess.Export
    public void fail(Value deferred, String message, Value code, Value data) {
        if (deferred.asHostObject() instanceof java.util.concurrent.CompletableFuture<?> f) {
            Map<String, Object> d = new java.util.LinkedHashMap<>();
            if (code != null && code.isNumber()) d.put("code", code.asLong());
            if (data != null && !data.isNull()) d.put("data", engine.toJava(data));
            f.completeExceptionally(new IpcException(message, d));
        }
    }

    /** ms checked as every builtin's duration is (ipc.sleep, setTimeout); returns it. */
    @HostAccess.Export
    public long duration(String who, Value ms) {
        try {
            return ipcsh.ArgCheck.duration(who, "ms", engine.toJava(ms));
        } catch (IpcException e) {
            throw engine.jsError(e);
        }
    }

    @HostAccess.Export
    public void cancel(Value timer) {
        if (timer.isHostObject() && timer.asHostObject() instanceof EventLoop.Timer t) EventLoop.main().cancel(t);
    }

    /** The doc text of a builtin or form, by its Clojure name or a JS one (ipc.sleep's too); null when there is none. */
    @HostAccess.Export
    public String doc(String name) {
        for (Builtin b : HelpBuiltins.documented(Registry.standard())) {
            String promise = b.js().promise();
            if (b.name().equals(name) || b.jsName().equals(name) || name.equals(promise)) {
                return "ipc." + b.jsName() + (promise == null ? "" : " (ipc." + promise + " returns a Promise)")
                        + " — " + String.join(" or ", b.usages()) + "\n" + b.doc();
            }
        }
        return null;
    }

    /** Evaluates Clojure forms in the shell's user namespace; returns the last value as JS. */
    @HostAccess.Export
    public Object clj(String code) {
        Object v;
        try {
            ClojureRuntime.ensure();
            v = ClojureRuntime.load(new StringReader(code), "<clj>", "<clj>");
        } catch (RuntimeException e) {
            ipcsh.ExitRequest exit = ipcsh.ExitRequest.in(e);
            if (exit != null) throw engine.exit(exit.status());
            throw engine.jsError(new IpcException(ErrorReport.message(e), Map.of(), e));
        } catch (ipcsh.ExitRequest e) {
            throw engine.exit(e.status());
        }
        return engine.toJs(v);
    }
}
