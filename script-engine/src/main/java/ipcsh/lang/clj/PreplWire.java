package ipcsh.lang.clj;

import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.RT;
import clojure.lang.Var;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a repl-server session sends its client: plain text in the line REPL's form, and once the
 * session is upgraded, prepl messages, one EDN map a line: {:tag :ret :val "3" :ns "user" :ms 0
 * :form "(+ 1 2)"} (with :exception true, or a listing's :rows), {:tag :out :val "…"},
 * {:tag :err :val "…"}. A write that fails (the client went away) ends the session.
 */
public final class PreplWire {
    /** The form a client evaluates to switch its session to prepl messages (clojure.core.server's own). */
    public static final String UPGRADE = "(clojure.core.server/io-prepl)";
    /** A prepl request the attach client uses for completion: answered with the session's names, *1 untouched. */
    public static final String NAMES = "(ipcsh.attach/names)";

    private final Writer socket;
    private final Runnable broken;
    private volatile boolean prepl;

    /**
     * socket: writes to the client at each flush; broken: what to do when the client cannot be
     * written to (end the session).
     */
    public PreplWire(Writer socket, boolean prepl, Runnable broken) {
        this.socket = socket;
        this.prepl = prepl;
        this.broken = broken;
    }

    public boolean prepl() {
        return prepl;
    }

    /** From now on, prepl messages. */
    void upgrade() {
        prepl = true;
    }

    /** The session's *out*: the socket, or {:tag :out} messages. */
    Writer out() {
        return prepl ? new TaggedWriter("out") : socket;
    }

    /** The session's *err*: the socket, or {:tag :err} messages. */
    Writer err() {
        return prepl ? new TaggedWriter("err") : socket;
    }

    public void send(String s) {
        try {
            socket.write(s);
            socket.flush();
        } catch (IOException e) {
            broken.run();
        }
    }

    /** A {:tag :ret} message: a form's value (or with exception, its Throwable->map) as EDN text. */
    void ret(String val, String ns, String form, long ms, boolean exception, Object rows) {
        List<Object> kv = new ArrayList<>(List.of(kw("tag"), kw("ret"), kw("val"), val,
                kw("ns"), ns, kw("ms"), ms, kw("form"), form));
        if (exception) kv.addAll(List.of(kw("exception"), true));
        if (rows != null) kv.addAll(List.of(kw("rows"), rows));
        send(edn(new PersistentArrayMap(kv.toArray())) + "\n");
    }

    private static Keyword kw(String s) {
        return Keyword.intern(s);
    }

    /** EDN text of a message, readable whatever the printing bindings of the moment (println binds them off). */
    static String edn(Object v) {
        Var.pushThreadBindings(RT.mapUniqueKeys(RT.var("clojure.core", "*print-readably*"), true, RT.var("clojure.core", "*print-length*"), null,
                RT.var("clojure.core", "*print-level*"), null));
        try {
            return RT.printString(v);
        } finally {
            Var.popThreadBindings();
        }
    }

    /** *out* of a prepl session: each flush is one {:tag :out :val "…"} message. */
    private final class TaggedWriter extends Writer {
        private final String tag;
        private final StringBuilder pending = new StringBuilder();

        TaggedWriter(String tag) {
            this.tag = tag;
        }

        @Override
        public void write(char[] c, int off, int len) {
            pending.append(c, off, len);
            if (pending.indexOf("\n") >= 0) flush();
        }

        @Override
        public void flush() {
            if (pending.isEmpty()) return;
            String v = pending.toString();
            pending.setLength(0);
            send(edn(new PersistentArrayMap(new Object[] {kw("tag"), kw(tag), kw("val"), v})) + "\n");
        }

        @Override
        public void close() {
            flush();
        }
    }
}
