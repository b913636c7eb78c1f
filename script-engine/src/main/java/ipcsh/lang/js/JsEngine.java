package ipcsh.lang.js;

import ipcsh.ExitRequest;
import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.lang.UncaughtError;
import ipcsh.loop.EventLoop;
import ipcsh.registry.Args;
import ipcsh.registry.Builtin;
import ipcsh.Callback;
import ipcsh.registry.Registry;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The shell's one GraalVM JavaScript context and the conversions across its boundary.
 * Made on first JS use by {@link Js}; every method runs on the interpreter thread.
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
 */
final class JsEngine {
    private static final HostAccess ACCESS = HostAccess.newBuilder(HostAccess.EXPLICIT)
            .allowArrayAccess(true).allowBufferAccess(true).build();
    /** import/export statements make a file a module (so does top-level await: see {@link #runFile}). */
    private static final Pattern MODULE = Pattern.compile("(?m)^\\s*(import\\s*[\\w{*'\"]|export\\s)");
    private static final Map<String, Object> NON_BLOCKING = Map.of("blocking", false);
    private static final Map<String, Object> BLOCKING = Map.of("blocking", true);

    private final EventLoop loop = EventLoop.main();
    private final Context context;
    private final Value makeError;
    private final Value quit;
    private final Value makeChannel;
    private final Value deferred;
    private final Value newObject;
    private final Value arrayFrom;
    private final Value bytes;
    private final Value show;
    private final Value setArgs;
    private final Value invoke;
    private final Value threw;
    private final Value stackHere;
    private final JsCompletion completion;
    /** Builtin calls from JS under way: JS code is on the stack, so a registration can show where. */
    private int fromJs;
    private final Map<Channel, Value> channels = new IdentityHashMap<>();
    /** Async reads waiting for readability, by channel: closing the channel ends them with null. */
    private final Map<Channel, List<Pending>> waiting = new IdentityHashMap<>();
    private final Map<String, String> displayPaths = new java.util.HashMap<>();

    JsEngine() {
        if (System.getProperty("polyglot.engine.userResourceCache") == null) {
            System.setProperty("polyglot.engine.userResourceCache", cacheDir().toString());
        }
        context = Context.newBuilder("js")
                .allowHostAccess(ACCESS)
                .allowIO(IOAccess.newBuilder().allowHostFileAccess(true).build())
                .out(new LineStream(false))
                .err(new LineStream(true))
                .logHandler(Js.debug() ? new LineStream(true) : OutputStream.nullOutputStream())
                .option("engine.WarnInterpreterOnly", "false")
                .option("js.unhandled-rejections", "throw")
                // GraalJS rounds performance.now() and Date to 1 ms by default (a browser's
                // defence against timing attacks): a shell's scripts time their own IPC in µs
                .option("js.timer-resolution", "1")
                .allowExperimentalOptions(true)
                .option("js.shell", "true")
                .build();
        List<Object> list = new ArrayList<>();
        for (Builtin b : Registry.standard().all()) {
            boolean verb = b.channelMethod();
            list.add(ProxyArray.fromArray(b.name(), b.jsName(), new BuiltinCall(b), verb, b.doc(),
                    verb ? new ChannelMethod(this, b) : null, b.js().promise()));
        }
        Value boot = context.eval(Source.newBuilder("js", Bootstrap.SOURCE, Bootstrap.NAME).internal(true).buildLiteral());
        Value helpers = boot.execute(new JsBridge(this), ProxyArray.fromList(list));
        makeError = helpers.getMember("makeError");
        quit = helpers.getMember("quit");
        makeChannel = helpers.getMember("makeChannel");
        deferred = helpers.getMember("deferred");
        newObject = helpers.getMember("newObject");
        arrayFrom = helpers.getMember("arrayFrom");
        bytes = helpers.getMember("bytes");
        show = helpers.getMember("show");
        setArgs = helpers.getMember("setArgs");
        invoke = helpers.getMember("invoke");
        threw = helpers.getMember("threw");
        stackHere = helpers.getMember("stackHere");
        completion = new JsCompletion(context, helpers);
        setArgs(Js.currentArgs());
    }

