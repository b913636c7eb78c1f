package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** spawn {:pty true}: programs that need a terminal, driven through one. */
@Timeout(60)
class PtyTest {
    private static Channel pty(Map<String, Object> o, String... argv) {
        return (Channel) call("spawn", List.of(argv), o);
    }

    private static Map<?, ?> expect(Channel ch, Object... clauses) {
        Object[] a = new Object[clauses.length + 1];
        a[0] = ch;
        System.arraycopy(clauses, 0, a, 1, clauses.length);
        return (Map<?, ?>) call("expect", a);
    }

    @Test
    void ttyInsideTheChildIsAPtsAndItsControllingTerminal() {
        Channel ch = pty(opts("pty", true), "sh", "-c", "tty; ps -o tty= -p $$");
        String tty = (String) ch.gets();
        assertTrue(tty.matches("/dev/pts/\\d+"), tty);
        assertEquals(tty, call("configure", ch, T.kw("tty")));
        assertEquals(tty.substring("/dev/".length()), ((String) ch.gets()).strip());
        assertEquals(0L, call("wait", ch));
        ch.close();
    }

    @Test
    void python3InteractiveComputesAndExits() {
        Channel py = pty(opts("pty", true), "python3", "-q", "-i");
        expect(py, ">>> ");
        call("send-line", py, "print(6 * 7)");
        Map<?, ?> m = expect(py, java.util.regex.Pattern.compile("(\\d+)\r\n>>> "));
        assertEquals(List.of("42"), m.get("groups"));
        call("send-line", py, "exit()");
        assertEquals(true, expect(py, T.kw("eof")).get("eof"));
        assertEquals(0L, call("wait", py));
        py.close();
    }

    @Test
    void aGetpassPromptIsAnswered() {
        Channel py = pty(opts("pty", true), "python3", "-c",
                "import getpass; p = getpass.getpass('Password: '); print('length', len(p))");
        expect(py, "Password: ");
        call("send-line", py, "hunter2");
        assertEquals(List.of("7"), expect(py, java.util.regex.Pattern.compile("length (\\d+)")).get("groups"));
        assertEquals(0L, call("wait", py));
        py.close();
    }

    @Test
    void resizeIsSeenByStty() {
        Channel sh = pty(opts("pty", true, "rows", 30L, "cols", 100L), "sh");
        call("send-line", sh, "stty size");
        expect(sh, "30 100");
        call("configure", sh, opts("rows", 40L, "cols", 120L));
        assertEquals(40L, call("configure", sh, T.kw("rows")));
        call("send-line", sh, "stty size; exit");
        expect(sh, "40 120");
        assertEquals(0L, call("wait", sh));
        sh.close();
    }

    @Test
    void echoOffHidesWhatIsSent() {
        Channel sh = pty(opts("pty", true, "echo", false), "sh", "-c", "read x; echo got-$x");
        assertEquals(false, call("configure", sh, T.kw("echo")));
        call("send-line", sh, "secret");
        assertEquals("got-secret", sh.gets()); // no echoed "secret" line first
        sh.close();
    }

    @Test
    void badPtyOptionsAreOneLineErrors() {
        assertEquals("spawn: :stdout cannot be set with :pty (the terminal is all three)",
                assertThrows(IpcException.class, () -> pty(opts("pty", true, "stdout", T.kw("null")), "true")).getMessage());
        Channel sh = pty(opts("pty", true), "cat");
        IpcException e = assertThrows(IpcException.class, () -> call("configure", sh, opts("rows", 0L)));
        assertEquals("configure cat: :rows must be a number of 1..9999, not 0", e.getMessage());
        sh.close();
        assertEquals("spawn \"no-such-program-h9\": No such file or directory (ENOENT)",
                assertThrows(IpcException.class, () -> pty(opts("pty", true), "no-such-program-h9")).getMessage());
    }
}
