// Generated from the ipcsh builtin registry by ipcsh.shell.TypeScript: do not edit.
// Regenerate from the repository root with:
//   mvn -q -B -DskipTests package && "$JAVA_HOME/bin/java" -cp "shell/target/ipcsh.jar:shell/target/lib/*" ipcsh.shell.TypeScript types/ipcsh.d.ts
// Or print it with: ipcsh --print-types
//
// The JavaScript API of ipcsh 0.1.0: the global `ipc` and channel objects. Reference it from
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
    /** Reads one frame from ch: a line without its newline by default, or one message as the channel's :framing says (netstring, length-prefixed, a JSON value for :json-lines); on a datagram channel, one whole message. Returns nil at end of stream, and on a non-blocking channel when no whole frame is there yet (then (blocked? ch) is true). A binary channel (:encoding :binary) returns bytes. Waits at most :timeout ms when set, then raises a timeout error; Ctrl-C interrupts the wait. */
    gets(): any;
    /** Writes data (a string or bytes; with :json-lines framing any value JSON can hold) and a newline to ch, or one frame as the channel's :framing says; on a datagram channel, one message. With the default :buffering :line it leaves the buffer at once. Returns nil. */
    puts(data: unknown): void;
    /** Reads n characters (bytes on a binary channel) from ch, or everything up to end of stream without n. A blocking channel waits for all n or the end; a non-blocking one returns what is there (nil when nothing). Returns a string, or bytes on a binary channel; at end of stream an empty one. On a datagram channel it returns one whole message, whatever n. Called without a channel it is clojure.core/read. */
    read(): Channel;
    /** Reads n characters (bytes on a binary channel) from ch, or everything up to end of stream without n. A blocking channel waits for all n or the end; a non-blocking one returns what is there (nil when nothing). Returns a string, or bytes on a binary channel; at end of stream an empty one. On a datagram channel it returns one whole message, whatever n. Called without a channel it is clojure.core/read. */
    read(n: number): Channel;
    /** Writes data (a string or bytes) to ch without a newline. Returns nil. */
    write(data: unknown): void;
    /** Sends what ch's buffer holds. Called without a channel it is clojure.core/flush. */
    flush(): any;
    /** Flushes and closes ch. With :read or :write, closes only that direction (the peer of a :write close sees end of stream). Closing a process channel waits for the process and raises an error unless it exited 0. Closing a closed channel does nothing. Servers that are not channels (a repl-server) close the same way. */
    close(): any;
    /** Flushes and closes ch. With :read or :write, closes only that direction (the peer of a :write close sees end of stream). Closing a process channel waits for the process and raises an error unless it exited 0. Closing a closed channel does nothing. Servers that are not channels (a repl-server) close the same way. */
    close(direction: string): any;
    /** True once a read on ch has met the end of the stream and nothing is left buffered. */
    isEof(): boolean;
    /** True when the last read on the non-blocking channel ch found no whole frame to return. */
    isBlocked(): boolean;
    /** Channel options. (configure ch) returns them all as a map, (configure ch :timeout) one, and (configure ch {:timeout 500 :buffering :full}) sets some and returns them all. Common options (values; default): :blocking (true or false; true), :buffering (:none, :line or :full; :line), :buffer-size (bytes, up to 1 GiB; 65536), :encoding ("utf-8", any charset name, or :binary for bytes; "utf-8"), :translation (:lf, :crlf or :auto; :lf, which changes nothing), :timeout (ms that blocking reads and writes may wait, or nil; nil), :framing (:lines, :raw, :netstring, :u16be, :u32be, :u32le or :json-lines; :lines), :max-frame (the longest frame gets accepts, in bytes; 67108864, 64 MiB). Read-only: :id :kind :name :state :eof, and each kind's own (:fd, :path, :pid, :command...); setting one is an error, and so is an unknown option (the error lists the options). */
    configure(): any;
    /** Channel options. (configure ch) returns them all as a map, (configure ch :timeout) one, and (configure ch {:timeout 500 :buffering :full}) sets some and returns them all. Common options (values; default): :blocking (true or false; true), :buffering (:none, :line or :full; :line), :buffer-size (bytes, up to 1 GiB; 65536), :encoding ("utf-8", any charset name, or :binary for bytes; "utf-8"), :translation (:lf, :crlf or :auto; :lf, which changes nothing), :timeout (ms that blocking reads and writes may wait, or nil; nil), :framing (:lines, :raw, :netstring, :u16be, :u32be, :u32le or :json-lines; :lines), :max-frame (the longest frame gets accepts, in bytes; 67108864, 64 MiB). Read-only: :id :kind :name :state :eof, and each kind's own (:fd, :path, :pid, :command...); setting one is an error, and so is an unknown option (the error lists the options). */
    configure(option: string): any;
    /** Channel options. (configure ch) returns them all as a map, (configure ch :timeout) one, and (configure ch {:timeout 500 :buffering :full}) sets some and returns them all. Common options (values; default): :blocking (true or false; true), :buffering (:none, :line or :full; :line), :buffer-size (bytes, up to 1 GiB; 65536), :encoding ("utf-8", any charset name, or :binary for bytes; "utf-8"), :translation (:lf, :crlf or :auto; :lf, which changes nothing), :timeout (ms that blocking reads and writes may wait, or nil; nil), :framing (:lines, :raw, :netstring, :u16be, :u32be, :u32le or :json-lines; :lines), :max-frame (the longest frame gets accepts, in bytes; 67108864, 64 MiB). Read-only: :id :kind :name :state :eof, and each kind's own (:fd, :path, :pid, :command...); setting one is an error, and so is an unknown option (the error lists the options). */
    configure(options?: Options): any;
    /** Sends data (a string or bytes) as one datagram on a udp or unix datagram channel: to the connected peer, or {:to ["host" port]} / {:to "/path"} (an address as recv's :from gives it). On a stream channel it is write. Returns nil. Called without a channel it is clojure.core/send. */
    send(data: unknown): void;
    /** Sends data (a string or bytes) as one datagram on a udp or unix datagram channel: to the connected peer, or {:to ["host" port]} / {:to "/path"} (an address as recv's :from gives it). On a stream channel it is write. Returns nil. Called without a channel it is clojure.core/send. */
    send(data: unknown, opts?: Options): void;
    /** Receives one datagram from a udp or unix datagram channel: {:data "..." :from addr}, where addr is ["host" port] for udp, a path or "@name" for unix (nil when the sender has no name), fit for (send ch reply {:to addr}). data is bytes on a binary channel. Waits like gets (:timeout, Ctrl-C); nil when a non-blocking channel has nothing. */
    recv(): any;
    /** The pid of the process behind a process channel; without an argument, the shell's own pid. */
    pid(): any;
    /** Waits for the process behind ch to end and returns its exit status (128+n when killed by signal n). Does not close the channel. Bounded by timeout-ms when given (a timeout error when the time is up first), and by Ctrl-C. */
    wait(): any;
    /** Waits for the process behind ch to end and returns its exit status (128+n when killed by signal n). Does not close the channel. Bounded by timeout-ms when given (a timeout error when the time is up first), and by Ctrl-C. */
    wait(timeoutMs: number): any;
    /** Calls (f ch) on the interpreter thread whenever ch has something to read (Tcl's fileevent); f may also take no arguments. End of stream and errors count as readable, so f should check (eof? ch) and close or remove itself, or it is called again and again. While ch still has buffered input f is called again at once: a handler that reads one line sees every line. One handler per channel: a new one replaces the old, nil removes it, closing ch removes it. A handler that throws is removed and its error reported once, with where it was registered. A script keeps running while a handler is set. Returns nil. */
    onReadable(f: Callback): void;
    /** Calls (f ch) (or (f) when f takes none) on the interpreter thread whenever ch can take more data without waiting (errors and hang-up count as writable: the write then reports them). Remove it with nil once there is nothing more to write, or it is called again and again. One handler per channel; a handler that throws is removed and its error reported once. Returns nil. */
    onWritable(f: Callback): void;
}

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
    /** Reads one frame from ch: a line without its newline by default, or one message as the channel's :framing says (netstring, length-prefixed, a JSON value for :json-lines); on a datagram channel, one whole message. Returns nil at end of stream, and on a non-blocking channel when no whole frame is there yet (then (blocked? ch) is true). A binary channel (:encoding :binary) returns bytes. Waits at most :timeout ms when set, then raises a timeout error; Ctrl-C interrupts the wait. */
    gets(ch: Channel): any;
    /** Writes data (a string or bytes; with :json-lines framing any value JSON can hold) and a newline to ch, or one frame as the channel's :framing says; on a datagram channel, one message. With the default :buffering :line it leaves the buffer at once. Returns nil. */
    puts(ch: Channel, data: unknown): void;
    /** Reads n characters (bytes on a binary channel) from ch, or everything up to end of stream without n. A blocking channel waits for all n or the end; a non-blocking one returns what is there (nil when nothing). Returns a string, or bytes on a binary channel; at end of stream an empty one. On a datagram channel it returns one whole message, whatever n. Called without a channel it is clojure.core/read. */
    read(ch: Channel): Channel;
    /** Reads n characters (bytes on a binary channel) from ch, or everything up to end of stream without n. A blocking channel waits for all n or the end; a non-blocking one returns what is there (nil when nothing). Returns a string, or bytes on a binary channel; at end of stream an empty one. On a datagram channel it returns one whole message, whatever n. Called without a channel it is clojure.core/read. */
    read(ch: Channel, n: number): Channel;
    /** Writes data (a string or bytes) to ch without a newline. Returns nil. */
    write(ch: Channel, data: unknown): void;
    /** Sends what ch's buffer holds. Called without a channel it is clojure.core/flush. */
    flush(ch: Channel): any;
    /** Flushes and closes ch. With :read or :write, closes only that direction (the peer of a :write close sees end of stream). Closing a process channel waits for the process and raises an error unless it exited 0. Closing a closed channel does nothing. Servers that are not channels (a repl-server) close the same way. */
    close(ch: Channel): any;
    /** Flushes and closes ch. With :read or :write, closes only that direction (the peer of a :write close sees end of stream). Closing a process channel waits for the process and raises an error unless it exited 0. Closing a closed channel does nothing. Servers that are not channels (a repl-server) close the same way. */
    close(ch: Channel, direction: string): any;
    /** True once a read on ch has met the end of the stream and nothing is left buffered. */
    isEof(ch: Channel): boolean;
    /** True when the last read on the non-blocking channel ch found no whole frame to return. */
    isBlocked(ch: Channel): boolean;
    /** Channel options. (configure ch) returns them all as a map, (configure ch :timeout) one, and (configure ch {:timeout 500 :buffering :full}) sets some and returns them all. Common options (values; default): :blocking (true or false; true), :buffering (:none, :line or :full; :line), :buffer-size (bytes, up to 1 GiB; 65536), :encoding ("utf-8", any charset name, or :binary for bytes; "utf-8"), :translation (:lf, :crlf or :auto; :lf, which changes nothing), :timeout (ms that blocking reads and writes may wait, or nil; nil), :framing (:lines, :raw, :netstring, :u16be, :u32be, :u32le or :json-lines; :lines), :max-frame (the longest frame gets accepts, in bytes; 67108864, 64 MiB). Read-only: :id :kind :name :state :eof, and each kind's own (:fd, :path, :pid, :command...); setting one is an error, and so is an unknown option (the error lists the options). */
    configure(ch: Channel): any;
    /** Channel options. (configure ch) returns them all as a map, (configure ch :timeout) one, and (configure ch {:timeout 500 :buffering :full}) sets some and returns them all. Common options (values; default): :blocking (true or false; true), :buffering (:none, :line or :full; :line), :buffer-size (bytes, up to 1 GiB; 65536), :encoding ("utf-8", any charset name, or :binary for bytes; "utf-8"), :translation (:lf, :crlf or :auto; :lf, which changes nothing), :timeout (ms that blocking reads and writes may wait, or nil; nil), :framing (:lines, :raw, :netstring, :u16be, :u32be, :u32le or :json-lines; :lines), :max-frame (the longest frame gets accepts, in bytes; 67108864, 64 MiB). Read-only: :id :kind :name :state :eof, and each kind's own (:fd, :path, :pid, :command...); setting one is an error, and so is an unknown option (the error lists the options). */
    configure(ch: Channel, option: string): any;
    /** Channel options. (configure ch) returns them all as a map, (configure ch :timeout) one, and (configure ch {:timeout 500 :buffering :full}) sets some and returns them all. Common options (values; default): :blocking (true or false; true), :buffering (:none, :line or :full; :line), :buffer-size (bytes, up to 1 GiB; 65536), :encoding ("utf-8", any charset name, or :binary for bytes; "utf-8"), :translation (:lf, :crlf or :auto; :lf, which changes nothing), :timeout (ms that blocking reads and writes may wait, or nil; nil), :framing (:lines, :raw, :netstring, :u16be, :u32be, :u32le or :json-lines; :lines), :max-frame (the longest frame gets accepts, in bytes; 67108864, 64 MiB). Read-only: :id :kind :name :state :eof, and each kind's own (:fd, :path, :pid, :command...); setting one is an error, and so is an unknown option (the error lists the options). */
    configure(ch: Channel, options?: Options): any;
    /** The open channels, oldest first, each as a map of :id, :kind, :name, :state and :channel (the channel itself). */
    channels(): any;
    /** The open channel with the given id ("fifo3"), or nil. */
    channel(id: string): any;
    /** Copies bytes from channel from to channel to until from's end of stream, and returns how many (Tcl's fcopy). What from had already buffered goes first; the rest moves below the channel buffers, as raw bytes (no encoding or framing), with splice(2) (zero-copy) when one side is a pipe, FIFO or process, otherwise through a 256 KiB buffer. Neither channel is closed. Options: :size n copies at most n bytes; :progress true prints bytes and rate to stderr on a terminal for copies longer than a second. With :on-done f the copy runs in the background, served by the event loop, and returns a handle for cancel; (f n) runs on the interpreter thread with the byte count when it ends, or with the error when it fails. During a background copy, do not read from or write to the two channels. */
    copy(from: Channel, to: Channel): any;
    /** Copies bytes from channel from to channel to until from's end of stream, and returns how many (Tcl's fcopy). What from had already buffered goes first; the rest moves below the channel buffers, as raw bytes (no encoding or framing), with splice(2) (zero-copy) when one side is a pipe, FIFO or process, otherwise through a 256 KiB buffer. Neither channel is closed. Options: :size n copies at most n bytes; :progress true prints bytes and rate to stderr on a terminal for copies longer than a second. With :on-done f the copy runs in the background, served by the event loop, and returns a handle for cancel; (f n) runs on the interpreter thread with the byte count when it ends, or with the error when it fails. During a background copy, do not read from or write to the two channels. */
    copy(from: Channel, to: Channel, opts?: Options): any;
    /** Makes an anonymous pipe and returns [r w]: a read channel and a write channel. What is written to w is read from r; closing w gives r end of stream. */
    pipe(): [Channel, Channel];
    /** Creates a FIFO (named pipe) at path; options: :mode (permission bits, default 0600, before the umask). Returns path. A FIFO already there is fine; any other file there is an error. */
    mkfifo(path: string): any;
    /** Creates a FIFO (named pipe) at path; options: :mode (permission bits, default 0600, before the umask). Returns path. A FIFO already there is fine; any other file there is an error. */
    mkfifo(path: string, opts?: Options): any;
    /** Opens the FIFO at path for :read, :write or :rw, creating it first (:mode 0600) unless {:create false}. Like open(2) it waits for the other side: a reader until a writer has written (or come and gone), a writer until a reader has opened; :rw does not wait. The wait is bounded by :timeout (ms, which then stays set on the channel) and Ctrl-C. With {:nonblock true} it returns at once: a writer with no reader fails with ENXIO, a reader sees end of stream until a writer comes. Other options are set on the channel (:buffering, :encoding, :framing...). */
    fifo(path: string, mode: string): any;
    /** Opens the FIFO at path for :read, :write or :rw, creating it first (:mode 0600) unless {:create false}. Like open(2) it waits for the other side: a reader until a writer has written (or come and gone), a writer until a reader has opened; :rw does not wait. The wait is bounded by :timeout (ms, which then stays set on the channel) and Ctrl-C. With {:nonblock true} it returns at once: a writer with no reader fails with ENXIO, a reader sees end of stream until a writer comes. Other options are set on the channel (:buffering, :encoding, :framing...). */
    fifo(path: string, mode: string, opts?: Options): any;
    /** Opens a plain file (or a device such as /dev/null) as a channel. mode: :read (default), :write (create, truncate), :append (create) or :rw (create). Options: :mode (permission bits for a new file, default 0644), and any channel option. */
    openFile(path: string): Channel;
    /** Opens a plain file (or a device such as /dev/null) as a channel. mode: :read (default), :write (create, truncate), :append (create) or :rw (create). Options: :mode (permission bits for a new file, default 0644), and any channel option. */
    openFile(path: string, mode: string): Channel;
    /** Opens a plain file (or a device such as /dev/null) as a channel. mode: :read (default), :write (create, truncate), :append (create) or :rw (create). Options: :mode (permission bits for a new file, default 0644), and any channel option. */
    openFile(path: string, mode: string, opts?: Options): Channel;
    /** Connects a stream socket and returns its channel. (connect :tcp "example.org" 80) tries each address of the host in turn; (connect :unix "/run/app.sock") a unix socket, (connect :unix "@name") one in Linux's abstract namespace. Options: :timeout (ms) bounds the connect and stays set on the channel for later reads; any other channel option (:buffering, :encoding, :framing...). (configure ch) shows :local and :peer addresses, :port and :peer-port (tcp), and for unix sockets the peer's :peer-pid, :peer-uid and :peer-gid. A refused connection, an unknown host or a path too long for a unix socket address is an error naming the address. */
    connect(kind: string, host: string, port: number): Channel;
    /** Connects a stream socket and returns its channel. (connect :tcp "example.org" 80) tries each address of the host in turn; (connect :unix "/run/app.sock") a unix socket, (connect :unix "@name") one in Linux's abstract namespace. Options: :timeout (ms) bounds the connect and stays set on the channel for later reads; any other channel option (:buffering, :encoding, :framing...). (configure ch) shows :local and :peer addresses, :port and :peer-port (tcp), and for unix sockets the peer's :peer-pid, :peer-uid and :peer-gid. A refused connection, an unknown host or a path too long for a unix socket address is an error naming the address. */
    connect(kind: string, host: string, port: number, opts?: Options): Channel;
    /** Connects a stream socket and returns its channel. (connect :tcp "example.org" 80) tries each address of the host in turn; (connect :unix "/run/app.sock") a unix socket, (connect :unix "@name") one in Linux's abstract namespace. Options: :timeout (ms) bounds the connect and stays set on the channel for later reads; any other channel option (:buffering, :encoding, :framing...). (configure ch) shows :local and :peer addresses, :port and :peer-port (tcp), and for unix sockets the peer's :peer-pid, :peer-uid and :peer-gid. A refused connection, an unknown host or a path too long for a unix socket address is an error naming the address. */
    connect(kind: string, path: string): Channel;
    /** Connects a stream socket and returns its channel. (connect :tcp "example.org" 80) tries each address of the host in turn; (connect :unix "/run/app.sock") a unix socket, (connect :unix "@name") one in Linux's abstract namespace. Options: :timeout (ms) bounds the connect and stays set on the channel for later reads; any other channel option (:buffering, :encoding, :framing...). (configure ch) shows :local and :peer addresses, :port and :peer-port (tcp), and for unix sockets the peer's :peer-pid, :peer-uid and :peer-gid. A refused connection, an unknown host or a path too long for a unix socket address is an error naming the address. */
    connect(kind: string, path: string, opts?: Options): Channel;
    /** Starts a server and returns it as a channel; for each connection it accepts, (f ch peer) runs on the interpreter thread with the new connection's channel and the peer's address (["host" port] for tcp, usually nil for unix). (listen :tcp 8080 f) listens on every IPv4 interface, {:host "127.0.0.1"} (or "::") on one; port 0 picks a free port, which (configure srv :port) tells. (listen :unix "/tmp/app.sock" f) or "@name" for an abstract socket. A socket file left behind by a dead server is replaced; a path a live server holds, or a file that is not a socket, is an error. Options: :backlog (default 128). (close srv) stops accepting (connections already accepted stay open) and removes the socket file the shell made; so does the shell's exit. If f throws, its error is reported and the server goes on. A script keeps running while a server is open. */
    listen(kind: string, port: number, f: Callback): Channel;
    /** Starts a server and returns it as a channel; for each connection it accepts, (f ch peer) runs on the interpreter thread with the new connection's channel and the peer's address (["host" port] for tcp, usually nil for unix). (listen :tcp 8080 f) listens on every IPv4 interface, {:host "127.0.0.1"} (or "::") on one; port 0 picks a free port, which (configure srv :port) tells. (listen :unix "/tmp/app.sock" f) or "@name" for an abstract socket. A socket file left behind by a dead server is replaced; a path a live server holds, or a file that is not a socket, is an error. Options: :backlog (default 128). (close srv) stops accepting (connections already accepted stay open) and removes the socket file the shell made; so does the shell's exit. If f throws, its error is reported and the server goes on. A script keeps running while a server is open. */
    listen(kind: string, port: number, f: Callback, opts?: Options): Channel;
    /** Starts a server and returns it as a channel; for each connection it accepts, (f ch peer) runs on the interpreter thread with the new connection's channel and the peer's address (["host" port] for tcp, usually nil for unix). (listen :tcp 8080 f) listens on every IPv4 interface, {:host "127.0.0.1"} (or "::") on one; port 0 picks a free port, which (configure srv :port) tells. (listen :unix "/tmp/app.sock" f) or "@name" for an abstract socket. A socket file left behind by a dead server is replaced; a path a live server holds, or a file that is not a socket, is an error. Options: :backlog (default 128). (close srv) stops accepting (connections already accepted stay open) and removes the socket file the shell made; so does the shell's exit. If f throws, its error is reported and the server goes on. A script keeps running while a server is open. */
    listen(kind: string, path: string, f: Callback): Channel;
    /** Starts a server and returns it as a channel; for each connection it accepts, (f ch peer) runs on the interpreter thread with the new connection's channel and the peer's address (["host" port] for tcp, usually nil for unix). (listen :tcp 8080 f) listens on every IPv4 interface, {:host "127.0.0.1"} (or "::") on one; port 0 picks a free port, which (configure srv :port) tells. (listen :unix "/tmp/app.sock" f) or "@name" for an abstract socket. A socket file left behind by a dead server is replaced; a path a live server holds, or a file that is not a socket, is an error. Options: :backlog (default 128). (close srv) stops accepting (connections already accepted stay open) and removes the socket file the shell made; so does the shell's exit. If f throws, its error is reported and the server goes on. A script keeps running while a server is open. */
    listen(kind: string, path: string, f: Callback, opts?: Options): Channel;
    /** Makes a udp socket and returns its datagram channel. {:bind 5000} or {:bind ["127.0.0.1" 5000]} gives it a local address (port 0: a free one, see (configure ch :port)); {:connect ["host" port]} fixes the peer, so puts and write send there and only its datagrams arrive. puts/gets send and receive one whole datagram; (send ch data {:to ["host" port]}) sends anywhere, (recv ch) tells who sent. Other options are channel options. */
    udp(): Channel;
    /** Makes a udp socket and returns its datagram channel. {:bind 5000} or {:bind ["127.0.0.1" 5000]} gives it a local address (port 0: a free one, see (configure ch :port)); {:connect ["host" port]} fixes the peer, so puts and write send there and only its datagrams arrive. puts/gets send and receive one whole datagram; (send ch data {:to ["host" port]}) sends anywhere, (recv ch) tells who sent. Other options are channel options. */
    udp(opts?: Options): Channel;
    /** Makes a unix datagram socket bound at path (or "@name", abstract) and returns its datagram channel; a stale socket file there is replaced and the file is removed on close. With nil instead of a path it gets a fresh abstract name, so peers can still reply. {:connect "/path"} fixes the peer that puts and write send to. puts/gets move one whole datagram; send and recv give the addresses. Other options are channel options. */
    unixDgram(path: string): Channel;
    /** Makes a unix datagram socket bound at path (or "@name", abstract) and returns its datagram channel; a stale socket file there is replaced and the file is removed on close. With nil instead of a path it gets a fresh abstract name, so peers can still reply. {:connect "/path"} fixes the peer that puts and write send to. puts/gets move one whole datagram; send and recv give the addresses. Other options are channel options. */
    unixDgram(path: string, opts?: Options): Channel;
    /** Sends data (a string or bytes) as one datagram on a udp or unix datagram channel: to the connected peer, or {:to ["host" port]} / {:to "/path"} (an address as recv's :from gives it). On a stream channel it is write. Returns nil. Called without a channel it is clojure.core/send. */
    send(ch: Channel, data: unknown): void;
    /** Sends data (a string or bytes) as one datagram on a udp or unix datagram channel: to the connected peer, or {:to ["host" port]} / {:to "/path"} (an address as recv's :from gives it). On a stream channel it is write. Returns nil. Called without a channel it is clojure.core/send. */
    send(ch: Channel, data: unknown, opts?: Options): void;
    /** Receives one datagram from a udp or unix datagram channel: {:data "..." :from addr}, where addr is ["host" port] for udp, a path or "@name" for unix (nil when the sender has no name), fit for (send ch reply {:to addr}). data is bytes on a binary channel. Waits like gets (:timeout, Ctrl-C); nil when a non-blocking channel has nothing. */
    recv(ch: Channel): any;
    /** Starts a program and returns a process channel: what you write goes to its stdin, what you read comes from its stdout (Tcl's open |cmd r+). (spawn "tr" "a-z" "A-Z") or (spawn ["sh" "-c" "..."] {:stderr :merge}). Options: :stdin and :stdout (:pipe default, :inherit, :null, or a channel), :stderr (:inherit default, :merge into stdout, :null, or a channel), :dir, :env (a map added to the environment), and any channel option. (close ch :write) sends it end of input; (close ch) waits for it and raises an error unless it exited 0. The program is looked up in PATH. */
    spawn(cmd: string, ...args: string[]): Channel;
    /** Starts a program and returns a process channel: what you write goes to its stdin, what you read comes from its stdout (Tcl's open |cmd r+). (spawn "tr" "a-z" "A-Z") or (spawn ["sh" "-c" "..."] {:stderr :merge}). Options: :stdin and :stdout (:pipe default, :inherit, :null, or a channel), :stderr (:inherit default, :merge into stdout, :null, or a channel), :dir, :env (a map added to the environment), and any channel option. (close ch :write) sends it end of input; (close ch) waits for it and raises an error unless it exited 0. The program is looked up in PATH. */
    spawn(argv: string[], opts?: Options): Channel;
    /** The pid of the process behind a process channel; without an argument, the shell's own pid. */
    pid(): any;
    /** The pid of the process behind a process channel; without an argument, the shell's own pid. */
    pid(ch: Channel): any;
    /** Waits for the process behind ch to end and returns its exit status (128+n when killed by signal n). Does not close the channel. Bounded by timeout-ms when given (a timeout error when the time is up first), and by Ctrl-C. */
    wait(ch: Channel): any;
    /** Waits for the process behind ch to end and returns its exit status (128+n when killed by signal n). Does not close the channel. Bounded by timeout-ms when given (a timeout error when the time is up first), and by Ctrl-C. */
    wait(ch: Channel, timeoutMs: number): any;
    /** Calls (f ch) on the interpreter thread whenever ch has something to read (Tcl's fileevent); f may also take no arguments. End of stream and errors count as readable, so f should check (eof? ch) and close or remove itself, or it is called again and again. While ch still has buffered input f is called again at once: a handler that reads one line sees every line. One handler per channel: a new one replaces the old, nil removes it, closing ch removes it. A handler that throws is removed and its error reported once, with where it was registered. A script keeps running while a handler is set. Returns nil. */
    onReadable(ch: Channel, f: Callback): void;
    /** Calls (f ch) (or (f) when f takes none) on the interpreter thread whenever ch can take more data without waiting (errors and hang-up count as writable: the write then reports them). Remove it with nil once there is nothing more to write, or it is called again and again. One handler per channel; a handler that throws is removed and its error reported once. Returns nil. */
    onWritable(ch: Channel, f: Callback): void;
    /** Calls (f) once on the interpreter thread after ms milliseconds; returns a timer for cancel. Timers due at the same time run in the order they were made. A script keeps running while a timer is pending. */
    after(ms: number, f: Callback): any;
    /** Calls (f) on the interpreter thread every ms milliseconds until (cancel t); returns the timer t. The first call is ms from now. A call that throws cancels the timer and its error is reported once, with where the timer was made. */
    every(ms: number, f: Callback): any;
    /** Cancels a timer from after or every, or stops a background copy (its :on-done is then not called). Cancelling twice does nothing. Returns nil. */
    cancel(t: Timer): void;
    /** Serves events (callbacks, timers, accepts) until (pred) returns truthy, then returns true (Tcl's vwait). pred may also be a promise or future: then it waits until that is delivered. With {:timeout ms} it returns false when the time is up first. Ctrl-C ends the wait with an error. Call it from the script's top level or the REPL, not from a callback. */
    waitFor(pred: Callback | Promise<unknown>): any;
    /** Serves events (callbacks, timers, accepts) until (pred) returns truthy, then returns true (Tcl's vwait). pred may also be a promise or future: then it waits until that is delivered. With {:timeout ms} it returns false when the time is up first. Ctrl-C ends the wait with an error. Call it from the script's top level or the REPL, not from a callback. */
    waitFor(pred: Callback | Promise<unknown>, opts?: Options): any;
    /** Serves events until nothing is left to serve: no handler, server, timer or background copy. A script does this by itself after its top level; in the REPL events are served while it waits for input. Ctrl-C ends it. Returns nil. */
    runLoop(): void;
    /** Ends the shell (or the script) at once with the exit status (0 by default). */
    exit(): any;
    /** Ends the shell (or the script) at once with the exit status (0 by default). */
    exit(status: number): any;
    /** Evaluates the string code as JavaScript in the shell's one JS context (started on first use, so the first call takes a moment) and returns its value: objects become maps with keyword keys, arrays vectors, Uint8Array bytes, functions fns, channel objects the same channels. Globals that code defines stay for the next call. A JS exception becomes an error with the JS message and location. From JavaScript, ipc.js(code) evaluates code in that same context, and ipc.clj(code) goes the other way. */
    js(code: string): any;
    /** Serves REPL sessions on a new unix socket at path, made 0600; a process of another user (SO_PEERCRED) is refused and the refusal logged on stderr. Each session's forms run on the interpreter thread between events, so they see and change the running script's vars, channels and handlers; their *out* and *err* go to the session. A session is Clojure's line REPL (prompt "user=> "; usable with socat - UNIX-CONNECT:path, nc -U or inf-clojure) until it evaluates (clojure.core.server/io-prepl) or :prepl, then it gets prepl messages ({:tag :ret :val "3" :ns "user" :ms 0 :form "(+ 1 2)"}, {:tag :out :val …}, exceptions as {:tag :ret :exception true :val "<Throwable->map>"}). {:prepl true} makes every session prepl. ipcsh --attach path connects with the full line editor. A stale socket file nobody listens on is replaced. Keeps a script running; (close srv) stops it and ends its sessions, and the socket file goes then or when the shell exits (also on SIGTERM). Returns the server. Also: ipcsh --repl-server path script.ipcs. The tcp form (repl-server 5555 {:token-file "/home/me/.ipcsh-token"}) listens on loopback only (:host "127.0.0.1" default, "::1" or "localhost"; port 0 picks one: (configure-free: (.port srv))), and every client must first send the token line read from :token-file, a file of the shell's user that nobody else may read (0600) holding at least 16 characters; a wrong token is refused and logged. ipcsh --attach 5555 --token-file F connects to it. */
    replServer(path: string): any;
    /** Serves REPL sessions on a new unix socket at path, made 0600; a process of another user (SO_PEERCRED) is refused and the refusal logged on stderr. Each session's forms run on the interpreter thread between events, so they see and change the running script's vars, channels and handlers; their *out* and *err* go to the session. A session is Clojure's line REPL (prompt "user=> "; usable with socat - UNIX-CONNECT:path, nc -U or inf-clojure) until it evaluates (clojure.core.server/io-prepl) or :prepl, then it gets prepl messages ({:tag :ret :val "3" :ns "user" :ms 0 :form "(+ 1 2)"}, {:tag :out :val …}, exceptions as {:tag :ret :exception true :val "<Throwable->map>"}). {:prepl true} makes every session prepl. ipcsh --attach path connects with the full line editor. A stale socket file nobody listens on is replaced. Keeps a script running; (close srv) stops it and ends its sessions, and the socket file goes then or when the shell exits (also on SIGTERM). Returns the server. Also: ipcsh --repl-server path script.ipcs. The tcp form (repl-server 5555 {:token-file "/home/me/.ipcsh-token"}) listens on loopback only (:host "127.0.0.1" default, "::1" or "localhost"; port 0 picks one: (configure-free: (.port srv))), and every client must first send the token line read from :token-file, a file of the shell's user that nobody else may read (0600) holding at least 16 characters; a wrong token is refused and logged. ipcsh --attach 5555 --token-file F connects to it. */
    replServer(path: string, opts?: Options): any;
    /** Serves REPL sessions on a new unix socket at path, made 0600; a process of another user (SO_PEERCRED) is refused and the refusal logged on stderr. Each session's forms run on the interpreter thread between events, so they see and change the running script's vars, channels and handlers; their *out* and *err* go to the session. A session is Clojure's line REPL (prompt "user=> "; usable with socat - UNIX-CONNECT:path, nc -U or inf-clojure) until it evaluates (clojure.core.server/io-prepl) or :prepl, then it gets prepl messages ({:tag :ret :val "3" :ns "user" :ms 0 :form "(+ 1 2)"}, {:tag :out :val …}, exceptions as {:tag :ret :exception true :val "<Throwable->map>"}). {:prepl true} makes every session prepl. ipcsh --attach path connects with the full line editor. A stale socket file nobody listens on is replaced. Keeps a script running; (close srv) stops it and ends its sessions, and the socket file goes then or when the shell exits (also on SIGTERM). Returns the server. Also: ipcsh --repl-server path script.ipcs. The tcp form (repl-server 5555 {:token-file "/home/me/.ipcsh-token"}) listens on loopback only (:host "127.0.0.1" default, "::1" or "localhost"; port 0 picks one: (configure-free: (.port srv))), and every client must first send the token line read from :token-file, a file of the shell's user that nobody else may read (0600) holding at least 16 characters; a wrong token is refused and logged. ipcsh --attach 5555 --token-file F connects to it. */
    replServer(port: number, opts?: Options): any;
}

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
