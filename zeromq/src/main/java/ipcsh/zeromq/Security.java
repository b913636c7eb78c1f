package ipcsh.zeromq;

import ipcsh.IpcException;
import zmq.ZMQ;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** CURVE or PLAIN on one socket, checked by the builtin before the socket is made. */
sealed interface Security permits Security.Curve, Security.Plain {
    void apply(ZmqDriver d, List<Runnable> undo);

    /** A server needs its secret key; a client the server's public key and a key pair of its own. */
    record Curve(boolean server, String secretKey, String publicKey, String serverKey) implements Security {
        @Override
        public void apply(ZmqDriver d, List<Runnable> undo) {
            var s = d.socket();
            if (server) {
                check(s.setSocketOpt(ZMQ.ZMQ_CURVE_SERVER, true), d, "server");
                check(s.setSocketOpt(ZMQ.ZMQ_CURVE_SECRETKEY, raw(secretKey)), d, "secret-key");
                if (publicKey != null) check(s.setSocketOpt(ZMQ.ZMQ_CURVE_PUBLICKEY, raw(publicKey)), d, "public-key");
            } else {
                check(s.setSocketOpt(ZMQ.ZMQ_CURVE_SERVERKEY, raw(serverKey)), d, "server-key");
                check(s.setSocketOpt(ZMQ.ZMQ_CURVE_PUBLICKEY, raw(publicKey)), d, "public-key");
                check(s.setSocketOpt(ZMQ.ZMQ_CURVE_SECRETKEY, raw(secretKey)), d, "secret-key");
            }
        }
    }

    /** A client sends username and password; a server admits that one pair (through the shell's ZAP handler). */
    record Plain(boolean server, String username, String password) implements Security {
        @Override
        public void apply(ZmqDriver d, List<Runnable> undo) {
            var s = d.socket();
            if (server) {
                check(s.setSocketOpt(ZMQ.ZMQ_PLAIN_SERVER, true), d, "server");
                String domain = ZapHandler.admit(username, password);
                undo.add(() -> ZapHandler.forget(domain));
                check(s.setSocketOpt(ZMQ.ZMQ_ZAP_DOMAIN, domain), d, "zap-domain");
            } else {
                check(s.setSocketOpt(ZMQ.ZMQ_PLAIN_USERNAME, username), d, "username");
                check(s.setSocketOpt(ZMQ.ZMQ_PLAIN_PASSWORD, password), d, "password");
            }
        }
    }

    private static byte[] raw(String z85) {
        return org.zeromq.ZMQ.Curve.z85Decode(z85);
    }

    private static void check(boolean ok, ZmqDriver d, String what) {
        if (!ok) throw new IpcException("zmq: security option :" + what + ": " + ZmqErrors.text(d.socket().errno()));
    }

    /** A Z85 key of 40 characters (a 32-byte key), as zmq-keypair makes; checked before any socket exists. */
    static String key(String who, String what, Object v) {
        if (!(v instanceof String s) || s.length() != 40) {
            throw new IpcException(who + ": " + what + " must be a Z85 key of 40 characters, as (zmq-keypair) makes, not "
                    + (v instanceof String s ? "a string of " + s.length() + " characters" : String.valueOf(v)));
        }
        byte[] raw = org.zeromq.ZMQ.Curve.z85Decode(s);
        if (raw == null || raw.length != 32) throw new IpcException(who + ": " + what + " is not valid Z85: " + s);
        return new String(s.getBytes(StandardCharsets.US_ASCII), StandardCharsets.US_ASCII);
    }
}
