package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.loop.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.fn;
import static ipcsh.groups.T.kill;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.loopUntil;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class UnixSocketTest {
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final String path = T.tmp("unix.sock");

    @BeforeEach
    void collectErrors() {
        EventLoop.main().onError(errors::add);
    }

    @AfterEach
    void cleanUp() throws Exception {
        Files.deleteIfExists(Path.of(path));
    }

    @Test
    void connectsToSocatUnixServer() throws Exception {
        Process socat = T.start("socat", "UNIX-LISTEN:" + path, "PIPE");
        try {
            T.awaitUnix(path);
            Channel ch = (Channel) call("connect", kw("unix"), path, opts("timeout", 5000L));
            ch.puts("over a unix socket");
            assertEquals("over a unix socket", ch.gets());
            assertEquals(path, ch.configure("peer"));
            assertEquals(socat.pid(), ch.configure("peer-pid"));
            ch.close();
        } finally {
            kill(socat);
        }
    }

    @Test
    void servesSocatClientAndKnowsItsPidAndRemovesTheFileOnClose() throws Exception {
        Map<String, Object>[] seen = new Map[1];
        Channel srv = (Channel) call("listen", kw("unix"), path, fn(x -> {
            Channel ch = (Channel) x[0];
            seen[0] = ch.configure();
            call("on-readable", ch, fn(y -> {
                Object line = ch.gets();
                if (line != null) ch.puts("got " + line);
                else ch.close();
            }));
        }));
        Process socat = T.start("socat", "-", "UNIX-CONNECT:" + path);
        try {
            socat.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
            socat.getOutputStream().close();
            assertTrue(loopUntil(() -> !socat.isAlive(), 10_000));
            assertEquals("got hi\n", new String(socat.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(socat.pid(), seen[0].get("peer-pid"));
            assertEquals(Long.valueOf(new com.sun.security.auth.module.UnixSystem().getUid()), seen[0].get("peer-uid"));
        } finally {
            kill(socat);
            srv.close();
        }
        assertFalse(Files.exists(Path.of(path)), "socket file removed on close");
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void connectsToSocatAbstractServer() throws Exception {
        String name = "ipcsh-test-abs-" + ProcessHandle.current().pid();
        Process socat = T.start("socat", "ABSTRACT-LISTEN:" + name, "PIPE");
        try {
            T.awaitUnix("@" + name);
            Channel ch = (Channel) call("connect", kw("unix"), "@" + name, opts("timeout", 5000L));
            ch.puts("abstract");
            assertEquals("abstract", ch.gets());
            assertEquals("@" + name, ch.configure("peer"));
            ch.close();
        } finally {
            kill(socat);
        }
    }

    @Test
    void servesSocatClientOnAbstractName() throws Exception {
        String name = "@ipcsh-test-srv-" + ProcessHandle.current().pid();
        Channel srv = (Channel) call("listen", kw("unix"), name, fn(x -> {
            Channel ch = (Channel) x[0];
            ch.puts("welcome");
            ch.close();
        }));
        Process socat = T.start("socat", "-u", "ABSTRACT-CONNECT:" + name.substring(1), "-");
        try {
            assertTrue(loopUntil(() -> !socat.isAlive(), 10_000));
            assertEquals("welcome\n", new String(socat.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(name, call("configure", srv, kw("local")));
        } finally {
            kill(socat);
            srv.close();
        }
    }

    @Test
    void staleSocketFileIsReplaced() throws Exception {
        Process py = T.start("python3", "-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path);
        assertEquals(0, py.waitFor());
        assertTrue(Files.exists(Path.of(path)));
        Channel srv = (Channel) call("listen", kw("unix"), path, fn(x -> ((Channel) x[0]).close()));
        ((Channel) call("connect", kw("unix"), path)).close();
        srv.close();
    }

    @Test
    void pathOfALiveServerIsAClearError() {
        Channel srv = (Channel) call("listen", kw("unix"), path, fn(x -> {}));
        try {
            IpcException e = assertThrows(IpcException.class, () -> call("listen", kw("unix"), path, fn(x -> {})));
            assertEquals("listen \"" + path + "\": Address already in use (EADDRINUSE): a live socket is already bound there",
                    e.getMessage());
            assertTrue(Files.exists(Path.of(path)), "the live server's file is left alone");
        } finally {
            srv.close();
        }
    }

    @Test
    void listenOnARegularFileIsAClearError() throws Exception {
        Files.writeString(Path.of(path), "data");
        IpcException e = assertThrows(IpcException.class, () -> call("listen", kw("unix"), path, fn(x -> {})));
        assertEquals("listen \"" + path + "\": exists and is not a socket (it is a regular file)", e.getMessage());
        assertEquals("data", Files.readString(Path.of(path)));
    }

    @Test
    void pathTooLongForSunPathIsAClearError() {
        String longPath = "/tmp/" + "x".repeat(120);
        IpcException e = assertThrows(IpcException.class, () -> call("connect", kw("unix"), longPath));
        assertTrue(e.getMessage().contains("path too long for a unix socket address (125 bytes; sun_path holds at most 107)"),
                e.getMessage());
        assertEquals("ENAMETOOLONG", e.data().get("errno"));
    }

    @Test
    void connectToMissingPathFailsWithEnoent() {
        IpcException e = assertThrows(IpcException.class, () -> call("connect", kw("unix"), path));
        assertEquals("connect \"" + path + "\": No such file or directory (ENOENT)", e.getMessage());
    }
}
