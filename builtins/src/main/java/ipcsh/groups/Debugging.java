package ipcsh.groups;

import ipcsh.RegisteredAt;
import ipcsh.Console;
import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.Framing;
import ipcsh.debug.Dump;
import ipcsh.debug.Dumps;
import ipcsh.debug.FifoTap;
import ipcsh.debug.Holders;
import ipcsh.debug.LogFormat;
import ipcsh.debug.SocketTable;
import ipcsh.debug.Tap;
import ipcsh.debug.TapExec;
import ipcsh.registry.Args;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Debugging other programs: find their sockets and FIFOs, see who holds them, watch their traffic. */
public final class Debugging implements Registry.Group {
    private static final String FORMATS = ":text, :hex, or a framing (:lines, :json-lines, :content-length, :netstring, :u16be, :u32be, :u32le)";

    @Override
    public String title() {
        return "Debugging other programs";
    }

    @Override
    public void register(Registry r) {
        r.add("sockets", "([] [filters])", """
                The machine's sockets, as ss shows them, from the kernel's tables (/proc/net/unix, tcp, \
                tcp6, udp, udp6): a vector of maps with :kind (:unix :tcp :tcp6 :udp :udp6), :state \
                (:listen, :connected, :established...), :local and :peer addresses (tcp/udp, with :port and \
                :peer-port), :type and :path (unix; "@name" for abstract ones), :inode, and :owners, the \
                processes holding it ([{:pid 812 :command "redis-server ..."}], from /proc/*/fd; an ipcsh \
                shows as "ipcsh SCRIPT ARGS", and the REPL's table shortens long commands, the data keeps \
                them whole). A connected unix socket also has :peer-inode and :peer-owners, the process at \
                the other end, as the kernel's sock_diag tells it. Filters: {:path "/run/app.sock" :pid \
                812 :port 8080 :listening true :kind :unix :command "redis"} (:kind :tcp also takes tcp6; \
                :command keeps the sockets an owner of which has that text in its command). Sockets of \
                processes this user may not look into have no owners and a :note saying so.""",
                a -> {
                    Options o = a.arity(0, 1).options(0).only("path", "pid", "port", "listening", "kind", "command");
                    Long pid = o.has("pid") ? o.integer("pid", 0) : null;
                    Long port = o.has("port") ? o.integer("port", 0) : null;
                    if (port != null && (port < 0 || port > 65535)) throw new IpcException("sockets: option :port must be 0..65535, not " + port);
                    String kind = o.word("kind", null);
                    if (kind != null && !List.of("unix", "tcp", "tcp6", "udp", "udp6").contains(kind)) {
                        throw new IpcException("sockets: option :kind must be :unix, :tcp, :tcp6, :udp or :udp6, not :" + kind);
                    }
                    String command = o.string("command", null);
                    List<java.util.Map<String, Object>> rows = SocketTable.list(o.string("path", null), pid, port,
                            o.flag("listening", false), kind);
                    if (command != null) rows.removeIf(row -> !heldBy(row, command));
                    return rows;
                }).returns("any[]");
        r.add("fifos", "([dir] [dir opts])", """
                The FIFOs in dir ({:recursive true}: and below it), each as {:path :readers :writers \
                :holders}: the pids that have it open for reading and for writing, and every holder as \
                {:pid :command :fd :mode} (:mode :read, :write or :rw, from /proc/*/fdinfo). A program blocked \
                in open(2), waiting for the other side, holds no descriptor yet and is not listed.""",
                a -> {
                    a.arity(1, 2);
                    String dir = a.string(0, "a directory");
                    Options o = a.options(1).only("recursive");
                    return Holders.fifos(dir, o.flag("recursive", false));
                }).returns("any[]");
        r.add("who-has", "([path])", """
                Every process holding path open, like lsof PATH: a vector of {:pid :command :fd :mode} \
                (:command is the command line, an ipcsh's as "ipcsh SCRIPT ARGS", as in fifos, sockets and ipcs). Works \
                for FIFOs, regular files, unix socket files (each socket on that path, with its :state) and \
                /dev/shm segments (a process that only maps a segment is listed with :fd :mem). A path that \
                does not exist is an error; processes this user may not look into are summed up in a last row \
                with a :note.""",
                a -> Holders.whoHas(a.arity(1, 1).string(0, "a path"))).returns("any[]");
        r.add("tap", "([opts])", """
                A logging proxy between a program and the server it talks to: (tap {:listen "/tmp/app-debug.sock" \
                :to "/run/app.sock"}) listens at :listen and, for each connection, connects to :to and \
                forwards both ways, logging every chunk with time, connection number, direction (c->s, \
                s->c) and length. Addresses: a path or "@name" (unix), a port (tcp on 127.0.0.1) or \
                ["host" port]; tcp and unix mix. :format is :text (default; control characters made \
                visible), :hex (offset, hex and ASCII columns like xxd), or a framing (:lines, :json-lines, \
                :u32be...) so that each message is one entry. :log "file" writes the log to a file instead of \
                the terminal (complete; the terminal drops entries while it cannot keep up, and says how many \
                at close), :log false logs nothing. Forwarding runs on the reactor thread, not the \
                interpreter's, so a script may talk to its own tap with a blocking gets; it stops reading \
                only while more than 64 MiB wait for a log file or for :on-chunk calls. :on-chunk f calls (f \
                entry) for each chunk or message, entry = {:conn 1 :dir :c->s :time ms :data "..." :len n}. \
                The target must be listening (checked without connecting to it). A connection that resets \
                is logged and closed; the tap goes on. (close t) stops it: the listener goes, proxied \
                connections close, the log is written out. The tap holds a script open until closed.""",
                a -> {
                    Options o = a.arity(1, 1).options(0).only("listen", "to", "format", "log", "on-chunk");
                    Object listen = address(o, "listen"), to = address(o, "to");
                    Object log = o.get("log");
                    if (log != null && !(log instanceof String) && !Boolean.FALSE.equals(log)) {
                        throw new IpcException("tap: option :log must be a file name or false, not " + Args.describe(log));
                    }
                    String format = o.word("format", "text");
                    Tap.Spec spec = new Tap.Spec(listen, to, logFormat(format, "tap"), framing(format, "tap"),
                            log instanceof String ? o.string("log", null) : null, Boolean.FALSE.equals(log),
                            o.get("on-chunk") == null ? null : callbackOption(a, o));
                    return Tap.start(spec, RegisteredAt.here("tap " + listen));
                }).returns("any");
        r.add("fifo-tap", "([path] [path opts])", """
                Taps a FIFO two other programs share: moves the original aside (an atomic rename to \
                .NAME.ipcsh-tap-PID in the same directory), puts a new FIFO at path, relays between the two \
                and logs like tap (options :format, :log, :on-chunk; the direction is always :c->s, writer to \
                reader). A reader that already has the FIFO open (or waits in open) stays on the original; \
                writers that open path from now on write to the tap, which passes the bytes on, and the \
                reader sees end of stream when the tap closes. With only a writer holding it, the writer \
                stays on the original and readers that open path read from the tap. A writer that had it \
                open before the tap keeps writing to the original directly, unlogged; with nobody holding \
                it, fifo-tap is an error. (close t), Ctrl-C and SIGTERM of the shell put the original back in \
                one rename.""",
                a -> {
                    a.arity(1, 2);
                    String path = a.string(0, "a FIFO path");
                    Options o = a.options(1).only("format", "log", "on-chunk");
                    Object log = o.get("log");
                    if (log != null && !(log instanceof String) && !Boolean.FALSE.equals(log)) {
                        throw new IpcException("fifo-tap: option :log must be a file name or false, not " + Args.describe(log));
                    }
                    String format = o.word("format", "text");
                    if (framing(format, "fifo-tap") != null) throw new IpcException("fifo-tap: :format must be :text or :hex");
                    return FifoTap.start(path, logFormat(format, "fifo-tap"), log instanceof String ? o.string("log", null) : null,
                            Boolean.FALSE.equals(log), o.get("on-chunk") == null ? null : callbackOption(a, o));
                }).returns("any");
        r.add("tap-exec", "([argv] [argv opts])", """
                Runs a program with its stdin, stdout and stderr relayed through the shell and logged as \
                tap logs: (tap-exec ["pylsp"] {:log "/tmp/lsp.log" :format :content-length}). What the \
                shell's stdin brings goes to the program (logged c->s), what the program writes to stdout \
                comes out of the shell's stdout (s->c) and its stderr out of the shell's stderr (logged as \
                events), each chunk passed on as soon as it is read; with a framing :format each message is \
                one entry, with its time. :log (a file, required, or false) and :format as tap's. HUP, INT, \
                TERM and USR1 sent to the shell go to the program. Returns when the program has ended \
                and its output is relayed: its exit status, or {:signal :TERM :number 15} as wait does. \
                ipcsh --tap-stdio LOG -- cmd args... does the same from the command line, and exits as the \
                program did (the same status, or killed by the same signal): put it where an editor \
                expects the language server's command.""",
                a -> {
                    a.arity(1, 2);
                    List<String> argv = a.stringList(0, "a command vector [\"cmd\" \"arg\"...]");
                    Options o = a.options(1).only("log", "format");
                    Object log = o.get("log");
                    if (!(log instanceof String) && !Boolean.FALSE.equals(log)) {
                        throw new IpcException("tap-exec: option :log is required: a file name, or false, not " + Args.describe(log));
                    }
                    String format = o.word("format", "text");
                    return TapExec.run(argv, logFormat(format, "tap-exec"), framing(format, "tap-exec"),
                            log instanceof String ? o.string("log", null) : null, Boolean.FALSE.equals(log));
                }).returns("any");
        r.add("hexdump", "([data])", """
                Prints data (a string, as UTF-8, or bytes) like xxd: offset, 16 bytes in hex, and the \
                printable ones as ASCII. Returns nil.""",
                a -> {
                    Object d = a.arity(1, 1).get(0);
                    byte[] b;
                    if (d instanceof String s) b = s.getBytes(StandardCharsets.UTF_8);
                    else if (d instanceof byte[] x) b = x;
                    else throw a.wrongType(0, "a string or bytes");
                    Console.print(Dumps.hex(b, Console.palette()));
                    return null;
                }).returns("void");
        r.add("dump", "([ch] [ch opts])", """
                Reads ch and prints what arrives as it arrives, until end of stream or Ctrl-C, in :format \
                :text (default), :hex, or a framing (:lines, :json-lines, :u32be...: one message a line). \
                Returns the number of bytes (or messages) read. The channel's own options are as before \
                afterwards.""",
                a -> {
                    Channel ch = a.arity(1, 2).channel(0);
                    Options o = a.options(1).only("format");
                    String format = o.word("format", "text");
                    return Dump.run(ch, format.equals("hex"), framing(format, "dump"));
                }).returns("number");
    }

