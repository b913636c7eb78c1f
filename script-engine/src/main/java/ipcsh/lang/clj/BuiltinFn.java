package ipcsh.lang.clj;

import clojure.lang.AFn;
import clojure.lang.ArraySeq;
import clojure.lang.ExceptionInfo;
import clojure.lang.ISeq;
import clojure.lang.Keyword;
import clojure.lang.RT;
import clojure.lang.Var;
import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.registry.Args;
import ipcsh.registry.Builtin;

import java.util.Map;

/**
 * A builtin as a Clojure function: converts arguments, calls the Java implementation,
 * converts the result, and turns builtin errors into ex-info (message, ex-data). A builtin
 * that shares clojure.core's name hands the calls clojure.core accepts ({@link CoreUse}) to it
 * unchanged, and says what it takes to any other call that is not on a channel.
 */
final class BuiltinFn extends AFn {
    private final Builtin builtin;
    private final Var core;
    private final CoreUse coreUse;

    BuiltinFn(Builtin builtin) {
        this.builtin = builtin;
        this.core = builtin.coreName() == null ? null : RT.var("clojure.core", builtin.coreName());
        this.coreUse = builtin.coreName() == null ? null : CoreUse.of(builtin.coreName());
    }

    private Object call(Object[] args) {
        if (core != null && (args.length == 0 || !(args[0] instanceof Channel || args[0] instanceof ipcsh.ipc.SysvQueue))) {
            if (!coreUse.accepts().test(args)) throw exInfo(new IpcException(coreUse.error(builtin.name(), args)));
            return core.applyTo(ArraySeq.create(args));
        }
        // args is this call's own array (invoke's, or applyTo's copy of the seq): converted in place
        for (int i = 0; i < args.length; i++) args[i] = Convert.toJava(args[i]);
        try {
            return Convert.toClojure(builtin.impl().call(new Args(builtin, args)));
        } catch (IpcException e) {
            throw exInfo(e);
        }
    }

    static ExceptionInfo exInfo(IpcException e) {
        Map<String, Object> data = new java.util.LinkedHashMap<>(e.data());
        data.put("type", ipcsh.Keyword.of(typeOf(e)));
        ExceptionInfo ei = new ExceptionInfo(e.getMessage(), (clojure.lang.IPersistentMap) Convert.toClojure(data), e);
        ei.setStackTrace(e.getStackTrace());
        return ei;
    }

    private static String typeOf(IpcException e) {
        if (e instanceof ipcsh.chan.TimeoutError) return "timeout";
        if (e instanceof ipcsh.chan.Interrupts.InterruptedError) return "interrupted";
        if (e instanceof ipcsh.os.OsException) return "os";
        return "ipc";
    }

    @Override public Object invoke() { return call(new Object[0]); }
    @Override public Object invoke(Object a) { return call(new Object[] {a}); }
    @Override public Object invoke(Object a, Object b) { return call(new Object[] {a, b}); }
    @Override public Object invoke(Object a, Object b, Object c) { return call(new Object[] {a, b, c}); }
    @Override public Object invoke(Object a, Object b, Object c, Object d) { return call(new Object[] {a, b, c, d}); }
    @Override public Object invoke(Object a, Object b, Object c, Object d, Object e) { return call(new Object[] {a, b, c, d, e}); }
    @Override public Object invoke(Object a, Object b, Object c, Object d, Object e, Object f) { return call(new Object[] {a, b, c, d, e, f}); }
    @Override public Object invoke(Object a, Object b, Object c, Object d, Object e, Object f, Object g) { return call(new Object[] {a, b, c, d, e, f, g}); }
    @Override public Object invoke(Object a, Object b, Object c, Object d, Object e, Object f, Object g, Object h) { return call(new Object[] {a, b, c, d, e, f, g, h}); }

    @Override
    public Object applyTo(ISeq args) {
        return call(RT.seqToArray(args));
    }

    static Keyword kw(String s) {
        return Keyword.intern(s);
    }

    @Override
    public String toString() {
        return "#<builtin " + builtin.name() + ">";
    }
}
