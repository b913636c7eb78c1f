package ipcsh.shell;

import ipcsh.lang.HelpBuiltins;
import ipcsh.lang.js.JsExtras;
import ipcsh.registry.Arglists;
import ipcsh.registry.Builtin;
import ipcsh.registry.JsFace;
import ipcsh.registry.Registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TypeScript declarations of the JavaScript API (the global {@code ipc} and channel objects),
 * generated from the builtin registry like the man page, so editors complete and check .js
 * scripts. A parameter's type comes from its name in the arglists (ch → Channel, ms → number,
 * opts → Options, f → a function…); a result's from the type the registry entry declares, and
 * every name (Promise forms, channel methods, the binding's own members) from the entry's JS
 * face and {@link JsExtras}, so nothing here decides a JS fact.
 * Committed as types/ipcsh.d.ts; {@code ipcsh --print-types} prints it.
 */
public final class TypeScript {
    public static final String REGENERATE = "mvn -q -B -DskipTests package && \"$JAVA_HOME/bin/java\" "
            + "-cp \"shell/target/ipcsh.jar:shell/target/lib/*\" ipcsh.shell.TypeScript types/ipcsh.d.ts";

    /** Parameter names and their types; a name not here is unknown (any value). */
    private static final Map<String, String> PARAMS = Map.ofEntries(
            Map.entry("ch", "Channel"), Map.entry("from", "Channel"), Map.entry("to", "Channel"),
            Map.entry("peer", "RpcPeer"), Map.entry("bus", "DbusBus"), Map.entry("method", "string"), Map.entry("handlers", "{ [method: string]: Callback }"),
            Map.entry("opts", "Options"), Map.entry("options", "Options"),
            Map.entry("f", "Callback"), Map.entry("pred", "Callback | Promise<unknown>"),
            Map.entry("n", "number"), Map.entry("ms", "number"), Map.entry("timeout-ms", "number"),
            Map.entry("status", "number"), Map.entry("port", "number"), Map.entry("pid", "number"),
            Map.entry("offset", "number"), Map.entry("size", "number"), Map.entry("count", "number"),
            Map.entry("path", "string"), Map.entry("name", "string"), Map.entry("host", "string"),
            Map.entry("cmd", "string"), Map.entry("code", "string"), Map.entry("id", "string"),
            Map.entry("direction", "string"), Map.entry("option", "string"), Map.entry("mode", "string"),
            Map.entry("kind", "string"), Map.entry("topic", "string"), Map.entry("text", "string"),
            Map.entry("data", "unknown"), Map.entry("t", "Timer"));

    private TypeScript() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: TypeScript OUTPUT (e.g. types/ipcsh.d.ts)");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Files.writeString(out, generate(Registry.standard()), StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
    }

    public static String generate(Registry registry) {
        StringBuilder ipc = new StringBuilder(), methods = new StringBuilder(), rpcPeer = new StringBuilder(), dbusBus = new StringBuilder();
        for (JsExtras.Member m : JsExtras.IPC) member(ipc, m);
        for (JsExtras.Member m : JsExtras.RPC_PEER) member(rpcPeer, m);
        for (JsExtras.Member m : JsExtras.DBUS_BUS) member(dbusBus, m);
        for (JsExtras.Member m : JsExtras.CHANNEL) member(methods, m);
        for (Builtin b : HelpBuiltins.documented(registry)) {
            JsFace js = b.js();
            String doc = jsdoc(b.summary());
            for (Arglists.Arity arity : js.params().arities()) {
                List<String> params = params(arity);
                if (js.promise() != null) {
                    ipc.append(jsdoc(js.promiseSummary())).append("    ").append(js.promise()).append('(').append(String.join(", ", params))
                            .append("): Promise<").append(b.returns()).append(">;\n");
                }
                ipc.append(doc).append("    ").append(js.name()).append('(').append(String.join(", ", params)).append("): ")
                        .append(b.returns()).append(";\n");
                if (js.method() && arity.channelFirst()) {
                    methods.append(doc).append("    ").append(js.name()).append('(')
                            .append(String.join(", ", params.subList(1, params.size()))).append("): ").append(b.returns()).append(";\n");
                }
            }
        }
        return """
                // Generated from the ipcsh builtin registry by ipcsh.shell.TypeScript: do not edit.
                // Regenerate from the repository root with:
                //   %s
                // Or print it with: ipcsh --print-types
                //
                // The JavaScript API of ipcsh %s: the global `ipc` and channel objects. Reference it from
                // a script with /// <reference path="…/types/ipcsh.d.ts" /> or a jsconfig.json "include".

                /** Any value a builtin takes as an options map ({ timeout: 500, buffering: 'full' }). */
                type Options = { [option: string]: unknown };
                /** A function the event loop calls on the interpreter thread; it is offered what it is about (a channel, a map). */
                type Callback = (...args: any[]) => unknown;
                /** What ipc.cancel takes: a timer from ipc.after or ipc.every, or a D-Bus signal watch from ipc.dbusOn. */
                interface Timer { readonly __timer: unique symbol }

                /** A channel: every IPC object that carries data, with the same verbs as methods. */
                declare class Channel {
                    private constructor();
                %s}

                /** A JSON-RPC 2.0 peer, from ipc.rpc (or ipc.rpcServe on a channel). */
                interface RpcPeer {
                %s}

                /** A D-Bus connection, from ipc.dbus: the dbus builtins with the bus first are its methods. */
                interface DbusBus {
                %s}

                interface Ipc {
                %s}

                declare const ipc: Ipc;

                declare const console: {
                    log(...data: unknown[]): void;
                    error(...data: unknown[]): void;
                    warn(...data: unknown[]): void;
                    info(...data: unknown[]): void;
                };
                declare function setTimeout(f: (...args: any[]) => void, ms?: number, ...args: any[]): Timer;
                declare function setInterval(f: (...args: any[]) => void, ms?: number, ...args: any[]): Timer;
                declare function clearTimeout(t: Timer | undefined | null): void;
                declare function clearInterval(t: Timer | undefined | null): void;
                """.formatted(REGENERATE, Version.TEXT, methods, rpcPeer, dbusBus, ipc);
    }

    /** An arity's parameters in TypeScript: [cmd & args] opts → ["argv: string[]", "opts?: Options"]. */
    static List<String> params(Arglists.Arity arity) {
        List<String> out = new ArrayList<>();
        List<Arglists.Param> ps = arity.params();
        for (int i = 0; i < ps.size(); i++) {
            boolean rest = i + 1 < ps.size() && ps.get(i).toString().equals("&");
            switch (ps.get(i)) {
                case Arglists.MapOf m -> out.add("opts?: Options"); // {:id id}: an options object
                case Arglists.Vector v -> out.add("argv: string[]");
                case Arglists.Name n when rest -> {
                    String name = ps.get(++i).toString();
                    String type = PARAMS.getOrDefault(singular(name), "unknown");
                    out.add("..." + ident(name) + ": " + (type.contains(" ") ? "(" + type + ")" : type) + "[]");
                }
                case Arglists.Name n -> {
                    String type = PARAMS.getOrDefault(n.text(), "unknown");
                    // options maps may always be left out
                    out.add(ident(n.text()) + (type.equals("Options") ? "?: " : ": ") + type);
                }
            }
        }
        // an options map may be left out only where nothing required follows it: [path opts f]
        boolean requiredAfter = false;
        for (int i = out.size() - 1; i >= 0; i--) {
            String p = out.get(i);
            if (p.startsWith("...")) continue;
            if (p.contains("?: ") && requiredAfter) out.set(i, p.replace("?: ", ": "));
            else if (!p.contains("?: ")) requiredAfter = true;
        }
        return out;
    }

    private static String singular(String name) {
        return name.equals("args") ? "text" : name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
    }

    /** A Clojure parameter name as a JS identifier: timeout-ms → timeoutMs, function → function_. */
    private static String ident(String name) {
        String s = JsFace.camel(name);
        return switch (s) {
            case "function", "default", "new", "delete", "in", "var", "class" -> s + "_";
            default -> s;
        };
    }

    private static void member(StringBuilder sb, JsExtras.Member m) {
        sb.append(jsdoc(m.summary())).append("    ").append(m.declaration()).append(";\n");
    }

    private static String jsdoc(String summary) {
        return "    /** " + summary.replace("*/", "* /") + " */\n";
    }
}
