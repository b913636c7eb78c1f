package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.TimeoutError;
import ipcsh.os.LibC;
import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill, trap, wait-signal and signal against real senders and receivers (bash, sh, python3, sleep). */
@Timeout(60)
class SignalTest {
    private final long me = LibC.get().getpid();

    @AfterEach
    void resetTraps() {
        for (String s : List.of("USR1", "USR2", "HUP", "WINCH")) call("trap", kw(s), kw("default"));
    }

    @Test
    void trapRunsOnTheLoopWithTheSendersPidAndUidWhenBashSendsUsr1() throws Exception {
        List<Object> got = new ArrayList<>();
        call("trap", kw("USR1"), T.fn(a -> got.add(a[0])));
        List<?> traps = (List<?>) call("trap");
        assertEquals(Map.of("signal", kw("USR1"), "number", 10L, "action", kw("fn")), traps.getFirst());
        long bashPid;
        try (Peer bash = Peer.start("bash", "-c", "echo $$; kill -USR1 " + me)) {
            assertEquals(0, bash.waitFor(10));
            bashPid = Long.parseLong(bash.output().strip());
        }
        assertTrue(T.loopUntil(() -> !got.isEmpty(), 10_000));
        assertEquals(Map.of("signal", kw("USR1"), "number", 10L, "pid", bashPid, "uid", myUid()), got.getFirst());
        call("trap", kw("USR1"), kw("default"));
        assertEquals(List.of(), call("trap"));
    }

    @Test
    void trapTellsAPython3SendersPidAndRealUid() {
        List<Map<?, ?>> got = new ArrayList<>();
        call("trap", kw("USR1"), T.fn(a -> got.add((Map<?, ?>) a[0])));
        // real uid nobody, effective uid kept: the kernel reports the sender's real uid
        try (Peer py = Peer.start("python3", "-c", """
                import os, signal
                if os.geteuid() == 0: os.setreuid(65534, 0)
                print(os.getpid(), os.getuid(), flush=True)
                os.kill(%d, signal.SIGUSR1)
                """.formatted(me))) {
            assertEquals(0, py.waitFor(10));
            String[] pidUid = py.output().strip().split(" ");
            assertTrue(T.loopUntil(() -> !got.isEmpty(), 10_000));
            assertEquals(Long.parseLong(pidUid[0]), got.getFirst().get("pid"));
            assertEquals(Long.parseLong(pidUid[1]), got.getFirst().get("uid"));
        }
    }

    @Test
    void aSignalDuringABlockingGetsLeavesTheReadWholeAndTheTrapRunsAfter() {
        List<Object> got = new ArrayList<>();
        call("trap", kw("USR1"), T.fn(a -> got.add(a[0])));
        // the signal comes to this (the interpreter) thread while it waits in poll(2) for the line
        Channel sh = (Channel) call("spawn", "sh", "-c", "sleep 0.3; kill -USR1 " + me + "; sleep 0.3; echo line");
        assertEquals("line", call("gets", sh));
        assertTrue(T.loopUntil(() -> !got.isEmpty(), 10_000));
        assertEquals(kw("USR1"), ((Map<?, ?>) got.getFirst()).get("signal"));
        call("wait", sh);
        sh.close();
    }

    @Test
    void trapAndUntrapLeakNoDescriptor() {
        call("trap", kw("USR1"), T.fn(a -> {}));
        call("trap", kw("USR1"), kw("default"));
        int before = Peer.openFds();
        for (int i = 0; i < 20; i++) {
            call("trap", kw("USR1"), T.fn(a -> {}));
            call("trap", kw("HUP"), kw("ignore"));
            call("trap", kw("USR1"), kw("default"));
            call("trap", kw("HUP"), kw("default"));
        }
        assertEquals(before, Peer.openFds());
    }

    private static long myUid() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everySignalOfAShCountsOnce() {
        int[] n = {0};
        call("trap", kw("SIGWINCH"), T.fn(a -> n[0]++));
        try (Peer sh = Peer.start("sh", "-c", "for i in 1 2 3; do kill -WINCH " + me + "; sleep 0.2; done")) {
            assertEquals(0, sh.waitFor(10));
        }
        assertTrue(T.loopUntil(() -> n[0] == 3, 10_000), "got " + n[0]);
    }

    @Test
    void python3TrappingUsr2ReceivesKill() throws Exception {
        try (TempDir d = new TempDir();
             Peer py = Peer.start("python3", "-c", """
                     import signal, sys, time, os
                     got = []
                     signal.signal(signal.SIGUSR2, lambda s, f: got.append(s))
                     open(sys.argv[1], 'w').write(str(os.getpid()))
                     while not got: time.sleep(0.01)
                     print('USR2 received')
                     """, d.file("pid"))) {
            Path pidFile = d.path.resolve("pid");
            T.awaitTrue(() -> pidFile.toFile().length() > 0, "python3 to write its pid");
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            assertEquals(true, call("kill", pid, kw("USR2")));
            assertEquals(0, py.waitFor(10));
            assertEquals("USR2 received\n", py.output());
        }
    }

    @Test
    void killZeroTellsWhetherAProcessExists() {
        Channel sh = (Channel) call("spawn", "sh", "-c", "exit 0");
        long pid = (Long) call("pid", sh);
        call("wait", sh);
        assertEquals(false, call("kill", pid, 0L));
        assertEquals(true, call("kill", me, 0L));
        assertEquals(true, call("kill", 1L, 0L));
    }

