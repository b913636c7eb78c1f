package ipcsh.lang.js;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.lang.ErrorReport;
import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyExecutable;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The shell's one GraalVM JavaScript context: made on first JS use by {@link Js}, it evaluates
 * the bootstrap with the registry's builtins and hands the work to its parts: {@link JsEval}
 * (evaluation), {@link BuiltinCalls} (calls into builtins), {@link AsyncReads} (Promise reads),
 * {@link JsValues} (the conversions across the boundary, every rule in one comment) and
 * {@link ConsoleStream} (the console). Every method runs on the interpreter thread.
 */
public final class JsEngine implements JsRuntime {
    private static final HostAccess ACCESS = HostAccess.newBuilder(HostAccess.EXPLICIT)
            .allowArrayAccess(true).allowBufferAccess(true).build();

    private final Context context;
    private final Value setArgs;
    private final JsValues values;
    private final BuiltinCalls calls;
    private final AsyncReads reads;
    private final JsEval eval;
    private final JsCompletion completion;

    /** Public for {@link JsLoader}, which may load this class in a loader of its own. */
    public JsEngine() {
        Js.making(this);
        if (System.getProperty("polyglot.engine.userResourceCache") == null) {
            System.setProperty("polyglot.engine.userResourceCache", cacheDir().toString());
        }
        context = Context.newBuilder("js")
                .allowHostAccess(ACCESS)
                .allowIO(IOAccess.newBuilder().allowHostFileAccess(true).build())
                .out(new ConsoleStream(false, Js::err))
                .err(new ConsoleStream(true, Js::err))
                .logHandler(Js.debug() ? new ConsoleStream(true, Js::err) : OutputStream.nullOutputStream())
                .option("engine.WarnInterpreterOnly", "false")
                .option("js.unhandled-rejections", "throw")
                // GraalJS rounds performance.now() and Date to 1 ms by default (a browser's
                // defence against timing attacks): a shell's scripts time their own IPC in µs
                .option("js.timer-resolution", "1")
                .allowExperimentalOptions(true)
                .option("js.shell", "true")
                .build();
        Value boot = context.eval(Source.newBuilder("js", Bootstrap.SOURCE, Bootstrap.NAME).internal(true).buildLiteral());
        Value helpers = boot.execute(new JsBridge(this), ProxyArray.fromList(ipcBuiltins()));
        values = new JsValues(helpers, this::channelClosed);
        reads = new AsyncReads(values, helpers.getMember("deferred"));
        calls = new BuiltinCalls(values, helpers.getMember("stackHere"));
        eval = new JsEval(context, values, helpers.getMember("show"));
        setArgs = helpers.getMember("setArgs");
        completion = new JsCompletion(context, helpers);
        setArgs(Js.currentArgs());
    }

    /**
     * The registry's builtins as Bootstrap reads them: [name, jsName, function, verb, doc,
     * channel method or null]; Bootstrap makes the ipc object and the Channel methods of them.
     */
    private List<Object> ipcBuiltins() {
        List<Object> list = new ArrayList<>();
        for (Builtin b : Registry.standard().all()) {
            boolean verb = b.channelMethod();
            list.add(ProxyArray.fromArray(b.name(), b.jsName(), new BuiltinCall(b), verb, b.doc(),
                    verb ? new ChannelMethod(this, b) : null, b.js().promise()));
        }
        return list;
    }

    /** ~/.cache/ipcsh/truffle (or $XDG_CACHE_HOME/ipcsh/truffle): Truffle's unpacked resources. */
    static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("ipcsh").resolve("truffle");
    }

    @Override
    public Js.Members membersOf(String chain) {
        return completion.membersOf(chain);
    }

    @Override
    public List<String> globalNames() {
        return completion.globals();
    }

    @Override
    public void interrupt() {
        try {
            context.interrupt(java.time.Duration.ofMillis(500));
        } catch (java.util.concurrent.TimeoutException e) {
            // busy in host code (a blocking builtin): Interrupts ends that wait
        }
    }

    @Override
    public void setArgs(List<String> args) {
        setArgs.execute(ProxyArray.fromList(new ArrayList<>(args)));
    }

    // ------------------------------------------------------------------ evaluation (JsEval)

    @Override
    public void runFile(Path file, String text) {
        eval.runFile(file, text);
    }

    @Override
    public void runText(String name, String text) {
        eval.runText(name, text);
    }

    @Override
    public Object evalToJava(String code, String name) {
        return eval.evalToJava(code, name);
    }

    @Override
    public String evalAndShow(String code, String name) {
        return evalForRepl(code, name).shown();
    }

    /** A REPL entry's printed form and, when its value is a listing, its rows for a table. */
    @Override
    public Js.Shown evalForRepl(String code, String name) {
        return JsRun.unwrapping(() -> {
            Value v = eval.entry(code, name);
            return new Js.Shown(eval.shown(v), eval.rows(v));
        });
    }

    @Override
    public String displayPath(String path) {
        return eval.displayPath(path);
    }

    @Override
    public String errorMessage(Throwable polyglotException) {
        return JsErrorsImpl.message(polyglotException);
    }

    @Override
    public ErrorReport.Location errorLocation(Throwable polyglotException, ErrorReport.Sources sources) {
        return JsErrorsImpl.locate(polyglotException, sources);
    }

    // ------------------------------------------------------------------ calls from JS (BuiltinCalls)

    /** One registry builtin as a JS-callable: converts arguments, calls, converts the result. */
    private final class BuiltinCall implements ProxyExecutable {
        private final Builtin builtin;

        BuiltinCall(Builtin builtin) {
            this.builtin = builtin;
        }

        @Override
        public Object execute(Value... args) {
            Object[] j = new Object[args.length];
            for (int i = 0; i < args.length; i++) j[i] = values.toJava(args[i]);
            return calls.call(builtin, j);
        }
    }

    /** Calls builtin with arguments already plain Java; its result as JS, its error as a JS throw. */
    Object call(Builtin builtin, Object[] args) {
        return calls.call(builtin, args);
    }

    /** Where the JS that called the running builtin is, as a throwable; null when none did. */
    @Override
    public Throwable stackHere() {
        return calls.stackHere();
    }

    // ------------------------------------------------------------------ async reads (AsyncReads)

    /** A Promise of op's value on ch: at once when ch has a whole frame, else when it is readable. */
    Value async(Channel ch, Supplier<Object> op) {
        return reads.read(ch, op);
    }

    /** A channel with a JS object closed: its waiting reads end. (Channels get JS objects once this is made.) */
    private void channelClosed(Channel ch) {
        reads.closed(ch);
    }

    // ------------------------------------------------------------------ conversions (JsValues)

    Object toJava(Value v) {
        return values.toJava(v);
    }

    Object toJs(Object o) {
        return values.toJs(o);
    }

    /** (exit n) from inside JS: the engine's own exit, which no JS catch stops. */
    RuntimeException exit(int status) {
        return values.exit(status);
    }

    /** Throws e into JS as an Error (name IpcError, message as in Clojure, ex-data as properties). */
    RuntimeException jsError(IpcException e) {
        return values.jsError(e);
    }
}