    /** ~/.cache/ipcsh/truffle (or $XDG_CACHE_HOME/ipcsh/truffle): Truffle's unpacked resources. */
    static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("ipcsh").resolve("truffle");
    }

    JsCompletion completion() {
        return completion;
    }

    void interrupt() {
        try {
            context.interrupt(java.time.Duration.ofMillis(500));
        } catch (java.util.concurrent.TimeoutException e) {
            // busy in host code (a blocking builtin): Interrupts ends that wait
        }
    }

    void setArgs(List<String> args) {
        setArgs.execute(ProxyArray.fromList(new ArrayList<>(args)));
    }

    // ------------------------------------------------------------------ evaluation

    void runFile(Path file, String text) {
        String display = file.toString();
        Source source = moduleOrScript(Source.newBuilder("js", file.toFile()).content(text), display, text);
        if (source.getPath() != null) displayPaths.put(source.getPath(), display);
        unwrapping(() -> context.eval(source));
    }

    /** A script that is not a file (standard input), named name in errors. */
    void runText(String name, String text) {
        Source source = moduleOrScript(Source.newBuilder("js", text, name), name, text);
        unwrapping(() -> context.eval(source));
    }

    private Source moduleOrScript(Source.Builder sb, String display, String text) {
        boolean module = display.endsWith(".mjs") || MODULE.matcher(text).find();
        try {
            if (!module && text.contains("await")) {
                // top-level await is legal only in a module: a script that does not parse may be one
                module = !parses(sb.build());
            }
            if (module) sb.mimeType("application/javascript+module");
            return sb.build();
        } catch (IOException e) {
            throw new IpcException("cannot run \"" + display + "\": " + e.getMessage());
        }
    }

    private boolean parses(Source script) {
        try {
            context.parse(script);
            return true;
        } catch (PolyglotException e) {
            if (e.isSyntaxError()) return false;
            throw e;
        }
    }

    Object evalToJava(String code, String name) {
        return unwrapping(() -> toJava(context.eval(source(code, name))));
    }

    String evalAndShow(String code, String name) {
        return evalForRepl(code, name).shown();
    }

    /**
     * Evaluates an entry (top-level await allowed) and gives its printed form and, when the
     * value is a non-empty array of plain objects (a listing), those rows as Java lists and
     * maps for the REPL's table.
     */
    Js.Shown evalForRepl(String code, String name) {
        return unwrapping(() -> {
            Source plain = source(code, name);
            Value v = code.contains("await") && !parses(plain)
                    ? settle(context.eval(source(TopLevelAwait.wrap(code), name)))
                    : context.eval(plain);
            return new Js.Shown(show.execute(v).asString(), rows(v));
        });
    }

    private static final int MAX_ROWS = 10_000;

    private Object rows(Value v) {
        if (v == null || !v.hasArrayElements() || v.getArraySize() == 0 || v.getArraySize() > MAX_ROWS
                || v.hasBufferElements() || v.hasMember("BYTES_PER_ELEMENT")) {
            return null;
        }
        for (long i = 0; i < v.getArraySize(); i++) {
            Value e = v.getArrayElement(i);
            if (e.isNull() || e.hasArrayElements() || e.canExecute() || !e.hasMembers() || e.isHostObject()
                    || e.hasMember("__channel")) {
                return null;
            }
        }
        return toJava(v);
    }

    /**
     * The value a Promise settles to, serving events meanwhile (a REPL entry or -e with
     * top-level await); its rejection is thrown as the entry's error.
     */
    private Value settle(Value promise) {
        Value[] outcome = new Value[2];
        boolean[] done = {false};
        promise.invokeMember("then", (ProxyExecutable) a -> {
            outcome[0] = a.length > 0 ? a[0] : null;
            done[0] = true;
            return null;
        }, (ProxyExecutable) a -> {
            outcome[1] = a.length > 0 ? a[0] : null;
            done[0] = true;
            return null;
        });
        try {
            loop.runUntil(() -> done[0] || !loop.alive(), -1, "await");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ipcsh.chan.Interrupts.InterruptedError("await");
        }
        if (!done[0]) throw new IpcException("await: the promise can never settle (nothing is left that could settle it)");
        if (outcome[1] != null) outcome[1].throwException();
        return outcome[0] == null ? context.eval("js", "undefined") : outcome[0];
    }

    private static Source source(String code, String name) {
        return Source.newBuilder("js", code, name).buildLiteral();
    }

    /** The path a user gave for a loaded file, for error locations. */
    String displayPath(String path) {
        String shown = displayPaths.get(path);
        if (shown != null) return shown;
        Path p = Path.of(path), cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p).toString() : path;
    }

    /**
     * Runs JS from the host: (exit n) inside comes out as {@link ExitRequest}, JS errors as
     * PolyglotException (ErrorReport renders them through {@link JsErrors}).
     */
    static <T> T unwrapping(Supplier<T> body) {
        try {
            return body.get();
        } catch (PolyglotException e) {
            if (e.isExit()) throw new ExitRequest(e.getExitStatus());
            // console.log to a closed stdout: the engine reports the exit as its own internal error
            if (ipcsh.lang.Stdout.failed() != 0) throw new ExitRequest(ipcsh.lang.Stdout.failed());
            if (e.isHostException() && e.asHostException() instanceof ExitRequest exit) throw exit;
            throw e;
        }
    }

    // ------------------------------------------------------------------ builtins

    /** One registry builtin as a JS-callable: converts arguments, calls, converts the result. */
    private final class BuiltinCall implements ProxyExecutable {
        private final Builtin builtin;

        BuiltinCall(Builtin builtin) {
            this.builtin = builtin;
        }

        @Override
        public Object execute(Value... args) {
            Object[] j = new Object[args.length];
            for (int i = 0; i < args.length; i++) j[i] = toJava(args[i]);
            return call(builtin, j);
        }
    }

    /** Calls builtin with arguments already plain Java; its result as JS, its error as a JS throw. */
    Object call(Builtin builtin, Object[] args) {
        fromJs++;
        try {
            return toJs(builtin.impl().call(new Args(builtin, args)));
        } catch (IpcException e) {
            throw jsError(e);
        } catch (ExitRequest e) {
            throw exit(e.status());
        } finally {
            fromJs--;
        }
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

    // ------------------------------------------------------------------ async

    /**
     * A Promise of op's value on ch (op runs with the channel non-blocking): at once when ch
     * has a whole frame, else when the registry's on-readable says it may have one. Holds the
     * loop while pending. It takes ch's one readable handler while it waits.
     */
    Value async(Channel ch, Supplier<Object> op) {
        Value d = deferred.execute();
        new Pending(ch, op, d.getMember("resolve"), d.getMember("reject")).start();
        return d.getMember("promise");
    }

    /**
     * One async read. Reads on a channel are served in the order they were asked for: while
     * some wait, a new one queues behind them, and the channel's one readable handler lets the
     * oldest try (on-readable fires again while input is still buffered, for the next one).
     */
    private final class Pending {
        private final Channel ch;
        private final Supplier<Object> op;
        private final Value resolve;
        private final Value reject;
        private boolean watching;
        private ipcsh.loop.EventLoop.Keeper keeper;

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
                runJobs(() -> reject.execute(errorValue(e)));
                return;
            }
            settle();
            runJobs(() -> resolve.execute(toJs(r)));
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
            runJobs(() -> resolve.execute((Object) null));
        }
    }

    /** Sets (through the registry's on-readable) or removes ch's handler: the oldest waiting read tries. */
    private void watch(Channel ch, boolean on) {
        Builtin b = Registry.standard().get("on-readable");
        Callback f = !on ? null : args -> {
            List<Pending> queue = waiting.get(ch);
            if (queue != null && !queue.isEmpty()) queue.get(0).attempt();
            return null;
        };
        b.impl().call(new Args(b, new Object[] {ch, f}));
    }

    /**
     * A host call into JS that cannot throw by itself (settling a Promise): what comes out is
     * an unhandled rejection raised by the jobs run after it.
     */
    private static void runJobs(Supplier<Object> call) {
        try {
            unwrapping(call);
        } catch (PolyglotException e) {
            if (e.isInterrupted()) throw e;
            throw new UncaughtError(e);
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

    // ------------------------------------------------------------------ conversions

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

    Value channel(Channel ch) {
        Value v = channels.get(ch);
        if (v == null) {
            v = makeChannel.execute(ch);
            channels.put(ch, v);
            ch.onClose(() -> {
                channels.remove(ch);
                List<Pending> w = waiting.remove(ch);
                if (w != null) loop.post(() -> w.forEach(Pending::closed));
            });
        }
        return v;
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
                return unwrapping(() -> toJava(invoke.execute(a)));
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

    // ------------------------------------------------------------------ console

    /** console.log → the shell's stdout (Clojure's *out*), console.error → the session's stderr; whole lines. */
    private static final class LineStream extends OutputStream {
        private final boolean err;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        LineStream(boolean err) {
            this.err = err;
        }

        @Override
        public void write(int b) {
            buf.write(b);
            if (b == '\n') flush();
        }

        @Override
        public void write(byte[] b, int off, int len) {
            buf.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    flush();
                    return;
                }
            }
        }

        @Override
        public void flush() {
            if (buf.size() == 0) return;
            String s = buf.toString(StandardCharsets.UTF_8);
            buf.reset();
            if (err && ipcsh.Console.inSession()) {
                ipcsh.Console.printErr(s); // console.error in a repl-server session: the session's
            } else if (err) {
                Js.err().print(s);
                Js.err().flush();
            } else {
                try {
                    Writer w = (Writer) clojure.lang.RT.OUT.deref();
                    w.write(s);
                    w.flush();
                } catch (IOException e) {
                    // stdout gone (a closed pipe): nothing left to tell
                }
            }
        }
    }
}
