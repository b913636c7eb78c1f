package ipcsh.lang.js;

import java.util.List;

/**
 * The members of {@code ipc} and of channel objects that the binding makes itself (in
 * {@link Bootstrap}) rather than the registry: each with its TypeScript declaration and its
 * summary, which the d.ts and completion print. The registry's builtins, their Promise forms
 * and the forms that are macros (ipc.withSem) come from their own entries, not from here.
 */
public final class JsExtras {
    private JsExtras() {}

    /**
     * A member: its call as the man page writes it ("readAsync([n])", null for a property), as
     * TypeScript declares it ("readAsync(n?: number): ..."), and what it does.
     */
    public record Member(String name, String call, String declaration, String summary) {}

    public static final List<Member> IPC = List.of(
            new Member("Channel", null, "readonly Channel: typeof Channel", "The class of channel objects."),
            new Member("args", null, "readonly args: readonly string[]", "The script's command-line arguments."),
            new Member("doc", "doc(name)", "doc(name: string): string", "The documentation of a builtin, as (doc name) prints it."),
            new Member("clj", "clj(code)", "clj(code: string): any", "Evaluates Clojure code in the shell and returns its value."));

    /** The methods of the peer objects ipc.rpc and ipc.rpcServe return (JSON-RPC; the man page lists them). */
    public static final List<Member> RPC_PEER = List.of(
            new Member("call", "call(method, [params], [opts])", "call(method: string, params?: any, opts?: object): Promise<any>",
                    "A Promise of the result of a request (ipc.rpcCall); an error reply rejects it with an IpcError carrying code, message and data."),
            new Member("callSync", "callSync(method, [params], [opts])", "callSync(method: string, params?: any, opts?: object): any",
                    "The result of a request, waiting for it (ipc.rpcCallSync; the event loop serves handlers meanwhile)."),
            new Member("notify", "notify(method, [params])", "notify(method: string, params?: any): void", "Sends a notification (ipc.rpcNotify)."),
            new Member("batch", "batch(calls, [opts])", "batch(calls: [string, any?][], opts?: object): any[]",
                    "Sends [method, params] pairs as one batch and returns the results in order (ipc.rpcBatch)."),
            new Member("on", "on(method, f)", "on(method: string, f: ((params: any, peer: RpcPeer) => any) | null): void",
                    "Handles the other side's requests and notifications (ipc.rpcOn); f may return a Promise."),
            new Member("close", "close()", "close(): void", "Closes the peer and its channel; waiting calls fail."));

    /**
     * The methods of the bus objects ipc.dbus returns: each is the builtin ipc.dbusX (close: ipc.close)
     * with the bus first, so bus.callSync(dest, path, iface, method, ...args) is ipc.dbusCallSync(bus, ...).
     */
    public static final List<Member> DBUS_BUS = List.of(
            new Member("call", "call(dest, path, iface, method, ...args, [opts])",
                    "call(dest: string, path: string, iface: string | null, method: string, ...args: any[]): Promise<any>",
                    "A Promise of the reply (ipc.dbusCall): null for no values, the value for one, an array for several; "
                            + "a D-Bus error rejects it with an IpcError whose dbus-error and dbus-message are set."),
            new Member("callSync", "callSync(dest, path, iface, method, ...args, [opts])",
                    "callSync(dest: string, path: string, iface: string | null, method: string, ...args: any[]): any",
                    "The reply, waiting for it (ipc.dbusCallSync; no callback runs meanwhile)."),
            new Member("names", "names([opts])", "names(opts?: Options): any[]", "Every name on the bus with its process (ipc.dbusNames)."),
            new Member("owner", "owner(name)", "owner(name: string): any", "Who owns a name now, or null (ipc.dbusOwner)."),
            new Member("introspect", "introspect(dest, path)", "introspect(dest: string, path: string): any",
                    "An object's interfaces, methods, signals, properties and children as data (ipc.dbusIntrospect)."),
            new Member("tree", "tree(dest)", "tree(dest: string): string[]", "Every object path of dest (ipc.dbusTree)."),
            new Member("get", "get(dest, path, iface, prop)", "get(dest: string, path: string, iface: string, prop: string): any",
                    "A property's value (ipc.dbusGet)."),
            new Member("set", "set(dest, path, iface, prop, value, [opts])",
                    "set(dest: string, path: string, iface: string, prop: string, value: any, opts?: Options): void",
                    "Sets a property (ipc.dbusSet)."),
            new Member("props", "props(dest, path, iface)", "props(dest: string, path: string, iface: string): any",
                    "Every property of iface as an object (ipc.dbusProps)."),
            new Member("on", "on(rule, f)", "on(rule: Options, f: Callback): Timer",
                    "Calls f with each signal matching rule ({member: 'NameOwnerChanged'}); ipc.cancel(watch) stops it (ipc.dbusOn)."),
            new Member("emit", "emit(path, iface, member, ...args, [opts])", "emit(path: string, iface: string, member: string, ...args: any[]): void",
                    "Sends a signal (ipc.dbusEmit)."),
            new Member("export", "export(path, iface, methods, [opts])",
                    "export(path: string, iface: string, methods: { [method: string]: Options }, opts?: Options): any",
                    "Serves iface at path from functions: {Add: {in: 'i', out: 'i', fn: n => ...}} (ipc.dbusExport)."),
            new Member("requestName", "requestName(name, [opts])", "requestName(name: string, opts?: Options): string",
                    "Asks for a well-known name (ipc.dbusRequestName)."),
            new Member("releaseName", "releaseName(name)", "releaseName(name: string): string", "Gives a well-known name up (ipc.dbusReleaseName)."),
            new Member("monitor", "monitor([opts])", "monitor(opts?: Options): Channel",
                    "A channel of every message on the bus, printed as it comes (ipc.dbusMonitor)."),
            new Member("close", "close()", "close(): void", "Disconnects; the bus drops this connection's names, exports and match rules."));

    /** Channel objects' own methods (the man page lists them). */
    public static final List<Member> CHANNEL = List.of(
            new Member("getsAsync", "getsAsync()", "getsAsync(): Promise<any>",
                    "A Promise of the next frame (a line by default); null at end of stream."),
            new Member("readAsync", "readAsync([n])", "readAsync(n?: number): Promise<string | Uint8Array | null>",
                    "A Promise of up to n characters (bytes on a binary channel), at least one, or of everything up to end of stream "
                            + "without n; null at end of stream."),
            new Member("lines", "lines()", "lines(): AsyncIterable<any>",
                    "The frames as an async iterable: for await (const line of ch.lines()) ..."),
            new Member("recvAsync", "recvAsync()", "recvAsync(): Promise<any>",
                    "A Promise of the next whole message of a message channel (an array of frames for a multipart ZeroMQ message)."),
            new Member("messages", "messages()", "messages(): AsyncIterable<any>",
                    "The messages as an async iterable: for await (const msg of s.messages()) ..."),
            new Member("toString", "toString()", "toString(): string", "The channel as the REPL prints it: #<channel id kind name>."));
}
