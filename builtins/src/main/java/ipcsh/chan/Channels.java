package ipcsh.chan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The open channels of this shell, for {@code (channels)} and for clean-up at exit. */
public final class Channels {
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final Map<String, Channel> OPEN = new ConcurrentHashMap<>();

    private Channels() {}

    static String register(Channel ch, String kind) {
        String id = kind + COUNTER.incrementAndGet();
        OPEN.put(id, ch);
        return id;
    }

    static void unregister(String id) {
        OPEN.remove(id);
    }

    public static Channel byId(String id) {
        return OPEN.get(id);
    }

    /** The open channels, oldest first. */
    public static List<Channel> list() {
        List<Channel> l = new ArrayList<>(OPEN.values());
        l.sort((a, b) -> Long.compare(a.serial(), b.serial()));
        return l;
    }
}
