package ipcsh.lang.js;

import ipcsh.registry.Builtin;
import org.graalvm.polyglot.HostAccess;

/**
 * A channel verb's fast path for the calls a loop makes most (ch.gets(), ch.puts(text)): the
 * engine converts these typed parameters while it calls in, where the general path
 * ({@code JsEngine.BuiltinCall}) asks each argument's Value what it is, one call back into the
 * engine per question, which Truffle's interpreter makes the larger part of a call's cost.
 * The parameters are Object so that a method called on something that is not a channel still
 * gets the registry's own error.
 */
public final class ChannelMethod {
    private final JsEngine engine;
    private final Builtin builtin;

    ChannelMethod(JsEngine engine, Builtin builtin) {
        this.engine = engine;
        this.builtin = builtin;
    }

    /** ch.verb() */
    @HostAccess.Export
    public Object call0(Object ch) {
        return engine.call(builtin, new Object[] {ch});
    }

    /** ch.verb(text) */
    @HostAccess.Export
    public Object call1(Object ch, String text) {
        return engine.call(builtin, new Object[] {ch, text});
    }
}
