package ipcsh.builtins;

import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.Channels;
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
                Reads one frame from ch: a line without its newline by default, or one message as the \
                channel's :framing says (netstring, length-prefixed, a JSON value for :json-lines); on a \
                datagram channel, one whole message. Returns nil at end of stream, and on a \
                non-blocking channel when no whole frame is there yet (then (blocked? ch) is true). \
                A binary channel (:encoding :binary) returns bytes. Waits at most :timeout ms when set, \
                then raises a timeout error; Ctrl-C interrupts the wait.""",
                a -> a.arity(1, 1).channel(0).gets());
        r.add("puts", "([ch data])", """
                Writes data (a string or bytes; with :json-lines framing any value JSON can hold) and a \
                newline to ch, or one frame as the channel's :framing says; on a datagram channel, one \
                message. With the default :buffering :line it \
                leaves the buffer at once. Returns nil.""",
                a -> {
                    a.arity(2, 2).channel(0).puts(a.get(1));
                    return null;
                });
        r.addShadowingCore("read", "([ch] [ch n])", """
                Reads n characters (bytes on a binary channel) from ch, or everything up to end of stream \
                without n. A blocking channel waits for all n or the end; a non-blocking one returns what is \
                there (nil when nothing). Returns a string, or bytes on a binary channel; at end of stream an \
                empty one. On a datagram channel it returns one whole message, whatever n. \
                Called without a channel it is clojure.core/read.""",
                a -> {
                    Channel ch = a.arity(1, 2).channel(0);
                    long n = a.has(1) ? a.integer(1, "a count") : -1;
                    if (a.has(1) && n < 0) throw a.wrongType(1, "a count of zero or more");
                    return ch.read(n);
                });
        r.add("write", "([ch data])", """
                Writes data (a string or bytes) to ch without a newline. Returns nil.""",
                a -> {
                    a.arity(2, 2).channel(0).write(a.get(1));
                    return null;
                });
        r.addShadowingCore("flush", "([ch])", """
                Sends what ch's buffer holds. Called without a channel it is clojure.core/flush.""",
                a -> {
                    a.arity(1, 1).channel(0).flush();
                    return null;
                });
        r.add("close", "([ch] [ch direction])", """
                Flushes and closes ch. With :read or :write, closes only that direction (the peer of a \
                :write close sees end of stream). Closing a process channel waits for the process and \
                raises an error unless it exited 0. Closing a closed channel does nothing. (close t) also \
                stops a tap or fifo-tap.""",
                a -> {
                    if (a.arity(1, 2).get(0) instanceof java.io.Closeable c && !(a.get(0) instanceof Channel) && !a.has(1)) {
                        try {
                            c.close(); // a tap: not a channel, but stopped the same way
                        } catch (java.io.IOException e) {
                            throw new ipcsh.IpcException("close: " + e.getMessage());
                        }
                        return null;
                    }
                    Channel ch = a.arity(1, 2).channel(0);
                    if (a.has(1)) ch.close(a.word(1, ":read or :write"));
                    else ch.close();
                    return null;
                });
        r.add("eof?", "([ch])", """
                True once a read on ch has met the end of the stream and nothing is left buffered.""",
                a -> a.arity(1, 1).channel(0).eof());
        r.add("blocked?", "([ch])", """
                True when the last read on the non-blocking channel ch found no whole frame to return.""",
                a -> a.arity(1, 1).channel(0).blocked());
        r.add("configure", "([ch] [ch option] [ch options])", """
                Channel options. (configure ch) returns them all as a map, (configure ch :timeout) one, \
                and (configure ch {:timeout 500 :buffering :full}) sets some and returns them all. Common \
                options (values; default): :blocking (true or false; true), :buffering (:none, :line or \
                :full; :line), :buffer-size (bytes, up to 1 GiB; 65536), :encoding ("utf-8", any charset \
                name, or :binary for bytes; "utf-8"), :translation (:lf, :crlf or :auto; :lf, which \
                changes nothing), :timeout (ms that blocking reads and writes may wait, or nil; nil), \
                :framing (:lines, :raw, :netstring, :u16be, :u32be, :u32le or :json-lines; :lines), \
                :max-frame (the longest frame gets accepts, in bytes; 67108864, 64 MiB). Read-only: :id \
                :kind :name :state :eof, and each kind's own (:fd, :path, :pid, :command...); setting \
                one is an error, and so is an unknown option (the error lists the options).""",
                a -> {
                    Channel ch = a.arity(1, 2).channel(0);
                    if (!a.has(1)) return ch.configure();
                    Object o = a.get(1);
                    if (o instanceof Map<?, ?>) {
                        ch.configure(a.options(1).map());
                        return ch.configure();
                    }
                    return ch.configure(a.word(1, "an option keyword or a map of options"));
                });
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
                });
        r.add("channel", "([id])", """
                The open channel with the given id ("fifo3"), or nil.""",
                a -> Channels.byId(a.arity(1, 1).string(0, "a channel id")));
    }
}
