package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kill;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sockets, fifos and who-has against real programs holding real sockets and FIFOs. */
@Timeout(60)
class DebuggingTest {
    private final TempDir dir = new TempDir();

    @AfterEach
    void cleanUp() {
        dir.close();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Object v) {
        return (List<Map<String, Object>>) v;
    }

    @Test
    void socketsFindsASocatListenerAndItsPidAndTheProcessAtTheOtherEnd() throws Exception {
        String path = dir.file("srv.sock");
        Process socat = T.start("socat", "UNIX-LISTEN:" + path + ",fork", "EXEC:cat");
        try {
            T.awaitUnix(path);
            List<Map<String, Object>> l = rows(call("sockets", opts("path", path)));
            assertEquals(1, l.size(), l.toString());
            Map<String, Object> s = l.get(0);
            assertEquals(kw("unix"), s.get("kind"));
            assertEquals(kw("listen"), s.get("state"));
            assertEquals(List.of(socat.pid()), ((List<Map<String, Object>>) s.get("owners")).stream().map(o -> o.get("pid")).toList());
            assertEquals(l, rows(call("sockets", opts("pid", socat.pid(), "listening", true, "kind", kw("unix")))));

            Channel c = (Channel) call("connect", kw("unix"), path, opts("timeout", 5000L));
            long me = ProcessHandle.current().pid();
            // the server's end has an owner once socat accepted it (until then it waits in the backlog)
            T.awaitTrue(() -> peerOfMine(me) != null, "our connection's peer to be socat");
            Map<String, Object> conn = peerOfMine(me);
            assertTrue(conn.get("peer-inode") instanceof Long);
            c.close();
        } finally {
            kill(socat);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> peerOfMine(long me) {
        return rows(call("sockets", opts("pid", me, "kind", kw("unix")))).stream().filter(r -> kw("connected").equals(r.get("state"))
                && r.containsKey("peer-owners") && !((List<?>) r.get("peer-owners")).isEmpty()
                && ((List<Map<String, Object>>) r.get("peer-owners")).get(0).get("command").toString().startsWith("socat"))
                .findFirst().orElse(null);
    }

    @Test
    void socketsFiltersTcpListenersByPort() throws Exception {
        int port = T.freePort();
        Process socat = T.start("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr", "EXEC:cat");
        try {
            T.awaitTcpListener(port);
            List<Map<String, Object>> l = rows(call("sockets", opts("port", (long) port, "listening", true)));
            assertEquals(1, l.size(), l.toString());
            assertEquals("127.0.0.1:" + port, l.get(0).get("local"));
            assertEquals(socat.pid(), ((List<Map<String, Object>>) l.get(0).get("owners")).get(0).get("pid"));
        } finally {
            kill(socat);
        }
    }

    @Test
    void whoHasFindsCatReadingAFifoAndFifosShowsReaderAndWriter() throws Exception {
        String fifo = dir.file("app.fifo");
        call("mkfifo", fifo);
        Process cat = T.start("cat", fifo);
        Process writer = T.start("sh", "-c", "exec 3>" + fifo + "; exec sleep 30");
        try {
            T.awaitTrue(() -> rows(call("who-has", fifo)).size() == 2, "cat and sh holding the FIFO");
            Map<String, Object> reader = rows(call("who-has", fifo)).stream().filter(h -> h.get("pid").equals(cat.pid()))
                    .findFirst().orElseThrow();
            assertEquals(kw("read"), reader.get("mode"));
            assertEquals("cat " + fifo, reader.get("command"));
            assertEquals(3L, reader.get("fd"));
            List<Map<String, Object>> f = rows(call("fifos", dir.path.toString()));
            assertEquals(1, f.size());
            assertEquals(List.of(cat.pid()), f.get(0).get("readers"));
            assertEquals(List.of(writer.pid()), f.get(0).get("writers"));
            assertEquals(1, rows(call("fifos", dir.path.getParent().toString(), opts("recursive", true))).stream()
                    .filter(r -> r.get("path").equals(fifo)).count());
        } finally {
            kill(writer);
            kill(cat);
        }
    }

    @Test
    void badInputIsAClearError() {
        IpcException e = assertThrows(IpcException.class, () -> call("hexdump", (Object) null));
        assertTrue(e.getMessage().startsWith("hexdump: argument 1 must be a string or bytes, not nil"), e.getMessage());
        e = assertThrows(IpcException.class, () -> call("who-has", dir.file("none")));
        assertEquals("who-has \"" + dir.file("none") + "\": No such file or directory (ENOENT)", e.getMessage());
        e = assertThrows(IpcException.class, () -> call("fifos", dir.file("none")));
        assertTrue(e.getMessage().startsWith("fifos \""), e.getMessage());
        e = assertThrows(IpcException.class, () -> call("sockets", opts("kind", kw("sctp"))));
        assertTrue(e.getMessage().startsWith("sockets: option :kind must be"), e.getMessage());
        e = assertThrows(IpcException.class, () -> call("tap", opts("listen", 0L)));
        assertTrue(e.getMessage().startsWith("tap: option :to is required"), e.getMessage());
        e = assertThrows(IpcException.class, () -> call("tap", opts("listen", 0L, "to", 1L, "format", kw("xml"))));
        assertTrue(e.getMessage().startsWith("tap: unknown :format :xml"), e.getMessage());
    }

    /** fifo-tap said "is not a FIFO" without saying what is there. */
    @Test
    void fifoTapSaysWhatIsThereWhenItIsNotAFifo() throws Exception {
        String file = dir.file("plain.txt");
        java.nio.file.Files.writeString(java.nio.file.Path.of(file), "x");
        IpcException e = assertThrows(IpcException.class, () -> call("fifo-tap", file));
        assertEquals("fifo-tap \"" + file + "\": is not a FIFO (it is a regular file)", e.getMessage());
        e = assertThrows(IpcException.class, () -> call("fifo-tap", dir.file("missing.fifo")));
        assertTrue(e.getMessage().endsWith(": No such file or directory (ENOENT)"), e.getMessage());
    }

    /** A listing of a directory whose files come and go (like /tmp) failed with NoSuchFileException when one vanished mid-walk. */
    @Test
    @Timeout(120)
    void fifosOfADirectoryWhoseFilesComeAndGoNeverFailsAndFindsItsFifo() throws Exception {
        String fifo = dir.file("kept.fifo");
        call("mkfifo", fifo, opts("temp", true));
        java.nio.file.Path churn = java.nio.file.Path.of(dir.file("churn"));
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread t = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                try {
                    java.nio.file.Path sub = churn.resolve("d" + (i % 7));
                    java.nio.file.Files.createDirectories(sub);
                    java.nio.file.Path f = sub.resolve("f" + i);
                    java.nio.file.Files.writeString(f, "x");
                    java.nio.file.Files.delete(f);
                    java.nio.file.Files.delete(sub);
                } catch (java.io.IOException ignored) {
                    // the walker may hold nothing; a race of our own making is fine here
                }
            }
        });
        t.start();
        try {
            for (int round = 0; round < 300; round++) {
                List<Map<String, Object>> found = rows(call("fifos", dir.file(""), opts("recursive", true)));
                assertEquals(1, found.size(), "round " + round + ": " + found);
            }
        } finally {
            stop.set(true);
            t.join();
        }
    }
}
