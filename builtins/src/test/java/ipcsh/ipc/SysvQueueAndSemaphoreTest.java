package ipcsh.ipc;

import ipcsh.IpcException;
import ipcsh.chan.TimeoutError;
import ipcsh.os.IpcNames;
import ipcsh.testing.CProgram;
import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A System V queue and a POSIX semaphore shared with a C program, and what ipcs says of them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SysvQueueAndSemaphoreTest {
    private static final long PID = ProcessHandle.current().pid();
    private final TempDir dir = new TempDir();
    private String peer;
    private SysvQueue queue;
    private final String semName = "/ipcsh-test-" + PID + "-sem";

    @BeforeEach
    void buildPeer() {
        peer = CProgram.build("ipc_peer", dir);
    }

    @AfterEach
    void cleanUp() {
        try {
            if (queue != null) queue.remove();
        } catch (IpcException ignored) {
            // the test removed it
        }
        try {
            Semaphore.unlink(semName);
        } catch (IpcException ignored) {
            // the test removed it, or never made it
        }
        dir.close();
    }

    private static String ipcs(String... args) {
        try (Peer p = Peer.start(args)) {
            p.waitFor(30);
            return p.output();
        }
    }

    @Test
    void messagesGoBothWaysWithACProgramAndAreTakenByTypeAsMsgrcvDoes() {
        int key = (int) (0x7d000000L | (PID & 0xffffff));
        String hex = IpcNames.hexKey(key);
        queue = SysvQueue.open(key, true, true, 0600, false, false);
        assertTrue(ipcs("ipcs", "-q").contains(hex + " " + queue.id() + " "), "ipcs -q lists " + hex);

        queue.send("three", 3, 1000);
        queue.send("one", 1, 1000);
        // a negative type takes the lowest type up to its size: the later-sent 1 before the 3
        assertEquals("1 one", CProgram.run(peer, "msg-recv", hex, "-3").strip());
        CProgram.run(peer, "msg-send", hex, "7", "from C");
        assertEquals(Map.of("data", "from C", "type", 7L), queue.receive(7, 1000, false));
        assertEquals(Map.of("data", "three", "type", 3L), queue.receive(0, 1000, false));
        assertNull(queue.receive(0, -1, true), "an empty queue under :nonblock");
        TimeoutError t = assertThrows(TimeoutError.class, () -> queue.receive(0, 50, false));
        assertEquals("recv " + queue.describe() + ": timed out after 50 ms", t.getMessage());

        queue.remove();
        assertFalse(ipcs("ipcs", "-q").contains(hex), "ipcs -q no longer lists " + hex);
        IpcException gone = assertThrows(IpcException.class, () -> queue.send("late", 1, 0));
        assertEquals("send " + queue.describe() + ": the queue was removed", gone.getMessage());
    }

    @Test
    void aPostFromACProgramEndsAWaitAndAnEmptySemaphoreTimesOut() throws Exception {
        try (Semaphore s = Semaphore.open(semName, true, true, 0600, 0, false)) {
            assertFalse(s.tryAcquire());
            try (Peer post = Peer.start("sh", "-c", "sleep 0.2; exec " + peer + " sem-post " + semName)) {
                long t0 = System.nanoTime();
                s.await(20_000);
                assertTrue(System.nanoTime() - t0 >= 100_000_000L, "waited for the C program's post");
                assertEquals(0, post.waitFor(10), post.output());
            }
            assertEquals(0, s.value());
            TimeoutError t = assertThrows(TimeoutError.class, () -> s.await(80));
            assertEquals("sem-wait #<sem " + semName + ">: timed out after 80 ms", t.getMessage());
            s.post();
            s.post();
            assertEquals(2, s.value());
            assertTrue(s.tryAcquire());
        }
        Semaphore.unlink(semName);
        IpcException e = assertThrows(IpcException.class, () -> Semaphore.unlink(semName));
        assertEquals("sem-unlink \"" + semName + "\": No such file or directory (ENOENT): no such semaphore", e.getMessage());
    }
}
