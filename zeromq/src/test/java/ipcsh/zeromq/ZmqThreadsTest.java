package ipcsh.zeromq;

import ipcsh.chan.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * JeroMQ's threads must not preempt the thread that wakes them: its signaller writes the wake-up
 * byte before it counts it, and a woken thread that runs in between finds nothing to take and
 * polls again until the sender is scheduled (a REQ/REP round trip on one CPU took 2.8 ms, not
 * 0.1; bench/run zmq-lat measures it). So they run as SCHED_BATCH, and the caller's thread keeps
 * its own policy.
 */
class ZmqThreadsTest {
    private final List<Channel> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Channel::close);
    }

    /** Thread name → scheduling policy (field 41 of /proc/self/task/TID/stat: 0 normal, 3 batch). */
    private static Map<String, Integer> policies() throws IOException {
        Map<String, Integer> m = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                String stat = Files.readString(t.resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                m.merge(name, Integer.parseInt(rest[41 - 3]), Math::max); // fields from 3 on, after "(comm)"
            }
        }
        return m;
    }

    @Test
    void jeromqThreadsRunAsBatchAndTheCallerDoesNot() throws IOException {
        Channel rep = Z.zmq(open, "rep", "bind", "tcp://127.0.0.1:*");
        Channel req = Z.zmq(open, "req", "connect", rep.configure("last-endpoint"));
        Z.call("send", req, "ping");
        assertEquals("ping", Z.call("recv", rep));
        Map<String, Integer> p = policies();
        List<String> jeromq = p.keySet().stream().filter(n -> n.startsWith("iothread-") || n.startsWith("reaper-")).toList();
        assertFalse(jeromq.isEmpty(), "no JeroMQ thread among " + p.keySet());
        for (String n : jeromq) assertEquals(3, p.get(n), n + " is not SCHED_BATCH: " + p);
        String me = Thread.currentThread().getName();
        int mine = Integer.parseInt(Files.readString(Path.of("/proc/thread-self/stat")).replaceAll("^.*\\) ", "").split(" ")[41 - 3]);
        assertEquals(0, mine, "the calling thread (" + me + ") changed policy");
    }
}
