package ipcsh.os;

import ipcsh.IpcException;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** struct sockaddr built in Java, handed to bind(2), and read back from getsockname(2): the kernel says what it took. */
class SockAddrTest {
    private final LibC c = LibC.get();
    private final TempDir dir = new TempDir();
    private final List<Integer> fds = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (int fd : fds) c.close(fd);
        dir.close();
    }

    private int socket(int family) {
        int fd = c.socket(family, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        fds.add(fd);
        return fd;
    }

    @Test
    void aUnixPathOfTheLongestLengthSunPathHoldsIsBoundAndReadBack() {
        String base = dir.path + "/";
        String path = base + "p".repeat(SockAddr.SUN_PATH_MAX - base.length());
        assertEquals(SockAddr.SUN_PATH_MAX, path.length());
        int fd = socket(LibC.AF_UNIX);
        c.bind(fd, SockAddr.unix(path, "bind"));
        byte[] bound = c.getsockname(fd);
        assertEquals(LibC.AF_UNIX, SockAddr.family(bound));
        assertEquals(path, SockAddr.path(bound));
        assertEquals(path, SockAddr.format(bound));
        assertTrue(Files.exists(Path.of(path)));
    }

    @Test
    void onePathByteTooManyIsRefusedBeforeTheKernelSeesIt() {
        String path = "/" + "q".repeat(SockAddr.SUN_PATH_MAX);
        IpcException e = assertThrows(IpcException.class, () -> SockAddr.unix(path, "unix-listen"));
        assertEquals("unix-listen \"" + path + "\": path too long for a unix socket address (108 bytes; "
                + "sun_path holds at most 107) (ENAMETOOLONG)", e.getMessage());
        assertEquals("ENAMETOOLONG", e.data().get("errno"));
    }

    @Test
    void anAbstractNameIsBoundWithoutAFileAndListedByTheKernelWithAnAt() throws Exception {
        String name = "@ipcsh-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        int fd = socket(LibC.AF_UNIX);
        c.bind(fd, SockAddr.unix(name, "bind"));
        c.listen(fd, 1);
        assertEquals(name, SockAddr.path(c.getsockname(fd)));
        assertTrue(Files.readString(Path.of("/proc/net/unix")).contains(" " + name + "\n"), "not in /proc/net/unix: " + name);
    }

    @Test
    void anUnboundUnixSocketHasTheEmptyName() {
        int fd = socket(LibC.AF_UNIX);
        assertEquals("", SockAddr.path(c.getsockname(fd)));
    }

    @Test
    void anIpv4AddressWithPortZeroGetsAPortThatJavaCanConnectTo() throws Exception {
        byte[] loopback = c.getaddrinfo("127.0.0.1", LibC.AF_INET, LibC.SOCK_STREAM)[0];
        int fd = socket(LibC.AF_INET);
        c.bind(fd, SockAddr.withPort(loopback, 0));
        c.listen(fd, 1);
        byte[] bound = c.getsockname(fd);
        int port = SockAddr.port(bound);
        assertTrue(port > 0 && port < 65536, "port " + port);
        assertEquals("127.0.0.1", SockAddr.host(bound));
        assertEquals("127.0.0.1:" + port, SockAddr.format(bound));
        try (Socket s = new Socket("127.0.0.1", port)) {
            assertTrue(s.isConnected());
        }
        assertEquals(-1, SockAddr.port(SockAddr.unix("/x", "test")), "a unix address has no port");
        assertEquals(null, SockAddr.host(SockAddr.unix("/x", "test")));
    }
}