    /** Whether an owner of the socket row has text in its command (as listings show it: "ipcsh SCRIPT" for an ipcsh). */
    private static boolean heldBy(java.util.Map<String, Object> row, String text) {
        if (!(row.get("owners") instanceof List<?> owners)) return false;
        for (Object o : owners) {
            if (o instanceof java.util.Map<?, ?> m && m.get("command") instanceof String c && c.contains(text)) return true;
        }
        return false;
    }

    private static ipcsh.Callback callbackOption(Args a, Options o) {
        if (o.get("on-chunk") instanceof ipcsh.Callback c) return c;
        throw new IpcException(a.name() + ": option :on-chunk must be a function, not " + Args.describe(o.get("on-chunk")));
    }

    private static Object address(Options o, String key) {
        Object v = o.get(key);
        if (v == null) throw new IpcException("tap: option :" + key + " is required (a socket path, \"@name\", a port or [\"host\" port])");
        if (v instanceof String s && !s.isEmpty()) return o.string(key, null);
        if (v instanceof Number n) return checkPort(n, key);
        if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String host && l.get(1) instanceof Number n) {
            ipcsh.ArgCheck.noNul("tap", "option :" + key + "'s host", host);
            checkPort(n, key);
            return l;
        }
        throw new IpcException("tap: option :" + key + " must be a socket path, \"@name\", a port or [\"host\" port], not " + Args.describe(v));
    }

    private static Number checkPort(Number n, String key) {
        if (n.longValue() < 0 || n.longValue() > 65535) throw new IpcException("tap: option :" + key + ": port must be 0..65535, not " + n);
        return n;
    }

    /** The log format a :format names (for tap, fifo-tap, tap-exec and --tap-stdio). */
    public static LogFormat logFormat(String format, String call) {
        return format.equals("hex") ? LogFormat.HEX : framing(format, call) != null ? LogFormat.FRAMES
                : LogFormat.TEXT;
    }

    /** The framing a :format names, null for :text and :hex; anything else is an error naming the formats. */
    public static Framing framing(String format, String call) {
        if (format.equals("text") || format.equals("hex")) return null;
        try {
            return Framing.of(format);
        } catch (IpcException e) {
            throw new IpcException(call + ": unknown :format :" + format + " (expected " + FORMATS + ")");
        }
    }
}
