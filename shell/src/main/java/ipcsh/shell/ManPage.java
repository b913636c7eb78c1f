package ipcsh.shell;

import ipcsh.lang.js.JsExtras;
import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates man/ipcsh-builtins.7 from the builtin registry, so the page says what (doc) says:
 * one section per registry group, one entry per builtin with its usages, its JavaScript name and
 * its doc text. The output depends only on the registry and the version, never on the date, so
 * ManPageTest can compare it with the committed page.
 *
 * <pre>java -cp ... ipcsh.shell.ManPage man/ipcsh-builtins.7</pre>
 */
public final class ManPage {
    /** The command that rewrites the committed page (ManPageTest prints it when the page is stale). */
    public static final String REGENERATE = "mvn -q -B -DskipTests package && \"$JAVA_HOME/bin/java\" "
            + "-cp \"shell/target/ipcsh.jar:shell/target/lib/*\" ipcsh.shell.ManPage man/ipcsh-builtins.7";

    private ManPage() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ManPage OUTPUT (e.g. man/ipcsh-builtins.7)");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Files.writeString(out, generate(Registry.standard()), StandardCharsets.US_ASCII);
        System.out.println("wrote " + out);
    }

    /** The whole page, roff with man(7) macros, ASCII only. */
    public static String generate(Registry registry) {
        Roff r = new Roff();
        r.raw(".\\\" Generated from the builtin registry by ipcsh.shell.ManPage: do not edit.");
        r.raw(".\\\" Regenerate from the repository root with:");
        r.raw(".\\\"   " + REGENERATE);
        r.raw(".TH IPCSH\\-BUILTINS 7 \"\" \"ipcsh " + Version.TEXT + "\" \"ipcsh Manual\"");
        r.raw(".SH NAME");
        r.text("ipcsh-builtins - the builtins of ipcsh: channels, pipes, FIFOs, sockets, processes and the event loop");

        // the same groups as help's, forms that are macros (with-sem) after each group's builtins
        Map<String, List<Builtin>> groups = ipcsh.lang.HelpBuiltins.groups(registry);

        r.raw(".SH SYNOPSIS");
        r.raw(".nf");
        boolean first = true;
        for (Map.Entry<String, List<Builtin>> g : groups.entrySet()) {
            if (!first) r.raw("");
            first = false;
            r.raw("\\fI" + r.esc(g.getKey()) + "\\fP");
            for (Builtin b : g.getValue()) {
                for (String u : b.usages()) r.raw("\\fB" + r.esc(u) + "\\fP");
            }
        }
        r.raw(".fi");

        description(r, registry);

        for (Map.Entry<String, List<Builtin>> g : groups.entrySet()) {
            r.raw(".SH " + quote(r.esc(g.getKey().toUpperCase(java.util.Locale.ROOT))));
            for (Builtin b : g.getValue()) entry(r, b);
        }

        javascript(r);

        r.raw(".SH SEE ALSO");
        r.raw(".BR ipcsh (1),");
        r.raw(".BR epoll (7),");
        r.raw(".BR fifo (7),");
        r.raw(".BR pipe (7),");
        r.raw(".BR unix (7),");
        r.raw(".BR udp (7),");
        r.raw(".BR splice (2)");
        r.raw(".PP");
        r.text("In the shell, (doc name) prints the text of an entry above; from JavaScript, ipc.doc('name').");
        return r.toString();
    }

    private static void entry(Roff r, Builtin b) {
        r.raw(".PP");
        List<String> usages = b.usages();
        for (int i = 0; i < usages.size(); i++) {
            if (i > 0) r.raw(".br");
            r.raw("\\fB" + r.esc(usages.get(i)) + "\\fP");
        }
        r.raw(".RS 4");
        StringBuilder js = new StringBuilder("JavaScript: \\fBipc.").append(r.esc(b.jsName())).append("\\fP");
        if (b.js().promise() != null) {
            js.append(" (\\fBipc.").append(r.esc(b.js().promise())).append("\\fP returns a Promise instead; see JAVASCRIPT)");
        } else if (b.channelMethod()) {
            js.append(", or the channel method \\fBch.").append(r.esc(b.jsName())).append("\\fP");
        }
        r.raw(js.toString());
        r.raw(".br");
        String[] paras = b.doc().split("\n\\s*\n");
        for (int i = 0; i < paras.length; i++) {
            if (i > 0) r.raw(".IP");
            for (String line : paras[i].split("\n")) {
                if (!line.isBlank()) r.text(line.strip());
            }
        }
        r.raw(".RE");
    }

    private static void description(Roff r, Registry registry) {
        r.raw(".SH DESCRIPTION");
        r.text("""
                Every builtin of ipcsh(1) is listed below, grouped as in the shell's own registry: the \
                text of each entry is the very text (doc name) prints in the shell. The builtins live in \
                the namespace ipcsh.core, which the REPL and scripts refer by default; JavaScript sees \
                the same builtins as the global ipc object (see JAVASCRIPT).""");
        r.raw(".SS Channels");
        r.text("""
                Every IPC object that carries data is a channel, and the same verbs work on every kind: \
                gets, puts, read, write, flush, close (also half-close), eof?, blocked?, configure, \
                on-readable, on-writable, copy. What works on a pipe works on a FIFO, a socket, a file or \
                a spawned process. Channels print as #<channel id kind name>, (channels) lists the open \
                ones, and they are java.io.Closeable: with-open, slurp, spit and line-seq (through \
                clojure.java.io) work on them.""");
        r.raw(".PP");
        r.text("""
                Stream channels carry a byte stream: pipe, fifo, open-file, tcp and unix stream sockets \
                (connect, and the connections listen accepts), spawned processes. Message channels carry \
                whole messages: udp and unix-dgram sockets, and POSIX message queues (mq). On a message \
                channel puts and gets send and receive one whole datagram or message, whatever the \
                framing; send and recv also give the peer's address, or a queued message's priority.""");
        r.raw(".PP");
        r.text("""
                Text is UTF-8 by default. Reading, a text channel ends a line at LF, CR LF or a lone CR \
                (:translation :auto, Tcl's default), so lines from CRLF protocols come without the CR; \
                writing changes nothing. A binary channel (:encoding :binary) translates nothing and \
                returns bytes. Written text leaves the buffer at every newline (:buffering :line), so \
                no flush is forgotten, binary data at once (:none); a read that must wait sends the \
                channel's own buffered output first; every blocking verb can be bounded with :timeout.""");
        r.raw(".SS Options");
        r.text("""
                (configure ch) returns every option of a channel as a map, (configure ch :name) one of \
                them, and (configure ch {:name value ...}) sets some. Builtins that make channels take \
                the same options in their options map. The common options, with their values and \
                defaults:""");
        options(r, registry.get("configure"));
        r.raw(".PP");
        r.text("""
                Read-only: :id, :kind, :name, :state and :eof, and each kind's own, such as :fd, :path, \
                :pid, :command, :local, :peer, :port, :peer-port, :peer-pid, :peer-uid and :peer-gid.""");
        r.raw(".SS Framing");
        r.text("""
                The :framing option says how gets and puts cut a byte stream into messages, so a message \
                boundary survives a FIFO or a stream socket without user code; read and write always \
                move plain bytes or text, and copy moves raw bytes.""");
        dl(r, ":lines", "A frame is a line: gets returns it without its newline, puts adds one. The default.");
        dl(r, ":raw", "gets returns whatever one read gives (at least one byte), puts writes the data as it is.");
        dl(r, ":netstring", "Each frame is length:data, as in djb's netstrings (5:hello,).");
        dl(r, ":u16be :u32be :u32le", "Each frame is a 2- or 4-byte length (big- or little-endian) and then that many bytes.");
        dl(r, ":json-lines", "Each frame is one JSON value on a line: puts writes data as JSON, gets returns the parsed value.");
        dl(r, ":content-length", "The base protocol of LSP and DAP: header lines (Content-Length: N and any others), an empty line, "
                + "then N bytes of JSON; puts writes the head and data as JSON, gets returns the parsed value. A head "
                + "without a Content-Length, with a negative or non-numeric one, or a line that is not a header is "
                + "reported and dropped, and the next frame reads.");
        r.raw(".PP");
        r.text("""
                A frame longer than :max-frame is an error; after one in a length-prefixed framing the \
                stream's framing is lost and the channel should be closed.""");
        r.raw(".SS Errors");
        r.text("""
                A failing builtin raises one error with a one-line message that names the builtin, the \
                channel, path or peer, and for an OS failure errno's text and name, as in""");
        r.raw(".PP");
        r.raw(".RS 4");
        r.raw("\\fBopen \"/tmp/f\": No such file or directory (ENOENT)\\fP");
        r.raw(".RE");
        r.raw(".PP");
        r.text("""
                From Clojure it is an ex-info whose ex-data holds :type (:os, :timeout, :interrupted or \
                :ipc) and, for OS errors, :call, :path, :errno (the name, :ENOENT) and :errno-code; from \
                JavaScript an Error named IpcError with the same fields as properties. A wrong argument \
                says which one, what was expected and the usage. Numbers and flags follow one rule per kind, \
                checked before anything waits or is made: durations are whole ms from 0 to 2147483647 \
                (about 24.9 days), sizes and counts whole numbers in the range each builtin states, flags \
                true or false; nothing out of range is truncated, wrapped or taken as "forever". A name, \
                path, program or argument (and a string option such as :dir or :env's values) holding a \
                NUL byte is an error naming the builtin and the argument, since the OS would cut it there \
                and open or run something else. Every argument and option of a \
                builtin that makes something (a queue, segment, semaphore, FIFO, file, socket, child) is \
                checked before it is made. Scripts report an uncaught error with \
                file:line:col and the source line (see ipcsh(1)).""");
        r.raw(".SS Threading and the event loop");
        r.text("""
                User code runs on one interpreter thread: REPL entries, a script's top level and every \
                callback (on-readable, on-writable, listen's accept, after and every timers, copy's \
                :on-done, JavaScript Promise continuations). Callbacks never run at the same time as each \
                other or as the REPL, so they need no locks. One reactor thread waits on every file \
                descriptor with epoll(7) and posts events to the interpreter.""");
        r.raw(".PP");
        r.text("""
                Events are served only while the interpreter thread is free to serve them: while the \
                REPL waits for input, after a script's top level, and inside wait-for and run-loop. A \
                blocking verb (gets, read, wait, sleep, a blocking connect or fifo) does not serve \
                events while it waits: callbacks run after it returns. Use on-readable, a non-blocking \
                channel or wait-for to wait and serve at once. Ctrl-C interrupts any blocking verb. So a \
                script that waits in a blocking verb for its own callback-driven server (listen, then \
                connect and gets in the same script) waits until the verb's timeout: the accept callback \
                cannot run first. The shell cannot tell that from a slow peer and says nothing; SIGQUIT \
                shows it (below). tap is the exception: it relays on the reactor thread, so a script \
                may talk through its own tap with a blocking gets.""");
        r.raw(".PP");
        r.text("""
                A script keeps running after its top level while something is still registered: a \
                server, a readable or writable handler, a timer, a background copy, a tap, a trap or a \
                pending JavaScript read. (exit n) ends it at once. (pending) lists what is left, each \
                with the file:line:col that made it, and SIGQUIT (Ctrl-\\) prints the same on standard \
                error with what the interpreter thread is doing, while the script goes on.""");
    }

    /**
     * The options table, from configure's doc: ":name (values; default), ..." after "Common
     * options", up to the end of that sentence (a full stop outside parentheses); what the doc
     * says after it, up to "Read-only", follows the table as a paragraph.
     */
    private static void options(Roff r, Builtin configure) {
        String doc = configure == null ? "" : configure.doc();
        int start = doc.indexOf("Common options");
        int colon = start < 0 ? -1 : doc.indexOf(':', start);
        int end = colon < 0 ? -1 : doc.indexOf(". Read-only", colon);
        if (end < 0) {
            r.raw(".PP");
            r.text(doc);
            return;
        }
        List<String> items = new ArrayList<>();
        int depth = 0, from = colon + 1, stop = end;
        for (int i = colon + 1; i < end; i++) {
            char c = doc.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                items.add(doc.substring(from, i).trim());
                from = i + 1;
            } else if (c == '.' && depth == 0 && doc.charAt(i + 1) == ' ') {
                stop = i; // the sentence of the list ends here
                break;
            }
        }
        items.add(doc.substring(from, stop).trim());
        for (String item : items) {
            int p = item.indexOf(" (");
            if (!item.matches(":[a-z][a-z0-9-]*( \\(.*)?") || (p >= 0 && !item.endsWith(")"))) {
                throw new IllegalStateException("configure's doc: \"" + item + "\" is not an option as :name (values; default)");
            }
            if (p < 0) {
                dl(r, item, "");
                continue;
            }
            String name = item.substring(0, p);
            String inside = item.substring(p + 2, item.length() - 1);
            int semi = inside.lastIndexOf("; ");
            String text = semi < 0 ? inside : inside.substring(0, semi) + ". Default: " + inside.substring(semi + 2) + ".";
            dl(r, name, text);
        }
        if (stop < end) {
            r.raw(".PP");
            r.text(doc.substring(stop + 1, end + 1).trim());
        }
    }

    private static void dl(Roff r, String term, String text) {
        r.raw(".TP");
        r.raw("\\fB" + r.esc(term) + "\\fP");
        if (!text.isEmpty()) r.text(text);
    }

    private static void javascript(Roff r) {
        r.raw(".SH JAVASCRIPT");
        r.text("""
                JavaScript (GraalJS) runs in one context per shell, started on first use: \
                ipcsh file.js, ipcsh --lang js, :js in the REPL, or (js code) from Clojure. Files ending \
                in .mjs, or using import, export or top-level await, run as ES modules.""");
        r.raw(".SS The ipc object");
        r.text("""
                The global ipc holds every builtin under its camelCase name: kebab-case becomes \
                camelCase and a trailing ? becomes an is prefix (open-file is ipc.openFile, on-readable \
                ipc.onReadable, eof? ipc.isEof), as each entry above shows. Keywords are passed as \
                strings ('read' or ':read'), option maps as plain objects ({timeout: 500}). ipc.doc(name) \
                returns an entry's text (by either name), ipc.clj(code) evaluates Clojure forms in the \
                shell's user namespace and returns the last value, ipc.args is the script's arguments \
                (a frozen array), and ipc.Channel is the class of channel objects.""");
        r.raw(".SS Channel objects");
        r.text("""
                A channel is an ipc.Channel object, one per channel, so the same channel is always the \
                same object. Every builtin that takes a channel first is also its method: ch.gets(), \
                ch.puts(s), ch.configure({framing: 'json-lines'}), ch.onReadable(f), ch.close('write'). \
                Its own methods never block:""");
        for (JsExtras.Member m : JsExtras.CHANNEL) dl(r, "ch." + m.call(), m.summary());
        r.raw(".PP");
        r.text("""
                Async reads on a channel are served in the order they were asked for, through the \
                channel's one readable handler, so do not mix them with ch.onReadable on the same \
                channel; closing the channel resolves the waiting ones with null. Pending reads keep a \
                script running, like a timer.""");
        r.raw(".SS JSON-RPC peers");
        r.text("""
                ipc.rpc(ch) (and ipc.rpcServe on a channel) returns a peer object; ipc.rpcCall(peer, \
                method, params) is a Promise and ipc.rpcCallSync waits. An rpc handler may return a \
                Promise; an error it throws (or rejects with) carries its code and data to the error reply. \
                The peer's methods:""");
        for (JsExtras.Member m : JsExtras.RPC_PEER) dl(r, "peer." + m.call(), m.summary());
        r.raw(".SS D-Bus buses");
        r.text("""
                ipc.dbus(address) returns a bus object; every dbus builtin that takes the bus first is \
                also its method, and ipc.dbusCall(bus, ...) and the rest still work. An exported method's \
                fn and a dbus-on callback run on the interpreter thread. Its methods:""");
        for (JsExtras.Member m : JsExtras.DBUS_BUS) dl(r, "bus." + m.call(), m.summary());
        r.raw(".SS Timers and sleeping");
        r.text("""
                setTimeout, setInterval, clearTimeout and clearInterval are the event loop's after, every \
                and cancel. ipc.sleep(ms) returns a Promise that resolves after ms (await ipc.sleep(100)) \
                and serves events meanwhile; ipc.sleepSync(ms) is the blocking builtin sleep.""");
        r.raw(".SS Conversions");
        r.text("""
                Into the builtins: null and undefined become nil, strings strings, integral numbers longs, \
                other numbers doubles, booleans booleans, Uint8Array, Int8Array and ArrayBuffer bytes, \
                arrays vectors, functions callbacks (called on the interpreter thread), channel objects \
                channels, other objects maps with string keys. Back to JavaScript: keywords become \
                strings, bytes a Uint8Array (a copy), maps plain objects, vectors and lists arrays, \
                channels channel objects, Clojure functions functions; numbers, strings and booleans stay \
                as they are.""");
        r.raw(".SS Errors and output");
        r.text("""
                A builtin's error is thrown as an Error named IpcError, with type ('os', 'timeout', \
                'interrupted' or 'ipc') and the ex-data fields (call, path, errno...) as properties. \
                console.log writes to the shell's standard output, console.error to standard error. \
                ipc.exit(n) ends the shell; no catch stops it.""");
        r.raw(".SS Example");
        r.raw(".PP");
        r.raw(".RS 4");
        r.raw(".nf");
        for (String line : """
                const [r, w] = ipc.pipe();
                setTimeout(() => { w.puts('hello'); w.close(); }, 100);
                for await (const line of r.lines()) console.log('got', line);
                """.split("\n")) {
            r.raw(r.esc(line));
        }
        r.raw(".fi");
        r.raw(".RE");
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    /** A roff writer: text lines escaped, macro lines as given. */
    /**
     * Escaped text made safe to put on lines of its own: a line that would start with roff's
     * control characters (. or ') gets the zero-width \\& first, so a doc string can never
     * become a request (a stray .SH heading).
     */
    static String safe(String escaped) {
        StringBuilder o = new StringBuilder();
        String[] lines = escaped.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i > 0) o.append('\n');
            if (line.startsWith(".") || line.startsWith("'")) o.append("\\&");
            o.append(line);
        }
        return o.toString();
    }

    private static final class Roff {
        private final StringBuilder sb = new StringBuilder();

        void raw(String line) {
            sb.append(line).append('\n');
        }

        /** Running text: whatever it holds, no line of it can be read as a request. */
        void text(String s) {
            raw(safe(esc(s)));
        }

        /** Escapes backslashes, hyphens (\- so names and options copy as typed) and non-ASCII. */
        String esc(String s) {
            StringBuilder o = new StringBuilder();
            for (int i = 0; i < s.length(); ) {
                int c = s.codePointAt(i);
                i += Character.charCount(c);
                if (c == '\\') {
                    // already escaped roff (\-) stays as written
                    if (i < s.length() && s.charAt(i) == '-') {
                        o.append("\\-");
                        i++;
                    } else {
                        o.append("\\e");
                    }
                } else if (c == '-') {
                    o.append("\\-");
                } else if (c > 0x7e) {
                    o.append(String.format("\\[u%04X]", c));
                } else {
                    o.append((char) c);
                }
            }
            return o.toString();
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
