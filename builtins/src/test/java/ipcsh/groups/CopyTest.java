package ipcsh.groups;

import ipcsh.chan.Channel;
import ipcsh.loop.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.fn;
import static ipcsh.groups.T.kill;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.loopUntil;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class CopyTest {
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Path src = Path.of(T.tmp("copy-src")), dst = Path.of(T.tmp("copy-dst"));

    @BeforeEach
    void collectErrors() {
        EventLoop.main().onError(errors::add);
    }

    @AfterEach
    void cleanUp() throws Exception {
        Files.deleteIfExists(src);
        Files.deleteIfExists(dst);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** Writes data into the pipe's write end from another thread, then closes it. */
    private static Thread feed(Channel w, byte[] data) {
        Thread t = new Thread(() -> {
            w.write(data);
            w.close();
        });
        t.start();
        return t;
    }

    @Test
    void copiesPipeIntoTcpSocketOfSocatByteForByte() throws Exception {
        byte[] data = random(700_000);
        int port = T.freePort();
        Process socat = T.start("socat", "-u", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr", "CREATE:" + dst);
        try {
            T.awaitTcpListener(port);
            List<?> p = (List<?>) call("pipe");
            Channel r = (Channel) p.get(0);
            Channel sock = (Channel) call("connect", kw("tcp"), "127.0.0.1", (long) port);
            Thread t = feed((Channel) p.get(1), data);
            assertEquals((long) data.length, call("copy", r, sock));
            t.join();
            sock.close();
            r.close();
            assertTrue(socat.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
            assertArrayEquals(data, Files.readAllBytes(dst));
        } finally {
            kill(socat);
        }
    }

    @Test
    void copiesFileToFileWithReadWriteAndHonoursSize() throws Exception {
        byte[] data = random(300_000);
        Files.write(src, data);
        Channel in = (Channel) call("open-file", src.toString());
        Channel out = (Channel) call("open-file", dst.toString(), kw("write"));
        assertEquals(1000L, call("copy", in, out, opts("size", 1000L)));
        assertEquals((long) data.length - 1000, call("copy", in, out));
        in.close();
        out.close();
        assertArrayEquals(data, Files.readAllBytes(dst));
    }

    @Test
    void copySendsAlreadyBufferedInputFirst() throws Exception {
        List<?> p = (List<?>) call("pipe");
        Channel r = (Channel) p.get(0), w = (Channel) p.get(1);
        w.write("header\nbody line 1\nbody line 2\n");
        w.close();
        assertEquals("header", r.gets());
        Channel out = (Channel) call("open-file", dst.toString(), kw("write"));
        assertEquals(24L, call("copy", r, out));
        out.close();
        r.close();
        assertEquals("body line 1\nbody line 2\n", Files.readString(dst));
    }

    @Test
    void backgroundCopyCallsOnDoneWithTheByteCount() throws Exception {
        byte[] data = random(1_000_000);
        List<?> p = (List<?>) call("pipe");
        Channel r = (Channel) p.get(0);
        Channel out = (Channel) call("open-file", dst.toString(), kw("write"));
        Object[] result = {null};
        Object handle = call("copy", r, out, opts("on-done", fn(x -> result[0] = x[0])));
        Thread t = feed((Channel) p.get(1), data);
        assertTrue(loopUntil(() -> result[0] != null, 10_000));
        t.join();
        assertEquals((long) data.length, result[0]);
        assertTrue(handle.toString().contains("done"));
        out.close();
        r.close();
        assertArrayEquals(data, Files.readAllBytes(dst));
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void backgroundCopyFromPythonClientIntoAFileThroughTheLoop() throws Exception {
        Channel out = (Channel) call("open-file", dst.toString(), kw("write"));
        Object[] result = {null};
        Channel srv = (Channel) call("listen", kw("tcp"), 0L, fn(x -> {
            Channel ch = (Channel) x[0];
            call("copy", ch, out, opts("on-done", fn(y -> {
                result[0] = y[0];
                ch.close();
            })));
        }), opts("host", "127.0.0.1"));
        long port = (Long) call("configure", srv, kw("port"));
        Process py = T.start("python3", "-c", """
                import socket, sys
                s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
                s.sendall(bytes(range(256)) * 4000); s.close()
                """, String.valueOf(port));
        try {
            assertTrue(loopUntil(() -> result[0] != null, 10_000));
            assertEquals(1_024_000L, result[0]);
        } finally {
            kill(py);
            srv.close();
            out.close();
        }
        byte[] got = Files.readAllBytes(dst);
        assertEquals(1_024_000, got.length);
        for (int i = 0; i < got.length; i++) if ((got[i] & 0xff) != i % 256) throw new AssertionError("byte " + i);
    }
}
