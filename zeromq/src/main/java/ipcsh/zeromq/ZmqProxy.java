package ipcsh.zeromq;

import ipcsh.Callback;
import ipcsh.Keyword;
import ipcsh.RegisteredAt;
import ipcsh.chan.Channel;
import ipcsh.loop.ChannelEvents;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * zmq_proxy inside the event loop: each side's readable handler moves one whole message to the
 * other side (the loop calls it again while messages wait), on the interpreter thread that owns
 * both sockets, so the script's own callbacks run between messages.
 */
final class ZmqProxy {
    private ZmqProxy() {}

    static void start(Channel front, ZmqDriver f, Channel back, ZmqDriver b, ProxyLog log, Callback onMessage) {
        Throwable at = RegisteredAt.here("zmq-proxy " + front.describe() + " " + back.describe());
        ChannelEvents.set(front, false, () -> forward(f, back, "front", front, log, onMessage), at);
        ChannelEvents.set(back, false, () -> forward(b, front, "back", back, log, onMessage), at);
        // one side closed ends the proxy: the other side stops being served
        front.onClose(() -> {
            ChannelEvents.remove(back, false);
            if (log != null) log.close();
        });
        back.onClose(() -> {
            ChannelEvents.remove(front, false);
            if (log != null) log.close();
        });
    }

    private static void forward(ZmqDriver from, Channel to, String side, Channel source, ProxyLog log, Callback onMessage) {
        List<byte[]> m = from.takeMessage();
        if (m == null) return;
        if (log != null) log.message(side, m);
        if (onMessage != null) {
            boolean binary = "binary".equals(Keyword.word(source.configure("encoding")));
            List<Object> frames = new ArrayList<>(m.size());
            for (byte[] x : m) frames.add(binary ? x : new String(x, StandardCharsets.UTF_8));
            Map<String, Object> msg = new LinkedHashMap<>();
            msg.put("from", Keyword.of(side));
            msg.put("frames", frames);
            onMessage.call(msg);
        }
        if (!to.isClosed()) to.send(m, null);
    }
}
