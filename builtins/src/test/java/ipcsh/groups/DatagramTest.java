package ipcsh.groups;

import ipcsh.chan.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kill;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

@Timeout(30)
class DatagramTest {
    private final String path = T.tmp("dgram.sock");

    @AfterEach
    void cleanUp() throws Exception {
        Files.deleteIfExists(Path.of(path));
    }

    /** Sends until the echo comes back: a datagram server cannot be probed before it is bound. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> echo(Channel ch, String text, Object to) {
        ch.configure(opts("timeout", 200L));
        for (int i = 0; i < 25; i++) {
            call("send", ch, text, opts("to", to));
            try {
                return (Map<String, Object>) call("recv", ch);
            } catch (ipcsh.chan.TimeoutError e) {
                // not bound yet: send again
            }
        }
        throw new AssertionError("no echo from " + to);
    }

    @Test
    void udpDatagramsEchoedBySocatComeBackWhole() throws Exception {
        int port = T.freePort();
        Process socat = T.start("socat", "UDP-RECVFROM:" + port + ",bind=127.0.0.1,fork", "PIPE");
        try {
            T.awaitUdp(port);
            Channel ch = (Channel) call("udp");
            Map<String, Object> m = echo(ch, "one whole datagram", List.of("127.0.0.1", (long) port));
            assertEquals("one whole datagram", m.get("data"));
            assertEquals(List.of("127.0.0.1", (long) port), m.get("from"));
            ch.close();
        } finally {
            kill(socat);
        }
    }

    @Test
    void udpReceivesFromSocatClientWithItsAddress() throws Exception {
        Channel ch = (Channel) call("udp", opts("bind", List.of("127.0.0.1", 0L)));
        long port = (Long) ch.configure("port");
        Process socat = T.start("socat", "-u", "-", "UDP-SENDTO:127.0.0.1:" + port);
        try {
            socat.getOutputStream().write("from socat".getBytes(StandardCharsets.UTF_8));
            socat.getOutputStream().close();
            ch.configure(opts("timeout", 5000L));
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) call("recv", ch);
            assertEquals("from socat", m.get("data"));
            assertEquals("127.0.0.1", ((List<?>) m.get("from")).get(0));
        } finally {
            kill(socat);
            ch.close();
        }
    }

    @Test
    void connectedUdpPutsAndGetsOneDatagramEachAndRepliesGoToFrom() {
        Channel a = (Channel) call("udp", opts("bind", List.of("127.0.0.1", 0L), "timeout", 5000L));
        Channel b = (Channel) call("udp", opts("connect", List.of("127.0.0.1", a.configure("port")), "timeout", 5000L));
        b.puts("first");
        b.puts("second");
        assertEquals("first", a.gets());
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) call("recv", a);
        assertEquals("second", m.get("data"));
        call("send", a, "reply", opts("to", m.get("from")));
        assertEquals("reply", b.gets());
        a.close();
        b.close();
    }

    @Test
    void unixDatagramClientGetsSocatsEchoBack() throws Exception {
        Process socat = T.start("socat", "UNIX-RECVFROM:" + path + ",fork", "PIPE");
        try {
            T.awaitUnix(path);
            Channel ch = (Channel) call("unix-dgram", (Object) null);
            assertNotNull(ch.configure("local"));
            Map<String, Object> m = echo(ch, "unix datagram", path);
            assertEquals("unix datagram", m.get("data"));
            assertEquals(path, m.get("from"));
            ch.close();
        } finally {
            kill(socat);
        }
    }

    @Test
    void abstractUnixDatagramEchoedBySocat() throws Exception {
        String name = "ipcsh-test-dg-" + ProcessHandle.current().pid();
        Process socat = T.start("socat", "ABSTRACT-RECVFROM:" + name + ",fork", "PIPE");
        try {
            T.awaitUnix("@" + name);
            Channel ch = (Channel) call("unix-dgram", null, opts("connect", "@" + name));
            ch.configure(opts("timeout", 5000L));
            ch.puts("abstract datagram");
            assertEquals("abstract datagram", ch.gets());
            ch.close();
        } finally {
            kill(socat);
        }
    }

    @Test
    void unixDatagramServerReceivesFromSocatAndRemovesItsFile() throws Exception {
        Channel ch = (Channel) call("unix-dgram", path, opts("timeout", 5000L));
        Process socat = T.start("socat", "-u", "-", "UNIX-SENDTO:" + path);
        try {
            socat.getOutputStream().write("to the shell".getBytes(StandardCharsets.UTF_8));
            socat.getOutputStream().close();
            assertEquals("to the shell", ch.gets());
        } finally {
            kill(socat);
            ch.close();
        }
        assertFalse(Files.exists(Path.of(path)));
    }

    @Test
    void aConnectToNoSocketIsUnixDgramsErrorAndLeavesNoSocketFile() {
        String none = T.tmp("no-such.sock");
        ipcsh.IpcException e = org.junit.jupiter.api.Assertions.assertThrows(ipcsh.IpcException.class,
                () -> call("unix-dgram", path, opts("connect", none)));
        assertEquals("unix-dgram \"" + none + "\": No such file or directory (ENOENT): no socket at :connect's path", e.getMessage());
        assertFalse(Files.exists(Path.of(path)), "the bound socket file is removed again");
    }
}
