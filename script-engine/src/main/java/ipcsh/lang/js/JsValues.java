package ipcsh.lang.js;

import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.lang.UncaughtError;
import ipcsh.Callback;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The conversions across the JS boundary, every rule in one place.
 *
 * <p>JS → Java (builtin arguments): null/undefined → null, string → String, integral number →
 * Long, other number → Double (a BigInt too big for a long → BigInteger: never wrapped), boolean → Boolean, Uint8Array/Int8Array/ArrayBuffer → byte[],
 * array → List (arrays and objects nested deeper than ipcsh.TooDeep.LIMIT, a circular object among them, → TooDeep.VALUE), function → {@link Callback} (called on the interpreter thread), a channel
 * object (also the callable ipc.stdin/stdout/stderr) → {@link Channel}, RegExp → java.util.regex.Pattern (flags i m s u), other object → Map
 * with String keys. Builtins that expect a
 * keyword take strings ("read" or ":read").
 *
 * <p>Java → JS (results): {@code ipcsh.Keyword} and Clojure keywords → string, byte[] →
 * Uint8Array (a copy), Map → plain object, List/collection → array, Channel → channel object
 * (one per channel), Callback or Clojure fn → function, numbers/strings/booleans as they are.
 *
 * <p>Errors: an {@link IpcException} → a JS Error named IpcError; (exit n) → the engine's exit.
 */
final class JsValues {
    private final Value makeError;
    private final Value quit;
    private final Value makeChannel;
    private final Value newObject;
    private final Value arrayFrom;
    private final Value bytes;
    private final Value invoke;
    private final Value threw;
    private final Map<Channel, Value> channels = new IdentityHashMap<>();
    private final Consumer<Channel> onClose;

    /** helpers: the bootstrap's; onClose: told when a channel that has a JS object closes. */
    JsValues(Value helpers, Consumer<Channel> onClose) {
        makeError = helpers.getMember("makeError");
        quit = helpers.getMember("quit");
        makeChannel = helpers.getMember("makeChannel");
        newObject = helpers.getMember("newObject");
        arrayFrom = helpers.getMember("arrayFrom");
        bytes = helpers.getMember("bytes");
        invoke = helpers.getMember("invoke");
        threw = helpers.getMember("threw");
        this.onClose = onClose;
    }

    Object toJava(Value v) {
        return toJava(v, 0);
    }

