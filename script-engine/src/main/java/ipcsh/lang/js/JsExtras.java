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
