package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.TimeoutError;
import ipcsh.os.OsException;
import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Datagrams arrive whole up to what the kernel carries, both ways, against python3 peers; errors name what the user did. */
@Timeout(60)
class DatagramSizeTest {
    private static final int[] UNIX_SIZES = {65_535, 65_536, 65_537, 100_003, 200_000};
    private final TempDir dir = new TempDir();

    @AfterEach
    void cleanUp() {
        dir.close();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> recv(Channel ch) {
        return (Map<String, Object>) call("recv", ch);
    }

    @Test
    void unixDatagramsFromPythonArriveWhole() throws Exception {
        String server = dir.file("s.sock");
        Channel ch = (Channel) call("unix-dgram", server, opts("timeout", 10_000L));
        String py = "import socket\nc=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\n"
                + "c.setsockopt(socket.SOL_SOCKET,socket.SO_SNDBUF,1<<20)\n"
                + "for n in (65535,65536,65537,100003,200000): c.sendto(bytes([65+n%26])*n,'" + server + "')\n";
        try (Peer p = Peer.start("python3", "-c", py)) {
            for (int n : UNIX_SIZES) {
                String got = (String) recv(ch).get("data");
                assertEquals(n, got.length(), "datagram of " + n);
                assertEquals(String.valueOf((char) (65 + n % 26)).repeat(n), got);
            }
            assertEquals(0, p.waitFor(10), p.output());
        } finally {
            ch.close();
        }
    }

    @Test
    void unixDatagramsSentByIpcshArriveWholeAtPython() throws Exception {
        String client = dir.file("py.sock");
        String py = "import socket,os\nc=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\n"
                + "c.setsockopt(socket.SOL_SOCKET,socket.SO_RCVBUF,1<<20)\nc.bind('" + client + "')\n"
                + "for i in range(5): print(len(c.recv(1<<20)), flush=True)\n";
        try (Peer p = Peer.start("python3", "-c", py)) {
            T.awaitUnix(client);
            Channel ch = (Channel) call("unix-dgram", (Object) null);
            for (int n : UNIX_SIZES) call("send", ch, "d".repeat(n), opts("to", client));
            assertEquals(0, p.waitFor(10), p.output());
            assertEquals("65535\n65536\n65537\n100003\n200000\n", p.output());
            ch.close();
        }
    }

    @Test
    void udpAtItsLimitArrivesWholeBothWays() throws Exception {
        Channel ch = (Channel) call("udp", opts("bind", List.of("127.0.0.1", 0L), "timeout", 10_000L));
        long port = (Long) ch.configure("port");
        String py = "import socket\nc=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nc.bind(('127.0.0.1',0))\n"
                + "c.sendto(b'u'*65507,('127.0.0.1'," + port + "))\nc.sendto(b'v'*65506,('127.0.0.1'," + port + "))\n"
                + "print(len(c.recv(70000)), flush=True)\n";
        try (Peer p = Peer.start("python3", "-c", py)) {
            Map<String, Object> m = recv(ch);
            assertEquals("u".repeat(65_507), m.get("data"));
            assertEquals(65_506, ((String) recv(ch).get("data")).length());
            call("send", ch, "w".repeat(65_507), opts("to", m.get("from")));
            assertEquals(0, p.waitFor(10), p.output());
            assertEquals("65507\n", p.output());
        } finally {
            ch.close();
        }
    }

    @Test
    void udpDatagramOverTheProtocolLimitIsAnErrorNamingSendAndTheTarget() {
        Channel ch = (Channel) call("udp");
        OsException e = assertThrows(OsException.class,
                () -> call("send", ch, "x".repeat(65_508), opts("to", List.of("127.0.0.1", 9L))));
        assertEquals("send " + ch.id() + " \"127.0.0.1:9\": Message too long (EMSGSIZE)", e.getMessage());
        ch.close();
    }

    @Test
    void datagramOverMaxFrameIsDroppedOnceAndTheNextOneIsRead() throws Exception {
        for (String kind : List.of("udp", "unix-dgram")) {
            Channel r = kind.equals("udp") ? (Channel) call("udp", opts("bind", List.of("127.0.0.1", 0L)))
                    : (Channel) call("unix-dgram", dir.file("r.sock"));
            r.configure(opts("max-frame", 10L, "timeout", 5000L));
            Object to = kind.equals("udp") ? List.of("127.0.0.1", r.configure("port")) : dir.file("r.sock");
            Channel w = kind.equals("udp") ? (Channel) call("udp") : (Channel) call("unix-dgram", (Object) null);
            call("send", w, "x".repeat(25), opts("to", to));
            call("send", w, "0123456789", opts("to", to));
            call("send", w, "y".repeat(100_003 % 65_000), opts("to", to));
            call("send", w, "last", opts("to", to));
            IpcException e = assertThrows(IpcException.class, r::gets, kind);
            assertTrue(e.getMessage().startsWith("gets " + r.id()), e.getMessage());
            assertTrue(e.getMessage().contains("message of 25 bytes is longer than :max-frame (10 bytes); dropped 25 bytes"),
                    e.getMessage());
            assertEquals("0123456789", r.gets(), kind);
            assertThrows(IpcException.class, () -> call("recv", r), kind);
            assertEquals("last", recv(r).get("data"), kind);
            r.close();
            w.close();
        }
    }

    @Test
    void sendToAMissingUnixPathNamesSendAndThePath() {
        Channel ch = (Channel) call("unix-dgram", (Object) null);
        String missing = dir.file("nobody.sock");
        OsException e = assertThrows(OsException.class, () -> call("send", ch, "x", opts("to", missing)));
        assertEquals("send " + ch.id() + " \"" + missing + "\": No such file or directory (ENOENT)", e.getMessage());
        ch.close();
    }

    @Test
    void recvTimeoutSaysRecv() {
        Channel ch = (Channel) call("udp", opts("bind", List.of("127.0.0.1", 0L), "timeout", 50L));
        TimeoutError e = assertThrows(TimeoutError.class, () -> call("recv", ch));
        assertTrue(e.getMessage().startsWith("recv " + ch.id() + " (127.0.0.1:"), e.getMessage());
        ch.close();
    }

    @Test
    void putsOnAnUnconnectedUdpSocketSaysItHasNoPeer() {
        Channel ch = (Channel) call("udp");
        OsException e = assertThrows(OsException.class, () -> call("puts", ch, ""));
        assertTrue(e.getMessage().startsWith("puts " + ch.id() + ": Destination address required (EDESTADDRREQ)"),
                e.getMessage());
        assertTrue(e.getMessage().contains(":to"), e.getMessage());
        ch.close();
    }
}
