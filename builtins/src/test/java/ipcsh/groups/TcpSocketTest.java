package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.loop.EventLoop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.fn;
import static ipcsh.groups.T.kill;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.loopUntil;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class TcpSocketTest {
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void collectErrors() {
        EventLoop.main().onError(errors::add);
    }

    /** A line server on the loop: upper-cases each line, closes at end of stream. */
    private static Channel upperServer(List<Object> peers) {
        return (Channel) call("listen", kw("tcp"), 0L, fn(x -> {
            Channel ch = (Channel) x[0];
            peers.add(x[1]);
            ch.configure(opts("blocking", false));
            call("on-readable", ch, fn(y -> {
                Object line = ch.gets();
                if (line != null) ch.puts(line.toString().toUpperCase());
                else if (ch.eof()) ch.close();
            }));
        }), opts("host", "127.0.0.1"));
    }

    @Test
    void connectsToSocatEchoServerAndReadsTheLineBack() throws Exception {
        int port = T.freePort();
        Process socat = T.start("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr", "PIPE");
        try {
            T.awaitTcpListener(port);
            Channel ch = (Channel) call("connect", kw("tcp"), "localhost", (long) port, opts("timeout", 5000L));
            ch.puts("hello through socat");
            assertEquals("hello through socat", ch.gets());
            assertEquals((long) port, ch.configure("peer-port"));
            assertTrue(ch.configure("peer").toString().endsWith(":" + port));
            ch.close();
        } finally {
            kill(socat);
        }
    }

    @Test
    void servesSocatClientThroughTheLoop() throws Exception {
        List<Object> peers = new ArrayList<>();
        Channel srv = upperServer(peers);
        long port = (Long) call("configure", srv, kw("port"));
        Process socat = T.start("socat", "-", "TCP:127.0.0.1:" + port);
        try {
            socat.getOutputStream().write("quiet words\n".getBytes(StandardCharsets.UTF_8));
            socat.getOutputStream().close();
            assertTrue(loopUntil(() -> !socat.isAlive(), 10_000));
            assertEquals("QUIET WORDS\n", new String(socat.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("127.0.0.1", ((List<?>) peers.get(0)).get(0));
        } finally {
            kill(socat);
            srv.close();
        }
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void servesPythonClient() throws Exception {
        Channel srv = upperServer(new ArrayList<>());
        long port = (Long) call("configure", srv, kw("port"));
        Process py = T.start("python3", "-c", """
                import socket, sys
                s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
                s.sendall(b'from python\\n')
                print(s.makefile().readline().strip())
                """, String.valueOf(port));
        try {
            assertTrue(loopUntil(() -> !py.isAlive(), 10_000));
            assertEquals("FROM PYTHON", new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        } finally {
            kill(py);
            srv.close();
        }
    }

    @Test
    void talksToTclLineServer() throws Exception {
        Process tcl = T.start("tclsh");
        try {
            tcl.getOutputStream().write("""
                    proc reply {ch} {
                        if {[gets $ch line] < 0} { if {[eof $ch]} { close $ch }; return }
                        puts $ch "tcl:$line"; flush $ch
                    }
                    proc accept {ch addr port} { fconfigure $ch -buffering line; fileevent $ch readable [list reply $ch] }
                    set s [socket -server accept -myaddr 127.0.0.1 0]
                    puts [lindex [fconfigure $s -sockname] 2]; flush stdout
                    vwait forever
                    """.getBytes(StandardCharsets.UTF_8));
            tcl.getOutputStream().flush();
            String port = new BufferedReader(new InputStreamReader(tcl.getInputStream())).readLine();
            Channel ch = (Channel) call("connect", kw("tcp"), "127.0.0.1", Long.parseLong(port.trim()));
            // Tcl writes CRLF on sockets by default
            ch.configure(opts("timeout", 5000L, "translation", kw("crlf")));
            for (int i = 0; i < 3; i++) {
                ch.puts("line " + i);
                assertEquals("tcl:line " + i, ch.gets());
            }
            ch.close();
        } finally {
            kill(tcl);
        }
    }

    @Test
    void echoServerOnTheLoopServesFiftyConcurrentClientsByteForByte() throws Exception {
        Channel srv = (Channel) call("listen", kw("tcp"), 0L, fn(x -> {
            Channel ch = (Channel) x[0];
            ch.configure(opts("blocking", false, "encoding", kw("binary"), "buffering", kw("full")));
            call("on-readable", ch, fn(y -> {
                Object line;
                while ((line = ch.gets()) != null) ch.puts(line);
                ch.flush();
                if (ch.eof()) ch.close();
            }));
        }), opts("host", "127.0.0.1"));
        long port = (Long) call("configure", srv, kw("port"));
        Process py = T.start("python3", "-c", """
                import socket, sys, threading, random
                port = int(sys.argv[1]); ok = []; bad = []
                def client(n):
                    rnd = random.Random(n)
                    lines = [bytes(rnd.choice([b for b in range(256) if b != 10]) for _ in range(rnd.randint(0, 120))) + b'\\n' for _ in range(200)]
                    data = b''.join(lines)
                    s = socket.create_connection(('127.0.0.1', port))
                    threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR))).start()
                    got = bytearray()
                    while True:
                        b = s.recv(65536)
                        if not b: break
                        got += b
                    s.close()
                    (ok if bytes(got) == data else bad).append(n)
                ts = [threading.Thread(target=client, args=(n,)) for n in range(50)]
                [t.start() for t in ts]; [t.join() for t in ts]
                print(len(ok), len(bad))
                """, String.valueOf(port));
        try {
            assertTrue(loopUntil(() -> !py.isAlive(), 20_000), "clients finished");
            assertEquals("50 0", new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        } finally {
            kill(py);
            srv.close();
        }
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void listenOnPortZeroTellsThePortAndCloseStopsAccepting() throws Exception {
        Channel srv = (Channel) call("listen", kw("tcp"), 0L, fn(x -> ((Channel) x[0]).close()), opts("host", "127.0.0.1"));
        long port = (Long) call("configure", srv, kw("port"));
        assertTrue(port > 0);
        ((Channel) call("connect", kw("tcp"), "127.0.0.1", port)).close();
        srv.close();
        IpcException e = assertThrows(IpcException.class, () -> call("connect", kw("tcp"), "127.0.0.1", port));
        assertTrue(e.getMessage().contains("ECONNREFUSED"), e.getMessage());
    }

    @Test
    void refusedConnectionNamesAddressAndErrno() throws Exception {
        int port = T.freePort();
        IpcException e = assertThrows(IpcException.class, () -> call("connect", kw("tcp"), "127.0.0.1", (long) port));
        assertEquals("connect \"127.0.0.1:" + port + "\": Connection refused (ECONNREFUSED)", e.getMessage());
        assertEquals("ECONNREFUSED", e.data().get("errno"));
    }

    @Test
    void unknownHostIsOneClearLine() {
        IpcException e = assertThrows(IpcException.class, () -> call("connect", kw("tcp"), "no-such-host.invalid", 80L));
        assertTrue(e.getMessage().startsWith("connect \"no-such-host.invalid:80\": unknown host (getaddrinfo"), e.getMessage());
        assertTrue(e.getMessage().contains("EAI_"), e.getMessage());
    }

    @Test
    void listeningOnAPortInUseFailsWithEaddrinuse() {
        Channel srv = (Channel) call("listen", kw("tcp"), 0L, fn(x -> {}), opts("host", "127.0.0.1"));
        try {
            long port = (Long) call("configure", srv, kw("port"));
            IpcException e = assertThrows(IpcException.class,
                    () -> call("listen", kw("tcp"), port, fn(x -> {}), opts("host", "127.0.0.1")));
            assertTrue(e.getMessage().startsWith("listen \"127.0.0.1:" + port + "\": Address already in use (EADDRINUSE)"), e.getMessage());
        } finally {
            srv.close();
        }
    }

    @Test
    void halfCloseSendsEndOfStreamAndTheReplyStillArrives() throws Exception {
        int port = T.freePort();
        Process socat = T.start("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr", "EXEC:wc -c");
        try {
            T.awaitTcpListener(port);
            Channel ch = (Channel) call("connect", kw("tcp"), "127.0.0.1", (long) port, opts("timeout", 5000L));
            ch.write("12345");
            call("close", ch, kw("write"));
            assertEquals("5", ch.gets().toString().trim());
            ch.close();
        } finally {
            kill(socat);
        }
    }

    @Test
    void noDescriptorLeakAfterTwoThousandConnectCloseCycles() {
        int[] accepted = {0};
        Channel srv = (Channel) call("listen", kw("tcp"), 0L, fn(x -> {
            accepted[0]++;
            ((Channel) x[0]).close();
        }), opts("host", "127.0.0.1"));
        long port = (Long) call("configure", srv, kw("port"));
        // warm up (reactor thread, epoll, eventfds) before counting
        ((Channel) call("connect", kw("tcp"), "127.0.0.1", port)).close();
        loopUntil(() -> accepted[0] == 1, 2000);
        int before = T.openFds();
        for (int i = 1; i <= 2000; i++) {
            ((Channel) call("connect", kw("tcp"), "127.0.0.1", port)).close();
            if (i % 100 == 0) {
                int want = i + 1;
                loopUntil(() -> accepted[0] >= want, 5000);
            }
        }
        assertEquals(2001, accepted[0]);
        srv.close();
        int after = T.openFds();
        assertTrue(after <= before, "descriptors before " + before + ", after " + after);
    }
}
