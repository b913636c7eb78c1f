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
        if (!s.bind(endpoint)) throw failed("bind", endpoint, s.errno());
        Object last = s.getSocketOptx(ZMQ.ZMQ_LAST_ENDPOINT);
        d.endpoints.add(last == null ? endpoint : last.toString());
    }

    static void connect(ZmqDriver d, String endpoint, List<Runnable> undo) {
        SocketBase s = d.socket();
        if (!s.connect(endpoint)) throw failed("connect", endpoint, s.errno());
        d.endpoints.add(endpoint);
    }

    private static IpcException failed(String verb, String endpoint, int errno) {
        String hint = "";
        if (errno == ZError.EADDRINUSE) hint = ": another socket has it; bind tcp://host:* for a free port (see :last-endpoint)";
        else if (errno == ZError.EINVAL) hint = ": not an address ZeroMQ understands";
        return new IpcException("zmq: " + verb + " \"" + endpoint + "\": " + ZmqErrors.text(errno) + hint,
                Map.of("errno", ZmqErrors.name(errno), "endpoint", endpoint));
    }
}
