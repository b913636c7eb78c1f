package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A text channel against real peers: line ends from CRLF protocols and lone CRs (input :auto,
 * the default), output a blocking read sends first, :eofchar, and :encoding-errors.
 */
@Timeout(60)
class TextChannelTest {
    private static Channel python(String code, Object... options) {
        Channel ch = (Channel) call("spawn", List.of("python3", "-c", code), opts("timeout", 10_000L));
        if (options.length > 0) call("configure", ch, opts(options));
        return ch;
    }

    /** A python3 echo server on a unix socket at path: every byte comes back. */
    private static Process echoServer(String path) throws Exception {
        Process p = T.start("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
                c, _ = s.accept()
                while True:
                    d = c.recv(65536)
                    if not d: break
                    c.sendall(d)
                """, path);
        T.awaitUnix(path);
        return p;
    }

    // ------------------------------------------------------------------ :translation :auto

    @Test
    void textChannelsReadWithAutoTranslationByDefault() {
        Channel ch = python("pass");
        Map<?, ?> c = (Map<?, ?>) call("configure", ch);
        assertEquals(kw("auto"), c.get("translation"));
        ch.close();
    }

    @Test
    void configureSetsOptionValuePairsAsTclsFconfigureDoes() {
        Channel ch = python("import sys; sys.stdout.write(sys.stdin.readline())");
        Object all = call("configure", ch, kw("timeout"), 8000L, kw("translation"), kw("crlf"));
        assertEquals(8000L, ((Map<?, ?>) all).get("timeout"));
        assertEquals(kw("crlf"), call("configure", ch, kw("translation")));
        // an option without its value sets nothing
        IpcException e = assertThrows(IpcException.class, () -> call("configure", ch, kw("timeout"), 9000L, kw("translation")));
        assertTrue(e.getMessage().contains("(configure ch option value & more)"), e.getMessage());
        assertEquals(8000L, call("configure", ch, kw("timeout")));
        // a bad value among pairs: nothing of them set
        assertThrows(IpcException.class, () -> call("configure", ch, kw("timeout"), 9000L, kw("translation"), kw("sideways")));
        assertEquals(8000L, call("configure", ch, kw("timeout")));
        call("puts", ch, "line");
        assertEquals("line", call("gets", ch));
        ch.close();
    }

    @Test
    void redisAnswersPongWithoutACarriageReturnOverAUnixSocket() throws Exception {
        try (TempDir d = new TempDir()) {
            String sock = d.file("redis.sock");
            Process redis = T.start("redis-server", "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no");
            try {
                T.awaitUnix(sock);
                Channel ch = (Channel) call("connect", kw("unix"), sock, opts("timeout", 5000L));
                call("puts", ch, "PING");
                assertEquals("+PONG", call("gets", ch));
                // a RESP bulk string: its length line, then its data line
                call("write", ch, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
                assertEquals("+OK", call("gets", ch));
                assertEquals("$5", call("gets", ch));
                assertEquals("hello", call("gets", ch));
                ch.close();
            } finally {
                T.kill(redis);
            }
        }
    }

    @Test
    void pythonHttpServerStatusAndHeaderLinesHaveNoCarriageReturn() throws Exception {
        try (TempDir d = new TempDir()) {
            Files.writeString(Path.of(d.file("hello.txt")), "hello body\n");
            int port = T.freePort();
            Process http = T.start("python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", d.path.toString(),
                    String.valueOf(port));
            try {
                T.awaitTcpListener(port);
                Channel ch = (Channel) call("connect", kw("tcp"), "127.0.0.1", (long) port, opts("timeout", 5000L));
                call("write", ch, "GET /hello.txt HTTP/1.0\r\nHost: localhost\r\n\r\n");
                assertTrue(((String) call("gets", ch)).matches("HTTP/1\\.0 200 OK"));
                List<String> headers = new ArrayList<>();
                for (String h = (String) call("gets", ch); !h.isEmpty(); h = (String) call("gets", ch)) headers.add(h);
                assertTrue(headers.contains("Content-Length: 11"), headers.toString());
                headers.forEach(h -> assertTrue(h.indexOf('\r') < 0, h));
                assertEquals("hello body", call("gets", ch));
                assertNull(call("gets", ch));
                ch.close();
            } finally {
                T.kill(http);
            }
        }
    }

    @Test
    void loneCarriageReturnsEndLinesAndTheLastLineNeedsNoEnd() {
        Channel ch = python("import sys; sys.stdout.write('one\\rtwo\\r\\rthree\\r\\nfour'); sys.stdout.flush()");
        List<Object> lines = new ArrayList<>();
        for (Object l = ch.gets(); l != null; l = ch.gets()) lines.add(l);
        assertEquals(List.of("one", "two", "", "three", "four"), lines);
        ch.close();
    }

    @Test
    void carriageReturnSplitFromItsLineFeedAcrossReadsIsOneLineEnd() {
        // "a\r", a pause, then "\nb\n": gets returns "a" at the CR without waiting, and the LF
        // that arrives later is the CR's pair, not an empty line
        Channel ch = python("""
                import sys, time
                sys.stdout.write('a\\r'); sys.stdout.flush()
                time.sleep(1.5)
                sys.stdout.write('\\nb\\n'); sys.stdout.flush()
                """);
        ch.readMore(Long.MAX_VALUE, "test"); // "a\r" is there
        long t0 = System.nanoTime();
        assertEquals("a", ch.gets());
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "gets returned the line at its CR, before the next byte came");
        assertEquals("b", ch.gets());
        assertNull(ch.gets());
        ch.close();
    }

    @Test
    void readTranslatesEveryLineEndAndACarriageReturnSplitFromItsLineFeed() {
        Channel ch = python("""
                import sys, time
                sys.stdout.write('a\\r\\nb\\rc\\r'); sys.stdout.flush()
                time.sleep(0.5)
                sys.stdout.write('\\nd\\n'); sys.stdout.flush()
                """);
        // n counts characters as they came: the CR LF is two of the 7, and the CR that ends
        // them takes the LF that arrives later as its pair
        assertEquals("a\nb\nc\n", ch.read(7));
        assertEquals("d\n", ch.read(-1));
        ch.close();
    }

    @Test
    void lfTranslationAndBinaryChannelsKeepCarriageReturns() {
        Channel lf = python("print('dos', end='\\r\\n')", "translation", kw("lf"));
        assertEquals("dos\r", lf.gets());
        lf.close();
        Channel bin = python("print('dos', end='\\r\\nmac\\r')", "encoding", kw("binary"));
        assertEquals(kw("lf"), call("configure", bin, kw("translation")));
        assertArrayEquals("dos\r".getBytes(StandardCharsets.US_ASCII), (byte[]) bin.gets());
        assertArrayEquals("mac\r".getBytes(StandardCharsets.US_ASCII), (byte[]) bin.gets());
        bin.close();
    }

    @Test
    void jsonLinesEndedByCrLfParse() {
        Channel ch = python("import sys; sys.stdout.write('{\"a\": 1}\\r\\n[2]\\r[3]\\n')", "framing", kw("json-lines"));
        assertEquals(Map.of("a", 1L), ch.gets());
        assertEquals(List.of(2L), ch.gets());
        assertEquals(List.of(3L), ch.gets());
        assertNull(ch.gets());
        ch.close();
    }

    @Test
    void expectStillSeesTheBytesAsTheyCame() {
        Channel ch = python("import sys; sys.stdout.write('login:\\r\\n')");
        Map<?, ?> m = (Map<?, ?>) call("expect", ch, java.util.regex.Pattern.compile("login:(\\r\\n)"));
        assertEquals(List.of("\r\n"), m.get("groups"));
        ch.close();
    }

    // ------------------------------------------------------------------ a blocking read sends pending output first

    @Test
    void binaryMessageWithoutNewlineIsSentBeforeABlockingReadWaits() throws Exception {
        try (TempDir d = new TempDir()) {
            String sock = d.file("echo.sock");
            Process echo = echoServer(sock);
            try {
                Channel ch = (Channel) call("connect", kw("unix"), sock, opts("timeout", 5000L, "encoding", kw("binary")));
                assertEquals(kw("none"), call("configure", ch, kw("buffering")));
                byte[] hello = {'l', 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0};
                call("write", ch, hello);
                assertArrayEquals(hello, (byte[]) call("read", ch, (long) hello.length));
                // buffering chosen by hand is kept; the blocking read still sends it first
                call("configure", ch, opts("buffering", kw("line")));
                call("write", ch, hello);
                assertArrayEquals(hello, (byte[]) call("read", ch, (long) hello.length));
                ch.close();
            } finally {
                T.kill(echo);
            }
        }
    }

    @Test
    void fullyBufferedTextIsSentBeforeGetsReadOrExpectWaits() throws Exception {
        try (TempDir d = new TempDir()) {
            String sock = d.file("echo.sock");
            Process echo = echoServer(sock);
            try {
                Channel ch = (Channel) call("connect", kw("unix"), sock, opts("timeout", 5000L, "buffering", kw("full")));
                call("puts", ch, "question");
                assertEquals("question", call("gets", ch));
                call("write", ch, "four");
                assertEquals("four", call("read", ch, 4L));
                call("write", ch, "prompt> ");
                assertEquals("prompt> ", ((Map<?, ?>) call("expect", ch, "> ")).get("before") + "> ");
                ch.close();
            } finally {
                T.kill(echo);
            }
        }
    }

    @Test
    void expectWritesItsOwnChannelsQueuedOutputWhileItWaits() throws Exception {
        // a non-blocking socket queues what the kernel does not take; expect waiting on that same
        // socket must go on writing the queue, or the answer it waits for never comes
        try (TempDir d = new TempDir()) {
            String sock = d.file("echo.sock");
            Process echo = echoServer(sock);
            try {
                Channel ch = (Channel) call("connect", kw("unix"), sock, opts("blocking", false));
                call("write", ch, "x".repeat(512 << 10) + "END");
                assertTrue(ch.hasQueuedOutput(), "512 KiB is more than a unix socket takes at once");
                Map<?, ?> m = (Map<?, ?>) call("expect", ch, "END", opts("timeout", 20_000L));
                assertEquals(512 << 10, ((String) m.get("before")).length());
                ch.close();
            } finally {
                T.kill(echo);
            }
        }
    }

    // ------------------------------------------------------------------ :eofchar

    @Test
    void eofcharEndsTheStreamWhereItAppearsAndTheRestReadsOnceItIsCleared() {
        Channel ch = python("import sys; sys.stdout.write('line\\nbefore\\x1aafter\\n'); sys.stdout.flush()",
                "eofchar", "\u001a");
        assertEquals("\u001a", call("configure", ch, kw("eofchar")));
        assertEquals("line", ch.gets());
        assertEquals("before", ch.gets());
        assertNull(ch.gets());
        assertTrue(ch.eof());
        assertEquals("", ch.read(-1));
        call("configure", ch, opts("eofchar", null));
        assertEquals("\u001aafter\n", ch.read(-1));
        ch.close();
    }

    @Test
    void eofcharMustBeOneAsciiCharacter() {
        Channel ch = python("pass");
        IpcException e = assertThrows(IpcException.class, () -> call("configure", ch, opts("eofchar", "ab")));
        assertTrue(e.getMessage().contains(":eofchar must be nil or one ASCII character"), e.getMessage());
        assertThrows(IpcException.class, () -> call("configure", ch, opts("eofchar", "é")));
        assertNull(call("configure", ch, kw("eofchar")));
        ch.close();
    }

    // ------------------------------------------------------------------ :encoding-errors

    @Test
    void invalidUtf8BecomesReplacementCharactersByDefault() {
        Channel ch = python("import sys; sys.stdout.buffer.write(b'ok\\n\\xff\\xfe bad\\n'); sys.stdout.flush()");
        assertEquals(kw("replace"), call("configure", ch, kw("encoding-errors")));
        assertEquals("ok", ch.gets());
        assertEquals("\ufffd\ufffd bad", ch.gets());
        ch.close();
    }

    @Test
    void strictEncodingErrorsRaiseWithTheByteOffsetInTheStream() {
        Channel ch = python("import sys; sys.stdout.buffer.write(b'ok\\nfine \\xc3\\xa9\\nbad \\xff here\\nafter\\n'); sys.stdout.flush()",
                "encoding-errors", kw("strict"));
        assertEquals("ok", ch.gets());
        assertEquals("fine \u00e9", ch.gets());
        IpcException e = assertThrows(IpcException.class, ch::gets);
        assertTrue(e.getMessage().contains("invalid UTF-8 at byte 15 of the stream (ff)"), e.getMessage());
        assertEquals(15L, e.data().get("offset"));
        assertEquals("EILSEQ", e.data().get("errno"));
        assertEquals("after", ch.gets());
        ch.close();
        Channel r = python("import sys; sys.stdout.buffer.write(b'abc\\xe2\\x82'); sys.stdout.flush()",
                "encoding-errors", kw("strict"));
        IpcException cut = assertThrows(IpcException.class, () -> r.read(-1));
        assertTrue(cut.getMessage().contains("at byte 3 of the stream (e2 82)"), cut.getMessage());
        r.close();
    }

    @Test
    void strictEncodingErrorsIsAnOpenOptionChecked() {
        IpcException e = assertThrows(IpcException.class,
                () -> call("spawn", List.of("true"), opts("encoding-errors", kw("ignore"))));
        assertTrue(e.getMessage().contains("unknown :encoding-errors ignore (expected replace or strict)"), e.getMessage());
    }
}
