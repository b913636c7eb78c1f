package ipcsh.chan.drivers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.os.LibC;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * inotify events as people name them, and as a watch channel's messages: one JSON object per
 * event, {"event":"create","path":"/d/a","name":"a","dir?":false,"cookie":0}, which gets and
 * expect see as text and recv turns into a map with the event as a keyword.
 */
public final class WatchEvents {
    private WatchEvents() {}

    /** Each name and its bits, in the order a mask's name is looked for (moves before the rest). */
    private static final Object[][] NAMES = {
        {"create", LibC.IN_CREATE}, {"delete", LibC.IN_DELETE}, {"modify", LibC.IN_MODIFY},
        {"moved-from", LibC.IN_MOVED_FROM}, {"moved-to", LibC.IN_MOVED_TO}, {"close-write", LibC.IN_CLOSE_WRITE},
        {"close-nowrite", LibC.IN_CLOSE_NOWRITE}, {"attrib", LibC.IN_ATTRIB}, {"open", LibC.IN_OPEN},
        {"access", LibC.IN_ACCESS}, {"delete-self", LibC.IN_DELETE_SELF}, {"move-self", LibC.IN_MOVE_SELF},
        {"unmount", LibC.IN_UNMOUNT},
    };

    /** What a watch reports when not told: changes to what is in it and to itself, not opens and reads. */
    public static final List<String> DEFAULT = List.of("create", "delete", "modify", "move", "close-write", "attrib",
            "delete-self", "move-self");

    /** The names :events takes. */
    public static final String CHOICES = ":create :delete :modify :move (both halves) :moved-from :moved-to :close-write"
            + " :close-nowrite :attrib :open :access :delete-self :move-self";

    /** The kernel mask of the names given; an unknown one is an error listing the known ones. */
    public static int mask(List<String> names) {
        int m = 0;
        for (String n : names) {
            int bits = bits(n);
            if (bits == 0 || n.equals("unmount")) {
                throw new IpcException("watch: unknown event :" + n + "; events are " + CHOICES);
            }
            m |= bits;
        }
        return m;
    }

    private static int bits(String name) {
        if (name.equals("move")) return LibC.IN_MOVED_FROM | LibC.IN_MOVED_TO;
        for (Object[] e : NAMES) if (e[0].equals(name)) return (Integer) e[1];
        return 0;
    }

    /** The name of the first event bit set in mask, or null. */
    static String name(int mask) {
        for (Object[] e : NAMES) if ((mask & (Integer) e[1]) != 0) return (String) e[0];
        return null;
    }

    /** One event (a map from {@link #map}) as its message's bytes, a JSON object. */
    static byte[] render(Map<String, Object> e) {
        StringBuilder b = new StringBuilder(96);
        b.append("{\"event\":\"").append(((Keyword) e.get("event")).name()).append("\",\"path\":");
        quote(b, (String) e.get("path"));
        b.append(",\"name\":");
        if (e.get("name") == null) b.append("null");
        else quote(b, (String) e.get("name"));
        b.append(",\"dir?\":").append(e.get("dir?")).append(",\"cookie\":").append(e.get("cookie"));
        if (e.get("error") != null) {
            b.append(",\"error\":");
            quote(b, (String) e.get("error"));
        }
        return b.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One event as recv returns it. */
    static Map<String, Object> map(String event, String path, String name, boolean dir, long cookie) {
        Map<String, Object> m = new LinkedHashMap<>(8);
        m.put("event", Keyword.of(event));
        m.put("path", path);
        m.put("name", name);
        m.put("dir?", dir);
        m.put("cookie", cookie & 0xffffffffL);
        return m;
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        b.append('"');
    }

    private static final JsonFactory JSON = new JsonFactory();

    /** A watch message (text or bytes, as the channel's encoding gives it) as the event map; :event is a keyword. */
    public static Map<String, Object> parse(Object message) {
        Map<String, Object> m = new LinkedHashMap<>();
        try (JsonParser p = message instanceof byte[] b ? JSON.createParser(b) : JSON.createParser(message.toString())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IpcException("recv: not a watch event: " + message);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String k = p.currentName();
                JsonToken t = p.nextToken();
                Object v = switch (t) {
                    case VALUE_NULL -> null;
                    case VALUE_TRUE -> true;
                    case VALUE_FALSE -> false;
                    case VALUE_NUMBER_INT -> p.getLongValue();
                    default -> p.getText();
                };
                m.put(k, k.equals("event") ? Keyword.of((String) v) : v);
            }
        } catch (IOException e) {
            throw new IpcException("recv: not a watch event: " + message);
        }
        return m;
    }
}
