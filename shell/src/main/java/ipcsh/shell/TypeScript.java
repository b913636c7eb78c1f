package ipcsh.shell;

import ipcsh.registry.Builtin;
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
 * opts → Options, f → a function…); a result's from what the doc says the builtin returns.
 * Committed as types/ipcsh.d.ts; {@code ipcsh --print-types} prints it.
 */
public final class TypeScript {
    public static final String REGENERATE = "mvn -q -B -DskipTests package && \"$JAVA_HOME/bin/java\" "
            + "-cp \"shell/target/ipcsh.jar:shell/target/lib/*\" ipcsh.shell.TypeScript types/ipcsh.d.ts";

    /** Parameter names and their types; a name not here is unknown (any value). */
    private static final Map<String, String> PARAMS = Map.ofEntries(
            Map.entry("ch", "Channel"), Map.entry("from", "Channel"), Map.entry("to", "Channel"),
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
        StringBuilder ipc = new StringBuilder(), methods = new StringBuilder();
        for (Builtin b : registry.all()) {
            // ipc.sleep is JavaScript's Promise form; the blocking builtin is ipc.sleepSync (declared above)
            if (b.jsName().equals("sleep")) continue;
            boolean verb = isVerb(b);
            for (String usage : b.usages()) {
                List<String> params = params(usage);
                String doc = jsdoc(b, "    ");
                String ret = returns(b);
                ipc.append(doc).append("    ").append(b.jsName()).append('(').append(String.join(", ", params)).append("): ")
                        .append(ret).append(";\n");
                if (verb && !params.isEmpty() && params.getFirst().startsWith("ch:")) {
                    methods.append(doc).append("    ").append(b.jsName()).append('(')
                            .append(String.join(", ", params.subList(1, params.size()))).append("): ").append(ret).append(";\n");
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
                /** A timer from ipc.after or ipc.every. */
                interface Timer { readonly __timer: unique symbol }

                /** A channel: every IPC object that carries data, with the same verbs as methods. */
                declare class Channel {
                    private constructor();
                    /** A Promise of the next frame (a line by default); null at end of stream. */
                    getsAsync(): Promise<any>;
                    /** A Promise of up to n characters or bytes (at least one), or everything to the end without n; null at end of stream. */
                    readAsync(n?: number): Promise<string | Uint8Array | null>;
                    /** The frames as an async iterable: for await (const line of ch.lines()) ... */
                    lines(): AsyncIterable<any>;
                %s}

                interface Ipc {
                    /** The class of channel objects. */
                    readonly Channel: typeof Channel;
                    /** The script's command-line arguments. */
                    readonly args: readonly string[];
                    /** A Promise resolved after ms milliseconds (the event loop serves events meanwhile). */
                    sleep(ms: number): Promise<void>;
                    /** Waits ms milliseconds without serving events (the blocking sleep builtin). */
                    sleepSync(ms: number): void;
                    /** The documentation of a builtin, as (doc name) prints it. */
                    doc(name: string): string;
                    /** Evaluates Clojure code in the shell and returns its value. */
                    clj(code: string): any;
                    /** The with-lock form: locks path, or a released lock handle again (opts as lock's), runs f, releases however f ends; undefined without running f when {wait: false} finds it held. */
                    withLock<T>(pathOrLock: string | object, f: () => T): T;
                    withLock<T>(pathOrLock: string | object, opts: Options, f: () => T): T | undefined;
                    /** The with-mutex form: locks m, runs f with lock-mutex's answer ({"owner-died": true} after a holder died), unlocks. */
                    withMutex<T>(m: unknown, f: (info: { "owner-died": boolean }) => T): T;
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
                """.formatted(REGENERATE, Main.version(), methods, ipc);
    }

    /** Like the JS binding: a builtin whose arglists take a channel first is also a channel method. */
    static boolean isVerb(Builtin b) {
        return ipcsh.lang.js.Js.isChannelMethod(b);
    }

    /** "(spawn [cmd & args] opts)" → ["argv: string[]", "opts?: Options"]. */
    static List<String> params(String usage) {
        String inner = usage.substring(1, usage.length() - 1).trim();
        int sp = inner.indexOf(' ');
        String rest = sp < 0 ? "" : inner.substring(sp + 1).trim();
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < rest.length()) {
            char c = rest.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '{') {
                // a map literal in the arglists ({:id id}): an options object
                int end = rest.indexOf('}', i);
                out.add("opts: Options");
                i = end < 0 ? rest.length() : end + 1;
            } else if (c == '[') {
                int end = rest.indexOf(']', i);
                out.add("argv: string[]");
                i = end < 0 ? rest.length() : end + 1;
            } else if (c == '&') {
                int s = i + 1;
                while (s < rest.length() && Character.isWhitespace(rest.charAt(s))) s++;
                int e = s;
                while (e < rest.length() && !Character.isWhitespace(rest.charAt(e))) e++;
                String name = rest.substring(s, e);
                String type = PARAMS.getOrDefault(singular(name), "unknown");
                out.add("..." + ident(name) + ": " + (type.contains(" ") ? "(" + type + ")" : type) + "[]");
                i = e;
            } else {
                int e = i;
                while (e < rest.length() && !Character.isWhitespace(rest.charAt(e))) e++;
                String name = rest.substring(i, e);
                out.add(ident(name) + ": " + PARAMS.getOrDefault(name, "unknown"));
                i = e;
            }
        }
        // options maps may always be left out
        for (int k = 0; k < out.size(); k++) {
            if (out.get(k).endsWith(": Options")) out.set(k, out.get(k).replace(": Options", "?: Options"));
        }
        return out;
    }

    private static String singular(String name) {
        return name.equals("args") ? "text" : name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
    }

    /** A Clojure parameter name as a JS identifier: timeout-ms → timeoutMs, function → fn. */
    private static String ident(String name) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : name.toCharArray()) {
            if (c == '-' || c == '?' || c == '!' || c == '*') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        String s = sb.toString();
        return switch (s) {
            case "function", "default", "new", "delete", "in", "var", "class" -> s + "_";
            default -> s;
        };
    }

    /** What the builtin returns, as its doc says it. */
    static String returns(Builtin b) {
        String doc = b.doc();
        if (b.name().endsWith("?")) return "boolean";
        if (doc.contains("Returns nil.")) return "void";
        if (b.name().equals("pipe")) return "[Channel, Channel]";
        if (doc.matches("(?is).*\\breturns? (a|an|the|its)\\b[^.;]{0,40}\\bchannel\\b.*")
                || b.summary().matches("(?i)^(opens|connects|starts|makes|creates)\\b[^.;]*\\bchannel\\b.*")) return "Channel";
        return "any";
    }

    private static String jsdoc(Builtin b, String indent) {
        String summary = b.summary().replace("*/", "* /");
        return indent + "/** " + summary + " */\n";
    }
}
