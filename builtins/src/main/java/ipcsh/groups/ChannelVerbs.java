package ipcsh.groups;

import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.Channels;
import ipcsh.chan.drivers.EventfdDriver;
import ipcsh.registry.Registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The verbs every channel answers to, whatever its kind. */
public final class ChannelVerbs implements Registry.Group {
    @Override
    public String title() {
        return "Channel verbs";
    }

    @Override
    public void register(Registry r) {
        r.add("gets", "([ch])", """
                Reads one frame from ch: a line without its end of line by default (on a text channel \
                a line ends at LF, CR LF or a lone CR, :translation :auto; see configure), or one message as the \
                channel's :framing says (netstring, length-prefixed, a JSON value for :json-lines); on a \
                datagram channel, one whole message. Returns nil at end of stream, and on a \
                non-blocking channel when no whole frame is there yet (then (blocked? ch) is true). \
                A binary channel (:encoding :binary) returns bytes. Waits at most :timeout ms when set, \
                then raises a timeout error; Ctrl-C interrupts the wait. A frame longer than :max-frame \
                (a line, a netstring or length-prefixed frame, a JSON line, a datagram) raises one error \
                saying how many bytes were dropped, and is dropped whole (a line up to its newline, \
                waiting for it as a read would): the next gets starts with the next frame. With \
                :json-lines, objects come back as maps with string keys, arrays as vectors, integers \
                that do not fit a long as BigInteger and decimals a double would round as BigDecimal; \
                malformed JSON, invalid UTF-8 and nesting deeper than :max-depth are errors naming the \
                channel, and the next line reads. Invalid bytes in a text line become U+FFFD unless \
                :encoding-errors is :strict (then an error naming the byte offset in the stream; the \
                line is dropped).""",
                a -> a.arity(1, 1).channel(0).gets()).returns("any");
        r.add("puts", "([ch data])", """
                Writes data (a string or bytes) and a newline to ch, or one frame as the channel's \
                :framing says; on a datagram channel, one message. With :json-lines, data must be what \
                JSON can hold: nil, booleans, numbers (not NaN or infinity), strings, keywords (written \
                as strings), lists, vectors and sets (as arrays), maps with string or keyword keys; \
                anything else (a function, a channel, an object) is an error, and so is nesting deeper \
                than :max-depth (a circular JS object too): nothing is written. Before that, Clojure \
                values cross into the builtins as for every builtin: ratios as doubles (1/3 is \
                0.3333333333333333), characters and symbols as strings, map keys as strings (keywords \
                by name, others as printed: {1 2} is {"1":2}). With the default :buffering :line it \
                leaves the buffer at once. On a non-blocking channel puts never waits: what the OS \
                does not take now is queued and the event loop writes it (see configure's :max-queue). \
                Returns nil.""",
                a -> {
                    a.arity(2, 2).channel(0).puts(a.get(1));
                    return null;
                }).returns("void");
        r.addShadowingCore("read", "([ch] [ch n])", """
                Reads n characters (bytes on a binary channel; n from 0 to 1073741824) from ch, or \
                everything up to end of stream without n (or with nil). A blocking channel waits for all \
                n or the end; a non-blocking one returns what is \
                there (nil when nothing). A text channel translates line ends as :translation says (CR LF \
                and lone CRs become LF under :auto); n counts characters as they arrived, before that. Returns a string, or bytes on a binary channel; at end of stream an \
                empty one. On a datagram channel it returns one whole message, whatever n; on an eventfd, the counter as a number. \
                Called with a java.io.PushbackReader (or nothing) instead of a channel it is clojure.core/read.""",
                a -> {
                    Channel ch = a.arity(1, 2).channel(0);
                    Object got = ch.read(readCount("read", a.get(1)));
                    if (ch.driver() instanceof EventfdDriver && got != null) {
                        return Long.parseUnsignedLong(got instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.US_ASCII) : got.toString());
                    }
                    return got;
                }).returns("string | Uint8Array | number | null");
        r.add("write", "([ch data])", """
                Writes data (a string or bytes; on an eventfd, a number to add to its counter) to ch without a newline. A blocking channel waits for \
                room (at most :timeout ms); a non-blocking one never waits: what the OS does not take \
                now is queued and written by the event loop, in order, behind what is queued already. \
                Returns nil.""",
                a -> {
                    Channel ch = a.arity(2, 2).channel(0);
                    // a counter takes a number: the eventfd driver's messages are numbers in decimal
                    ch.write(a.get(1) instanceof Number n && ch.driver() instanceof EventfdDriver ? n.toString() : a.get(1));
                    return null;
                }).returns("void");
        r.addShadowingCore("flush", "([ch])", """
                Sends what ch's buffer holds: a blocking channel waits until the OS took all of it (and \
                what non-blocking writes left queued); on a non-blocking channel flush starts the \
                background write and returns at once. Called without a channel it is \
                clojure.core/flush.""",
                a -> {
                    a.arity(1, 1).channel(0).flush();
                    return null;
                }).returns("void");
        r.add("close", "([ch] [ch direction])", """
                Flushes and closes ch. With :read or :write, closes only that direction (the peer of a \
                :write close sees end of stream). Closing a process channel waits for the process and \
                raises an error unless it exited 0. Closing a closed channel does nothing. Closing a \
                non-blocking channel with output still queued returns at once, as in Tcl: the event \
                loop (or a verb blocking meanwhile) writes the queue, then closes the descriptors (a script lives until then; a \
                reader that went away is reported with the bytes lost); (close ch :write) likewise \
                shuts the write side once the queue is written. A blocking channel first waits for \
                the queue (at most :timeout ms). Servers that are not channels (a repl-server) close \
                the same way, a segment (shm, mmap, sysv-shm) is unmapped (the object itself stays), a semaphore (sem) \
                releases this shell's handle, and (close t) stops a tap or fifo-tap.""",
                a -> {
                    a.arity(1, 2);
                    if (!(a.get(0) instanceof Channel) && a.get(0) instanceof java.io.Closeable other && !a.has(1)) {
                        try {
                            other.close();
                        } catch (java.io.IOException e) {
                            throw new ipcsh.IpcException("close " + other + ": " + e.getMessage());
                        }
                        return null;
                    }
                    Channel ch = a.channel(0);
                    if (a.has(1)) ch.close(a.word(1, ":read or :write"));
                    else ch.close();
                    return null;
                }).returns("void");
        r.add("eof?", "([ch])", """
                True once a read on ch has met the end of the stream and nothing is left buffered.""",
                a -> a.arity(1, 1).channel(0).eof()).returns("boolean");
        r.add("blocked?", "([ch])", """
                True when the last read on the non-blocking channel ch found no whole frame to return.""",
                a -> a.arity(1, 1).channel(0).blocked()).returns("boolean");
        r.add("configure", "([ch] [ch option] [ch options] [ch option value & more])", """
                Channel options. (configure ch) returns them all as a map, (configure ch :timeout) one, \
                and (configure ch {:timeout 500 :buffering :full}) sets some and returns them all, as does \
                (configure ch :timeout 500 :buffering :full), Tcl's fconfigure form. Values are \
                checked before any is set: numbers must be whole and in range, flags true or false. Common \
                options (values; default): :blocking (true or false; true), :buffering (:none, :line or \
                :full; :line on a text channel, :none on a binary one unless chosen: a newline means \
                nothing in binary data), :buffer-size (bytes, up to 1 GiB; 65536), :encoding ("utf-8", any charset \
                name, or :binary for bytes; "utf-8"), :encoding-errors (:replace, each invalid byte \
                sequence read becomes U+FFFD, or :strict, an error naming its byte offset in the \
                stream; :replace), :translation (line ends, as Tcl's -translation: :auto, :lf or :crlf. Reading, :auto ends \
                a line at LF, CR LF or a lone CR, as Tcl does (a CR that ends the bytes read so far \
                ends the line at once, and an LF arriving next is taken as its pair), :crlf reads CR LF \
                as LF, :lf changes nothing. Writing, :crlf writes each LF as CR LF, :auto and :lf \
                write LF. gets and read translate. expect sees the bytes as they came, CR LF and \
                all, as Tcl's Expect does. The payload of other framings and of messages is never \
                translated, and a binary channel translates nothing and shows :lf; :auto), \
                :eofchar (a character, \\u0001 to \\u007f, that ends input as end of \
                stream where it appears, as Tcl's -eofchar: what follows it stays unread until \
                :eofchar changes; stream channels only; nil), :timeout (ms that blocking reads and writes may wait, 0 to \
                2147483647, or nil for no limit; nil), \
                :framing (:lines, :raw, :netstring, :u16be, :u32be, :u32le, :json-lines or :content-length; :lines), \
                :max-frame (the longest frame or message gets, read and recv accept, in bytes, 1 to 1 GiB; a longer \
                one is dropped whole and reported once; 67108864, 64 MiB), :max-depth (how deeply \
                :json-lines values may nest, both ways, 1..1000, the most that crosses from Clojure or JS; 1000), :max-queue (bytes a \
                non-blocking channel may hold queued for a slow reader; a write that finds output \
                queued and would pass it is refused whole with an error, nothing of it written; \
                16777216, 16 MiB). Non-blocking output (Tcl's rule): a non-blocking channel never \
                waits to write; the event loop writes queued output in the background (and so does \
                any verb that blocks meanwhile), the script keeps running while output is queued, and the shell's exit writes it first (waiting \
                at most :timeout ms, or 10 s). Read-only: :id :kind :name :state :eof :queued (bytes \
                waiting to be written), and each kind's own (:fd, :path, :pid, :command...); setting \
                one is an error, and so is an unknown option (the error lists the options). A read \
                that must wait (gets, read, recv, expect) first sends what ch's own buffer holds \
                (Tcl does not): the peer may be waiting for that request.""",
                a -> {
                    Channel ch = a.arity(1, Integer.MAX_VALUE).channel(0);
                    if (!a.has(1)) return ch.configure();
                    if (a.size() > 2) {
                        if (a.size() % 2 == 0) throw a.usage(); // an option without its value
                        Map<String, Object> set = new LinkedHashMap<>();
                        for (int i = 1; i < a.size(); i += 2) set.put(a.word(i, "an option keyword"), a.get(i + 1));
                        ch.configure(set);
                        return ch.configure();
                    }
                    Object o = a.get(1);
                    if (o instanceof Map<?, ?>) {
                        ch.configure(a.options(1).map());
                        return ch.configure();
                    }
                    return ch.configure(a.word(1, "an option keyword or a map of options"));
                }).returns("any");
        r.add("channels", "([])", """
                The open channels, oldest first, each as a map of :id, :kind, :name, :state and :channel \
                (the channel itself).""",
                a -> {
                    a.arity(0, 0);
                    List<Object> out = new ArrayList<>();
                    for (Channel ch : Channels.list()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", ch.id());
                        m.put("kind", Keyword.of(ch.kind()));
                        m.put("name", ch.name());
                        m.put("state", Keyword.of(ch.state()));
                        m.put("channel", ch);
                        out.add(m);
                    }
                    return out;
                }).returns("any[]");
        r.add("channel", "([id])", """
                The open channel with the given id ("fifo3"), or nil.""",
                a -> Channels.byId(a.arity(1, 1).string(0, "a channel id"))).returns("Channel | null");
    }

    /** A read's count: n characters or bytes (0 to 1 GiB), or -1 (to the end) for nil; JS's readAsync checks it here too. */
    public static long readCount(String who, Object n) {
        return n == null ? -1 : ipcsh.ArgCheck.count(who, "n", n, 0, ipcsh.ArgCheck.MAX_BUFFER);
    }
}
