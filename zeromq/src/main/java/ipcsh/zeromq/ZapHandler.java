package ipcsh.zeromq;

import zmq.Msg;
import zmq.SocketBase;
import zmq.ZMQ;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shell's ZAP handler (RFC 27), started with the first PLAIN server: without one ZeroMQ
 * admits every PLAIN client whatever its password. Each PLAIN server socket gets a ZAP domain
 * of its own, mapped to the one username and password it admits. Its REP socket is made, used
 * and closed on its own daemon thread (JeroMQ sockets are not thread-safe); it ends with the
 * context at exit. Requests for other mechanisms (CURVE, NULL) are admitted: CURVE's handshake
 * has already proved the client knows the server's public key.
 */
final class ZapHandler {
    private static final Map<String, String[]> DOMAINS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong();
    private static boolean started;

    private ZapHandler() {}

    static String admit(String username, String password) {
        start();
        String domain = "ipcsh-plain-" + NEXT.incrementAndGet();
        DOMAINS.put(domain, new String[] {username, password});
        return domain;
    }

    static void forget(String domain) {
        DOMAINS.remove(domain);
    }

    private static synchronized void start() {
        if (started) return;
        SocketBase rep = ZmqSockets.context().createSocket(ZMQ.ZMQ_REP);
        rep.setSocketOpt(ZMQ.ZMQ_LINGER, 0);
        if (!rep.bind("inproc://zeromq.zap.01")) {
            rep.close();
            throw new ipcsh.IpcException("zmq: cannot start the ZAP handler for PLAIN: " + ZmqErrors.text(rep.errno()));
        }
        started = true;
        // handed to the thread before it starts (a happens-before edge); no other thread touches it after
        Thread t = new Thread(() -> serve(rep), "ipcsh-zmq-zap");
        t.setDaemon(true);
        t.start();
    }

    private static void serve(SocketBase rep) {
        try {
            while (true) {
                List<byte[]> req = new ArrayList<>();
                Msg m = rep.recv(0);
                if (m == null) return; // the context is ending
                req.add(m.data());
                while (m.hasMore()) {
                    m = rep.recv(0);
                    if (m == null) return;
                    req.add(m.data());
                }
                if (req.size() < 6) continue;
                String domain = text(req.get(2));
                String mechanism = text(req.get(5));
                boolean ok = true;
                String user = "";
                if (mechanism.equals("PLAIN")) {
                    String[] want = DOMAINS.get(domain);
                    user = req.size() > 6 ? text(req.get(6)) : "";
                    String pass = req.size() > 7 ? text(req.get(7)) : "";
                    ok = want != null && want[0].equals(user) && want[1].equals(pass);
                }
                byte[][] reply = {bytes("1.0"), req.get(1), bytes(ok ? "200" : "400"),
                    bytes(ok ? "OK" : "wrong username or password"), bytes(ok ? user : ""), new byte[0]};
                for (int i = 0; i < reply.length; i++) {
                    rep.send(new Msg(reply[i]), i < reply.length - 1 ? ZMQ.ZMQ_SNDMORE : 0);
                }
            }
        } finally {
            rep.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }
}
