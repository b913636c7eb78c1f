package ipcsh.zeromq;

import ipcsh.IpcException;
import zmq.ZError;

import java.util.Map;

/** ZeroMQ's error numbers told as one line about the verb, the channel and what to do. */
final class ZmqErrors {
    private ZmqErrors() {}

    static IpcException failure(String verb, ZmqDriver d, int errno) {
        String t = d.type();
        String why;
        if (errno == ZError.EFSM) {
            why = switch (t) {
                case "req" -> "a :req socket must recv the reply before it sends again (ZeroMQ's state error, EFSM)";
                case "rep" -> "a :rep socket must recv a request before it sends a reply (ZeroMQ's state error, EFSM)";
                default -> "the socket is in the wrong state for " + verb + " (ZeroMQ's state error, EFSM)";
            };
        } else if (errno == ZError.ENOTSUP) {
            why = verb.equals("send") ? "a :" + t + " socket cannot send, it only receives (ENOTSUP)"
                    : "a :" + t + " socket cannot receive, it only sends (ENOTSUP)";
        } else if (errno == ZError.EHOSTUNREACH) {
            why = "no peer with that identity is connected (EHOSTUNREACH, as :router-mandatory asks)";
        } else if (errno == ZError.ETERM) {
            why = "the shell's ZeroMQ context is ending (ETERM)";
        } else {
            why = text(errno);
        }
        return new IpcException(verb + " " + d.describe() + ": " + why,
                Map.of("errno", name(errno), "channel", d.id == null ? "" : d.id));
    }

    static String text(int errno) {
        String s = ZError.toString(errno);
        return (s == null ? "error " + errno : s) + " (" + name(errno) + ")";
    }

    static String name(int errno) {
        for (java.lang.reflect.Field f : ZError.class.getFields()) {
            try {
                if (f.getType() == int.class && f.getName().startsWith("E") && f.getInt(null) == errno) return f.getName();
            } catch (IllegalAccessException ignored) {
                // not a public constant
            }
        }
        return "E" + errno;
    }
}
