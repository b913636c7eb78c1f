package ipcsh.zeromq;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.os.AtExit;
import ipcsh.os.LibC;
import zmq.Ctx;
import zmq.SocketBase;
import zmq.ZMQ;

import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Making ZeroMQ sockets: the shell's one context, types, endpoints, and the end of it all at exit. */
final class ZmqSockets {
    private ZmqSockets() {}

    /**
     * The linger a socket gets unless :linger says otherwise: close (and the shell's exit) waits
     * at most this long for queued messages to reach a peer, then drops them. libzmq's default
     * (-1) would hang a script whose peer is gone; 0 would lose the last messages of a script
     * that sends and exits.
     */
    static final int DEFAULT_LINGER_MS = 1000;

    static final List<String> TYPES = List.of("req", "rep", "dealer", "router", "pub", "sub", "xpub", "xsub",
            "push", "pull", "pair");

    private static Ctx ctx;
    private static final Set<ZmqDriver> OPEN = Collections.newSetFromMap(new IdentityHashMap<>());

    /** Something to undo when a socket closes (an ipc:// relay, a ZAP domain). */
    interface Cleanup extends Runnable {}

    static synchronized Ctx context() {
        if (ctx == null) {
            ctx = new Ctx();
            // JeroMQ's signaller writes its wake-up byte before it counts it: a thread it wakes that
            // preempts it there finds the pipe readable and nothing to take, and polls again until
            // the sender's time slice comes round (a 64-byte REQ/REP round trip took 2.8 ms with
            // everything on one CPU). Its own threads (I/O, reaper) as SCHED_BATCH do not preempt
            // the interpreter thread that wakes them; ZmqDriver yields for the other direction.
            zmq.util.function.BiFunction<Runnable, String, Thread> made = ctx.getThreadFactory();
            ctx.setThreadFactory((run, name) -> made.apply(() -> {
                LibC.get().scheduleAsBatch();
                run.run();
            }, name));
            // at exit: close what is open (each lingers as set), then end the context's threads
            AtExit.register("zmq-context", ZmqSockets::endAll);
        }
        return ctx;
    }

    static int typeCode(String type) {
        return switch (type) {
            case "req" -> ZMQ.ZMQ_REQ;
            case "rep" -> ZMQ.ZMQ_REP;
            case "dealer" -> ZMQ.ZMQ_DEALER;
            case "router" -> ZMQ.ZMQ_ROUTER;
            case "pub" -> ZMQ.ZMQ_PUB;
            case "sub" -> ZMQ.ZMQ_SUB;
            case "xpub" -> ZMQ.ZMQ_XPUB;
            case "xsub" -> ZMQ.ZMQ_XSUB;
            case "push" -> ZMQ.ZMQ_PUSH;
            case "pull" -> ZMQ.ZMQ_PULL;
            case "pair" -> ZMQ.ZMQ_PAIR;
            default -> throw new IpcException("zmq: unknown socket type :" + type + "; one of :" + String.join(" :", TYPES));
        };
    }

    /** Checks an endpoint's form before anything is made: a transport ZeroMQ knows, then an address. */
    static String endpoint(String who, String e) {
        int sep = e.indexOf("://");
        if (sep < 0) {
            throw new IpcException(who + ": endpoint \"" + e + "\" has no transport: write tcp://host:port, ipc://path or inproc://name");
        }
        String t = e.substring(0, sep);
        if (!t.equals("tcp") && !t.equals("ipc") && !t.equals("inproc")) {
            throw new IpcException(who + ": endpoint \"" + e + "\": transport " + t + ":// is not one of tcp://, ipc://, inproc://");
        }
        if (e.length() == sep + 3) throw new IpcException(who + ": endpoint \"" + e + "\" has no address after " + t + "://");
        return e;
    }

    /** What a socket is made with, all checked by the builtin before {@link #open}. */
    record Spec(String type, List<String> bind, List<String> connect, Map<String, Object> socketOptions,
                List<Object> subscribe, boolean multipart, Security security) {}

    /** Makes, sets up, binds and connects one socket; on any failure nothing is left open. */
    static Channel open(Spec spec) {
        SocketBase s = context().createSocket(typeCode(spec.type()));
        if (s == null) throw new IpcException("zmq: cannot make a socket: " + ZmqErrors.text(ZMQ.ZMQ_TYPE));
        s.setSocketOpt(ZMQ.ZMQ_LINGER, DEFAULT_LINGER_MS);
        List<String> names = new ArrayList<>();
        for (String b : spec.bind()) names.add("bind " + b);
        for (String c : spec.connect()) names.add(c);
        String name = spec.type() + (names.isEmpty() ? "" : " " + String.join(" ", names));
        List<Runnable> undo = new ArrayList<>();
        ZmqDriver d;
        try {
            d = new ZmqDriver(s, spec.type(), name, () -> {
                for (Runnable r : undo) r.run();
            });
        } catch (RuntimeException e) {
            s.setSocketOpt(ZMQ.ZMQ_LINGER, 0);
            s.close();
            throw e;
        }
        Channel ch;
        try {
            if (spec.security() != null) spec.security().apply(d, undo);
            for (Map.Entry<String, Object> o : spec.socketOptions().entrySet()) ZmqOptions.set(d, o.getKey(), o.getValue());
            if (!spec.subscribe().isEmpty()) ZmqOptions.set(d, "subscribe", spec.subscribe());
            d.multipartAlways = spec.multipart();
            for (String b : spec.bind()) Endpoints.bind(d, b, undo);
            for (String c : spec.connect()) Endpoints.connect(d, c, undo);
            d.refresh(); // binding and connecting run the socket's pending commands
        } catch (RuntimeException e) {
            s.setSocketOpt(ZMQ.ZMQ_LINGER, 0);
            d.close();
            throw e;
        }
        ch = new Channel(d);
        d.id = ch.id();
        synchronized (ZmqSockets.class) {
            OPEN.add(d);
        }
        undo.add(() -> {
            synchronized (ZmqSockets.class) {
                OPEN.remove(d);
            }
        });
        return ch;
    }

    /**
     * At exit, on the shutdown hook's thread: the interpreter thread that owns the sockets is
     * done. Each socket closes with its linger, then the context ends once they have sent.
     */
    private static void endAll() {
        List<ZmqDriver> open;
        synchronized (ZmqSockets.class) {
            open = new ArrayList<>(OPEN);
        }
        for (ZmqDriver d : open) {
            try {
                d.close();
            } catch (RuntimeException ignored) {
                // the shell is ending
            }
        }
        Ctx c;
        synchronized (ZmqSockets.class) {
            c = ctx;
        }
        if (c != null) c.terminate();
    }

    /**
     * The descriptor number behind JeroMQ's signalling pipe (a JDK pipe channel). The JDK keeps
     * it in sun.nio.ch, which the launcher and the tests open with
     * --add-exports java.base/sun.nio.ch=ALL-UNNAMED.
     */
    static int fdOf(SelectableChannel ch) {
        try {
            Class<?> impl = Class.forName("sun.nio.ch.SelChImpl");
            return (int) impl.getMethod("getFDVal").invoke(ch);
        } catch (ReflectiveOperationException | IllegalAccessError | SecurityException e) {
            throw new IpcException("zmq: cannot reach JeroMQ's descriptor (start the JVM with "
                    + "--add-exports java.base/sun.nio.ch=ALL-UNNAMED, as ./ipcsh does): " + e);
        }
    }
}
