package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.TimeoutError;
import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** expect and send-line on every channel kind, against real peers. */
@Timeout(60)
class ExpectTest {
    private static Object expect(Object... args) {
        return call("expect", args);
    }

    @Test
    void shOverPipesAndWhatFollowsTheMatchStaysForGets() {
        Channel sh = (Channel) call("spawn", "sh");
        call("send-line", sh, "echo one; echo two; echo three");
        Map<?, ?> m = (Map<?, ?>) expect(sh, Pattern.compile("t(w)o\\n"));
        assertEquals(Map.of("match", "two\n", "groups", List.of("w"), "before", "one\n"), m);
        assertEquals("three", sh.gets());
        call("close", sh, kw("write"));
        assertEquals(Map.of("eof", true, "before", ""), expect(sh, "never", kw("eof")));
        sh.close();
    }

    @Test
    void clausesAreTriedInOrderAndAClauseFunctionGivesTheResult() {
        Channel sh = (Channel) call("spawn", "sh", "-c", "echo 'login: '; sleep 5");
        Object r = expect(sh, "password:", T.fn(a -> {}), "login:", (ipcsh.Callback) a -> "at login " + ((Map<?, ?>) a[0]).get("match"));
        assertEquals("at login login:", r);
        call("signal", sh, kw("TERM"));
        call("wait", sh);
    }

    @Test
    void socatUnixServerBannerIsExpected() throws Exception {
        try (TempDir d = new TempDir()) {
            String path = d.file("banner.sock");
            Process socat = T.start("socat", "UNIX-LISTEN:" + path, "SYSTEM:'echo \"220 ready for h9\"; cat'");
            try {
                T.awaitUnix(path);
                Channel c = (Channel) call("connect", kw("unix"), path);
                Map<?, ?> m = (Map<?, ?>) expect(c, Pattern.compile("^(\\d{3}) (.*)\\n"));
                assertEquals(List.of("220", "ready for h9"), m.get("groups"));
                call("send-line", c, "HELO");
                assertEquals("HELO\n", ((Map<?, ?>) expect(c, "HELO\n")).get("match"));
                c.close();
            } finally {
                T.kill(socat);
            }
        }
    }

    @Test
    void fifoFedByASlowWriterTimesOutFirstThenMatches() {
        try (TempDir d = new TempDir()) {
            String path = d.file("slow.fifo");
            call("mkfifo", path);
            try (Peer writer = Peer.start("sh", "-c", "exec 3>" + path + "; echo starting >&3; sleep 1; echo READY >&3; sleep 1")) {
                Channel r = (Channel) call("fifo", path, kw("read"), opts("timeout", 10_000L));
                Map<?, ?> t = (Map<?, ?>) expect(r, opts("timeout", 200L), "READY", kw("timeout"));
                assertEquals(Map.of("timeout", true, "before", "starting\n"), t);
                TimeoutError e = assertThrows(TimeoutError.class, () -> expect(r, "READY", opts("timeout", 100L)));
                assertTrue(e.getMessage().startsWith("expect fifo"), e.getMessage());
                assertTrue(e.getMessage().endsWith("(unmatched: \"starting\\n\"): timed out after 100 ms"), e.getMessage());
                Map<?, ?> m = (Map<?, ?>) expect(r, "READY", opts("timeout", 10_000L));
                assertEquals("starting\n", m.get("before"));
                r.close();
            }
        }
    }

    @Test
    void endOfStreamWithoutAnEofClauseIsAnErrorQuotingWhatCame() {
        Channel sh = (Channel) call("spawn", "sh", "-c", "printf 'partial'");
        IpcException e = assertThrows(IpcException.class, () -> expect(sh, "complete"));
        assertTrue(e.getMessage().matches("expect process\\d+ \\(sh -c printf 'partial'\\): end of stream before any pattern matched \\(unmatched: \"partial\"\\)"),
                e.getMessage());
        sh.close();
    }

    @Test
    void expectOnAClosedChannelAndBadClausesAreOneLineErrors() {
        Channel sh = (Channel) call("spawn", "true");
        sh.close();
        assertTrue(assertThrows(IpcException.class, () -> expect(sh, "x")).getMessage()
                .matches("expect process\\d+ \\(true\\): channel is closed"));
        Channel cat = (Channel) call("spawn", "cat");
        assertTrue(assertThrows(IpcException.class, () -> expect(cat, 42L)).getMessage()
                .startsWith("expect: argument 2 must be a pattern (a string, a regex, :eof or :timeout), not the number 42"));
        assertEquals("expect: option :timeout must be 0 or more, not -5",
                assertThrows(IpcException.class, () -> expect(cat, "x", opts("timeout", -5L))).getMessage());
        cat.close();
    }

    @Test
    void aLargeOutputIsSearchedAndNothingAfterTheMatchIsLost() {
        Channel seq = (Channel) call("spawn", "seq", "1", "200000");
        Map<?, ?> m = (Map<?, ?>) expect(seq, Pattern.compile("(?m)^150000$"));
        assertTrue(((String) m.get("before")).endsWith("149999\n"));
        assertEquals("", seq.gets()); // the newline after the match
        assertEquals("150001", seq.gets());
        int n = 0;
        while (seq.gets() != null) n++;
        assertEquals(49_999, n);
        seq.close();
    }

    @Test
    void datagramLeftoversComeBeforeTheNextMessage() throws Exception {
        try (TempDir d = new TempDir()) {
            String path = d.file("dg.sock");
            Channel dg = (Channel) call("unix-dgram", path);
            try (Peer p = Peer.start("python3", "-c",
                    "import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'hello world', sys.argv[1])", path)) {
                assertEquals("hello", ((Map<?, ?>) expect(dg, "hello")).get("match"));
                assertEquals(" world", dg.gets());
            }
            dg.close();
        }
    }
}