    @Test
    void waitSignalReturnsTheSendersMapWhenTheSignalArrivesAndTimesOutOtherwise() {
        TimeoutError t = assertThrows(TimeoutError.class, () -> call("wait-signal", kw("USR1"), opts("timeout", 200L)));
        assertEquals("wait-signal :USR1: timed out after 200 ms", t.getMessage());
        try (Peer sh = Peer.start("sh", "-c", "echo $$; sleep 0.3; kill -USR1 " + me)) {
            Map<?, ?> m = (Map<?, ?>) call("wait-signal", kw("USR1"), opts("timeout", 10_000L));
            assertEquals(0, sh.waitFor(10));
            assertEquals(Map.of("signal", kw("USR1"), "number", 10L, "pid", Long.parseLong(sh.output().strip()), "uid", myUid()), m);
        }
    }

    @Test
    void ignoredHupDoesNotEndTheProcess() {
        call("trap", kw("HUP"), kw("ignore"));
        assertEquals(kw("ignore"), ((Map<?, ?>) ((List<?>) call("trap")).getFirst()).get("action"));
        call("kill", me, kw("HUP"));
        T.loopUntil(() -> false, 200);
        call("trap", kw("HUP"), kw("default"));
        assertEquals(List.of(), call("trap"));
    }

    @Test
    void signalAliveAndWaitOnASpawnedChild() {
        Channel s = (Channel) call("spawn", "sleep", "30");
        assertEquals(true, call("alive?", s));
        assertEquals(true, call("signal", s, kw("TERM")));
        assertEquals(Map.of("signal", kw("TERM"), "number", 15L), call("wait", s, opts("timeout", 10_000L)));
        assertEquals(false, call("alive?", s));
        IpcException e = assertThrows(IpcException.class, () -> call("signal", s, kw("INT")));
        assertTrue(e.getMessage().matches("signal: process \\d+ \\(sleep 30\\) has already ended \\(was killed by signal 15 \\(SIGTERM\\)\\)"),
                e.getMessage());
        Channel k = (Channel) call("spawn", "sleep", "30");
        assertEquals(true, call("kill", k, 0L));
        call("kill", k, kw("KILL"));
        assertEquals(Map.of("signal", kw("KILL"), "number", 9L), call("wait", k));
        assertEquals(false, call("kill", k, 0L));
        Channel ok = (Channel) call("spawn", "sh", "-c", "exit 4");
        assertEquals(4L, call("wait", ok, 10_000L));
        assertThrows(IpcException.class, s::close);
        assertThrows(IpcException.class, k::close);
        assertThrows(IpcException.class, ok::close);
    }

    @Test
    void badSignalsGiveOneLineErrors() {
        assertEquals("kill: unknown signal :FOO (see (signals))",
                assertThrows(IpcException.class, () -> call("kill", me, kw("FOO"))).getMessage());
        assertEquals("trap: cannot trap SIGSEGV: the JVM uses SIGSEGV for its own faults (null checks, stack banging)",
                assertThrows(IpcException.class, () -> call("trap", kw("SEGV"), T.fn(a -> {}))).getMessage());
        assertEquals("trap: cannot trap SIGQUIT: the shell uses SIGQUIT (Ctrl-\\) to print what keeps it alive, as (pending) lists it",
                assertThrows(IpcException.class, () -> call("trap", kw("QUIT"), kw("ignore"))).getMessage());
        assertEquals("trap: cannot trap SIGUSR2: the JVM uses SIGUSR2 to suspend and resume threads (JFR's sampling)",
                assertThrows(IpcException.class, () -> call("trap", kw("USR2"), T.fn(a -> {}))).getMessage());
        assertEquals("trap: cannot trap SIGPIPE: the JVM handles SIGPIPE itself (a write to a closed pipe or socket fails with EPIPE instead)",
                assertThrows(IpcException.class, () -> call("trap", kw("PIPE"), kw("ignore"))).getMessage());
        assertEquals("trap: cannot trap SIGKILL: the kernel does not let a process catch SIGKILL",
                assertThrows(IpcException.class, () -> call("trap", kw("KILL"), T.fn(a -> {}))).getMessage());
        assertEquals("wait-signal: option :timeout must be 0 or more, not -1",
                assertThrows(IpcException.class, () -> call("wait-signal", kw("USR1"), opts("timeout", -1L))).getMessage());
        assertEquals("kill: no signal number 99 (1-31, 34-64, or 0 to test)",
                assertThrows(IpcException.class, () -> call("kill", me, 99L)).getMessage());
        Channel sh = (Channel) call("spawn", "sh", "-c", "exit 0");
        long pid = (Long) call("pid", sh);
        call("wait", sh);
        sh.close();
        assertEquals("kill \"pid " + pid + " SIGUSR1\": No such process (ESRCH)",
                assertThrows(IpcException.class, () -> call("kill", pid, kw("USR1"))).getMessage());
    }

    @Test
    void signalsListsNamesNumbersAndWhatIsReserved() {
        List<?> all = (List<?>) call("signals");
        Map<?, ?> term = (Map<?, ?>) all.get(14);
        assertEquals(kw("TERM"), term.get("signal"));
        assertEquals(15L, term.get("number"));
        assertNull(term.get("reserved"));
        assertTrue(((String) ((Map<?, ?>) all.get(10)).get("reserved")).contains("JVM"));
        assertFalse(all.isEmpty());
    }
}
