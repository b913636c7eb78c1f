package ipcsh.zeromq;

import ipcsh.IpcException;
import zmq.SocketBase;
import zmq.ZError;
import zmq.ZMQ;

import java.util.List;
import java.util.Map;

/** Binding and connecting a socket, with ZeroMQ's failures told as one line naming the endpoint. */
final class Endpoints {
    private Endpoints() {}

    static void bind(ZmqDriver d, String endpoint, List<Runnable> undo) {
        SocketBase s = d.socket();
        if (endpoint.startsWith("ipc://")) {
            if (!s.bind("tcp://127.0.0.1:*")) throw failed("bind", endpoint, s.errno());
            String tcp = String.valueOf(s.getSocketOptx(ZMQ.ZMQ_LAST_ENDPOINT));
            IpcRelay r = IpcRelay.bind(endpoint, Integer.parseInt(tcp.substring(tcp.lastIndexOf(':') + 1)));
            undo.add(() -> r.close(lingerOf(d)));
            d.endpoints.add(endpoint);
            d.lastEndpoint = endpoint;
            return;
        }
        if (!s.bind(endpoint)) throw failed("bind", endpoint, s.errno());
        if (endpoint.startsWith("inproc://")) d.inproc = true;
        Object last = s.getSocketOptx(ZMQ.ZMQ_LAST_ENDPOINT);
        d.endpoints.add(last == null ? endpoint : last.toString());
        d.lastEndpoint = null;
    }

    static void connect(ZmqDriver d, String endpoint, List<Runnable> undo) {
        SocketBase s = d.socket();
        if (endpoint.startsWith("ipc://")) {
            IpcRelay r = IpcRelay.connect(endpoint);
            undo.add(() -> r.close(lingerOf(d)));
            if (!s.connect("tcp://127.0.0.1:" + r.port())) throw failed("connect", endpoint, s.errno());
            d.endpoints.add(endpoint);
            return;
        }
        if (!s.connect(endpoint)) throw failed("connect", endpoint, s.errno());
        if (endpoint.startsWith("inproc://")) d.inproc = true;
        d.endpoints.add(endpoint);
    }

    /** How long a closing socket may still send: its :linger, bounded (a negative one waits for good in ZeroMQ). */
    private static long lingerOf(ZmqDriver d) {
        int l = d.lingerAtClose;
        return l < 0 ? 10_000 : l + 100;
    }

    private static IpcException failed(String verb, String endpoint, int errno) {
        String hint = "";
        if (errno == ZError.EADDRINUSE) hint = ": another socket has it; bind tcp://host:* for a free port (see :last-endpoint)";
        else if (errno == ZError.EINVAL) hint = ": not an address ZeroMQ understands";
        return new IpcException("zmq: " + verb + " \"" + endpoint + "\": " + ZmqErrors.text(errno) + hint,
                Map.of("errno", ZmqErrors.name(errno), "endpoint", endpoint));
    }
}
