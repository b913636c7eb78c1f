package ipcsh.lang.js;

import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.registry.Args;
import ipcsh.registry.Builtin;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/**
 * Calls from JS into the registry's builtins: arguments already plain Java, the result as JS,
 * a builtin's error as a JS throw. Counts the calls under way, so that a callback registered
 * by one can be shown where the JS that registered it is.
 */
final class BuiltinCalls {
    private final JsValues values;
    private final Value stackHere;
    /** Builtin calls from JS under way: JS code is on the stack, so a registration can show where. */
    private int fromJs;

    BuiltinCalls(JsValues values, Value stackHere) {
        this.values = values;
        this.stackHere = stackHere;
    }

    Object call(Builtin builtin, Object[] args) {
        fromJs++;
        try {
            return values.toJs(builtin.impl().call(new Args(builtin, args)));
        } catch (IpcException e) {
            throw values.jsError(e);
        } catch (ExitRequest e) {
            throw values.exit(e.status());
        } finally {
            fromJs--;
        }
    }

    /**
     * The JS stack at this moment, as a PolyglotException (ErrorReport locates it like any JS
     * error); null when no JS called the builtin running now.
     */
    Throwable stackHere() {
        if (fromJs == 0) return null;
        try {
            stackHere.execute().throwException();
        } catch (PolyglotException e) {
            return e;
        } catch (RuntimeException e) {
            return null; // no stack to be had: the Java one stays
        }
        return null;
    }
}
