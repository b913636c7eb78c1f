package ipcsh.lang.js;

import ipcsh.IpcException;
import ipcsh.loop.EventLoop;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Evaluation in the context: script files and standard input (as a module when they need to
 * be one), -e strings and REPL entries (top-level await allowed), and the names errors show
 * for loaded files.
 */
final class JsEval {
    /** import/export statements make a file a module (so does top-level await: see {@link #moduleOrScript}). */
    private static final Pattern MODULE = Pattern.compile("(?m)^\\s*(import\\s*[\\w{*'\"]|export\\s)");
    private static final int MAX_ROWS = 10_000;

    private final EventLoop loop = EventLoop.main();
    private final Context context;
    private final JsValues values;
    private final Value show;
    private final Map<String, String> displayPaths = new HashMap<>();

    JsEval(Context context, JsValues values, Value show) {
        this.context = context;
        this.values = values;
        this.show = show;
    }

    void runFile(Path file, String text) {
        String display = file.toString();
        Source source = moduleOrScript(Source.newBuilder("js", file.toFile()).content(text), display, text);
        if (source.getPath() != null) displayPaths.put(source.getPath(), display);
        JsRun.unwrapping(() -> context.eval(source));
    }

    /** A script that is not a file (standard input), named name in errors. */
    void runText(String name, String text) {
        Source source = moduleOrScript(Source.newBuilder("js", text, name), name, text);
        JsRun.unwrapping(() -> context.eval(source));
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
        return JsRun.unwrapping(() -> values.toJava(context.eval(source(code, name))));
    }

    /** Evaluates a REPL entry or -e string, top-level await allowed: its value, the Promise settled. */
    Value entry(String code, String name) {
        Source plain = source(code, name);
        return code.contains("await") && !parses(plain)
                ? settle(context.eval(source(TopLevelAwait.wrap(code), name)))
                : context.eval(plain);
    }

    /** v as the REPL prints it. */
    String shown(Value v) {
        return show.execute(v).asString();
    }

    /**
     * When v is a non-empty array of plain objects (a listing), those rows as Java lists and
     * maps for the REPL's table; else null.
     */
    Object rows(Value v) {
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
        return values.toJava(v);
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
}