    /**
     * depth: how many arrays and objects v sits in. One deeper than TooDeep.LIMIT becomes
     * TooDeep.VALUE: a circular object is infinitely deep, and the conversion recurses.
     */
    private Object toJava(Value v, int depth) {
        if (v == null) return null;
        // each Value query is a call into the engine, slow in Truffle's interpreter: the hot
        // arguments (a channel method's host handle, a string, a number, a channel) come first
        if (v.isHostObject()) {
            Object o = v.asHostObject();
            return o instanceof ByteBuffer bb ? copy(bb) : o;
        }
        if (v.isString()) return v.asString();
        if (v.isNull()) return null;
        if (v.isBoolean()) return v.asBoolean();
        if (v.isNumber()) {
            if (v.fitsInLong()) return v.asLong();
            if (v.fitsInDouble()) return v.asDouble();
            if (v.fitsInBigInteger()) return v.asBigInteger();
            return v.toString();
        }
        if (v.hasMember("__channel")) return v.getMember("__channel").asHostObject();
        if (v.hasMember("__rpc")) return v.getMember("__rpc").asHostObject(); // an RpcPeer object (Bootstrap)
        if (v.hasMember("__dbus")) return v.getMember("__dbus").asHostObject(); // a DbusBus object (Bootstrap)
        if (v.isProxyObject()) {
            Object p = v.asProxyObject();
            if (p instanceof HostCallback h) return h.callback;
            return p;
        }
        if (v.canExecute()) return new JsCallback(v);
        if (v.hasBufferElements()) return readBuffer(v, 0, (int) v.getBufferSize());
        if (v.hasArrayElements()) {
            if (v.hasMember("BYTES_PER_ELEMENT") && v.getMember("BYTES_PER_ELEMENT").asInt() == 1) {
                Value buffer = v.getMember("buffer");
                return readBuffer(buffer, v.getMember("byteOffset").asLong(), v.getMember("byteLength").asInt());
            }
            if (depth >= ipcsh.TooDeep.LIMIT) return ipcsh.TooDeep.VALUE;
            long n = v.getArraySize();
            List<Object> out = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) out.add(toJava(v.getArrayElement(i), depth + 1));
            return out;
        }
        if (v.hasMember("source") && v.hasMember("flags") && v.getMetaObject() != null
                && "RegExp".equals(v.getMetaObject().getMetaSimpleName())) {
            return regex(v.getMember("source").asString(), v.getMember("flags").asString());
        }
        if (v.hasMembers()) {
            if (depth >= ipcsh.TooDeep.LIMIT) return ipcsh.TooDeep.VALUE;
            Map<String, Object> out = new LinkedHashMap<>();
            for (String k : v.getMemberKeys()) out.put(k, toJava(v.getMember(k), depth + 1));
            return out;
        }
        return v.toString();
    }

    /** A RegExp (for expect) as a java.util.regex.Pattern: the syntax both share, and the i, m, s, u flags. */
    private static Pattern regex(String source, String flags) {
        int f = 0;
        if (flags.contains("i")) f |= Pattern.CASE_INSENSITIVE;
        if (flags.contains("m")) f |= Pattern.MULTILINE;
        if (flags.contains("s")) f |= Pattern.DOTALL;
        if (flags.contains("u")) f |= Pattern.UNICODE_CASE;
        try {
            return Pattern.compile(source, f);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new ipcsh.IpcException("invalid regex /" + source + "/: " + e.getDescription());
        }
    }

    private static byte[] readBuffer(Value buffer, long offset, int length) {
        byte[] b = new byte[length];
        buffer.readBuffer(offset, b, 0, length);
        return b;
    }

    private static byte[] copy(ByteBuffer bb) {
        ByteBuffer d = bb.duplicate();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return b;
    }

    Object toJs(Object o) {
        if (o == null || o instanceof String || o instanceof Boolean || o instanceof Long || o instanceof Double
                || o instanceof Integer) {
            return o;
        }
        if (o instanceof ipcsh.Keyword k) return k.name();
        if (o instanceof clojure.lang.Keyword k) return k.getName();
        if (o instanceof clojure.lang.Symbol s) return s.toString();
        if (o instanceof Channel ch) return channel(ch);
        if (o instanceof byte[] b) return bytes.execute(ByteBuffer.wrap(b));
        if (o instanceof JsCallback c) return c.fn;
        if (o instanceof Callback c) return new HostCallback(c);
        if (o instanceof clojure.lang.IFn f && !(o instanceof Collection<?>) && !(o instanceof Map<?, ?>)
                && !(o instanceof clojure.lang.Keyword)) {
            return new HostCallback(a -> f.applyTo(clojure.lang.ArraySeq.create(a)));
        }
        if (o instanceof Map<?, ?> m) {
            Value obj = newObject.execute();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object k = e.getKey();
                String key = k instanceof clojure.lang.Keyword kw ? kw.getName()
                        : k instanceof ipcsh.Keyword kw ? kw.name() : String.valueOf(k);
                obj.putMember(key, toJs(e.getValue()));
            }
            return obj;
        }
        if (o instanceof Collection<?> c) {
            Object[] items = new Object[c.size()];
            int i = 0;
            for (Object x : c) items[i++] = toJs(x);
            return arrayFrom.execute(ProxyArray.fromArray(items));
        }
        if (o instanceof clojure.lang.Ratio || o instanceof java.math.BigInteger || o instanceof java.math.BigDecimal
                || o instanceof clojure.lang.BigInt || o instanceof Float) {
            return ((Number) o).doubleValue();
        }
        if (o instanceof Short || o instanceof Byte) return ((Number) o).intValue();
        if (o instanceof Character c) return c.toString();
        return o;
    }

    /** ch's one JS object; forgotten when ch closes. */
    Value channel(Channel ch) {
        Value v = channels.get(ch);
        if (v == null) {
            v = makeChannel.execute(ch);
            channels.put(ch, v);
            ch.onClose(() -> {
                channels.remove(ch);
                onClose.accept(ch);
            });
        }
        return v;
    }

    /**
     * (exit n) from inside JS: the engine's own exit, which no JS catch stops; the context is
     * done after it, as the shell is. Comes out of the outermost call as ExitRequest.
     */
    RuntimeException exit(int status) {
        quit.executeVoid(status);
        throw new ExitRequest(status);
    }

    /** Throws e into JS as an Error (name IpcError, message as in Clojure, ex-data as properties). */
    RuntimeException jsError(IpcException e) {
        throw errorValue(e).throwException();
    }

    Value errorValue(IpcException e) {
        return makeError.execute(e.getMessage(), typeOf(e), toJs(e.data()));
    }

    private static String typeOf(IpcException e) {
        if (e instanceof ipcsh.chan.TimeoutError) return "timeout";
        if (e instanceof ipcsh.chan.Interrupts.InterruptedError) return "interrupted";
        if (e instanceof ipcsh.os.OsException) return "os";
        return "ipc";
    }

    /** A JS function handed to the builtins; called on the interpreter thread. */
    final class JsCallback implements Callback {
        final Value fn;

        JsCallback(Value fn) {
            this.fn = fn;
        }

        @Override
        public Object call(Object... args) {
            Object[] a = new Object[args.length + 1];
            a[0] = fn;
            for (int i = 0; i < args.length; i++) a[i + 1] = toJs(args[i]);
            try {
                return JsRun.unwrapping(() -> toJava(invoke.execute(a)));
            } catch (PolyglotException e) {
                if (e.isInterrupted() || threw.execute().asBoolean()) throw e;
                throw new UncaughtError(e); // fn returned: the jobs after it raised an unhandled rejection
            }
        }

        @Override
        public String toString() {
            return "#<js " + fn + ">";
        }
    }

    /** A host function (a Clojure fn, a builtin's callback) as a JS function. */
    final class HostCallback implements ProxyExecutable {
        final Callback callback;

        HostCallback(Callback callback) {
            this.callback = callback;
        }

        @Override
        public Object execute(Value... args) {
            Object[] j = new Object[args.length];
            for (int i = 0; i < args.length; i++) j[i] = toJava(args[i]);
            try {
                return toJs(callback.call(j));
            } catch (IpcException e) {
                throw jsError(e);
            } catch (ExitRequest e) {
                throw exit(e.status());
            } catch (RuntimeException e) {
                ExitRequest exit = ExitRequest.in(e);
                if (exit != null) throw exit(exit.status());
                if (e.getCause() instanceof IpcException ie) throw jsError(ie);
                throw e;
            }
        }
    }
}
