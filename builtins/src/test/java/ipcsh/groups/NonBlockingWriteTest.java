package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tcl's rule: a non-blocking channel never blocks on output; what the OS does not take now is
 * queued and written by the event loop, and nothing queued is lost when the reader is slow.
 * The readers are python3 programs that start reading late.
 */
@Timeout(60)
class NonBlockingWriteTest {
    private static final String LINE = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJK"; // 47 + newline = 48 bytes
    /** Sleeps, then counts the lines on stdin (or the FIFO / socket given) and checks each one. */
    private static final String SLOW_READER = """
            import sys,time,socket,os
            src=sys.argv[1] if len(sys.argv)>1 else '-'
            if src.startswith('unix:'):
                s=socket.socket(socket.AF_UNIX); s.bind(src[5:]); s.listen(1); c,_=s.accept(); f=c.makefile('rb')
            elif src=='-': f=sys.stdin.buffer
            else: f=open(src,'rb')
            time.sleep(0.7)
            n=bad=0
            for l in f:
                n+=1
                if l!=b'%s\\n': bad+=1
            print(n,bad,flush=True)
            """.formatted(LINE);
    private final TempDir dir = new TempDir();

    @AfterEach
    void cleanUp() {
        dir.close();
    }

    /** Writes n lines without blocking: the pipe (64 KiB) is far smaller than what is written. */
    private static void writeLines(Channel w, int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) call("puts", w, LINE);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 5000, "non-blocking puts took " + ms + " ms: they waited for the reader");
    }

    @Test
    void pipeToSlowPythonReaderQueuesAndLosesNothing() {
        @SuppressWarnings("unchecked")
        List<Channel> p = (List<Channel>) call("pipe");
        Channel r = p.get(0), w = p.get(1);
        Channel py = (Channel) call("spawn", List.of("python3", "-c", SLOW_READER), opts("stdin", r));
        r.close();
        call("configure", w, opts("blocking", false));
        writeLines(w, 20_000);
        assertTrue(w.hasQueuedOutput(), "more than a pipe holds was written: some must wait in the queue");
        assertTrue((Long) w.configure("queued") > 0);
        T.loopUntil(() -> !w.hasQueuedOutput(), 30_000);
        w.close();
        py.configure(opts("timeout", 10_000L));
        assertEquals("20000 0", py.gets());
        py.close();
    }

    @Test
    void fifoClosedWithOutputQueuedIsWrittenInTheBackgroundThenClosed() throws Exception {
        String fifo = dir.file("slow.fifo");
        T.start("mkfifo", fifo).waitFor();
        try (Peer reader = Peer.start("python3", "-c", SLOW_READER, fifo)) {
            Channel w = (Channel) call("fifo", fifo, kw("write"), opts("create", false, "blocking", false));
            writeLines(w, 30_000);
            call("close", w);
            assertTrue(w.isClosed(), "close returns at once");
            assertFalse(call("channels").toString().contains(w.id()), "a closed channel is not listed");
            T.loopUntil(() -> {
                try {
                    return reader.waitFor(0) >= 0;
                } catch (AssertionError stillRunning) {
                    return false;
                }
            }, 30_000);
            assertEquals("30000 0\n", reader.output());
        }
    }

    @Test
    void unixSocketToSlowPythonReaderFromTheEventLoop() throws Exception {
        String path = dir.file("slow.sock");
        try (Peer reader = Peer.start("python3", "-c", SLOW_READER, "unix:" + path)) {
            T.awaitUnix(path);
            Channel c = (Channel) call("connect", kw("unix"), path, opts("blocking", false, "buffering", kw("full")));
            writeLines(c, 50_000);
            call("flush", c); // starts the background write, does not wait for it
            assertTrue(c.hasQueuedOutput());
            T.loopUntil(() -> !c.hasQueuedOutput(), 30_000);
            call("close", c);
            assertEquals(0, reader.waitFor(10));
            assertEquals("50000 0\n", reader.output());
        }
    }

    @Test
    void writeThatWouldPassMaxQueueIsRefusedWholeAndTheRestArrives() {
        @SuppressWarnings("unchecked")
        List<Channel> p = (List<Channel>) call("pipe");
        Channel r = p.get(0), w = p.get(1);
        Channel py = (Channel) call("spawn", List.of("python3", "-c", SLOW_READER), opts("stdin", r));
        r.close();
        call("configure", w, opts("blocking", false, "max-queue", 100_000L));
        int accepted = 0;
        IpcException refused = null;
        for (int i = 0; i < 10_000 && refused == null; i++) {
            try {
                call("puts", w, LINE);
                accepted++;
            } catch (IpcException e) {
                refused = e;
            }
        }
        assertTrue(refused != null, "the queue limit was never reached");
        assertTrue(refused.getMessage().startsWith("puts " + w.id() + " (write end): output queue full"), refused.getMessage());
        assertTrue(refused.getMessage().contains(":max-queue (100000 bytes)"), refused.getMessage());
        assertTrue(w.queuedBytes() <= 100_000, "queued " + w.queuedBytes());
        T.loopUntil(() -> !w.hasQueuedOutput(), 30_000);
        w.close();
        py.configure(opts("timeout", 10_000L));
        assertEquals(accepted + " 0", py.gets(), "every accepted line whole, none of the refused one");
        py.close();
    }

    @Test
    void readerGoneWhileOutputIsQueuedIsReportedWithTheLostBytes() {
        @SuppressWarnings("unchecked")
        List<Channel> p = (List<Channel>) call("pipe");
        Channel r = p.get(0), w = p.get(1);
        call("configure", w, opts("blocking", false));
        writeLines(w, 5_000);
        assertTrue(w.hasQueuedOutput());
        r.close();
        List<Throwable> reported = new java.util.ArrayList<>();
        ipcsh.loop.EventLoop.main().onError(reported::add);
        try {
            T.loopUntil(() -> !reported.isEmpty(), 10_000);
        } finally {
            ipcsh.loop.EventLoop.main().onError(Throwable::printStackTrace);
        }
        String m = reported.get(0).getMessage();
        assertTrue(m.startsWith("write " + w.id() + " \"write end\": Broken pipe (EPIPE)"), m);
        assertTrue(m.contains("queued bytes were not written"), m);
        assertFalse(w.hasQueuedOutput());
        w.close();
    }

    @Test
    void aBlockingReadWritesQueuedOutputMeanwhileSoTheReaderItWaitsForGetsIt() {
        @SuppressWarnings("unchecked")
        List<Channel> p = (List<Channel>) call("pipe");
        Channel r = p.get(0), w = p.get(1);
        Channel py = (Channel) call("spawn", List.of("python3", "-c", SLOW_READER), opts("stdin", r, "timeout", 20_000L));
        r.close();
        call("configure", w, opts("blocking", false));
        writeLines(w, 20_000);
        call("close", w); // returns at once; the descriptor closes once the queue is written
        assertEquals("20000 0", call("gets", py), "the reader got every line and then end of stream, with no event loop running");
        py.close();
    }

    @Test
    void copyToAChannelWithQueuedOutputKeepsTheOrder() {
        @SuppressWarnings("unchecked")
        List<Channel> p = (List<Channel>) call("pipe");
        @SuppressWarnings("unchecked")
        List<Channel> src = (List<Channel>) call("pipe");
        Channel w = p.get(1);
        Channel py = (Channel) call("spawn", List.of("python3", "-c",
                "import sys,time\ntime.sleep(0.5)\nd=sys.stdin.read()\nprint(len(d), d.endswith('COPIED\\n'), flush=True)"),
                opts("stdin", p.get(0), "timeout", 20_000L));
        p.get(0).close();
        call("configure", w, opts("blocking", false));
        writeLines(w, 3_000);
        assertTrue(w.hasQueuedOutput());
        call("puts", src.get(1), "COPIED");
        call("close", src.get(1));
        call("copy", src.get(0), w);
        call("close", w);
        assertEquals((3_000 * 48 + 7) + " True", call("gets", py));
        py.close();
        src.get(0).close();
    }

    @Test
    void halfCloseOfANonBlockingProcessChannelShutsItsInputOnceTheQueueIsWritten() {
        Channel py = (Channel) call("spawn", List.of("python3", "-c", SLOW_READER), opts("blocking", false));
        writeLines(py, 20_000);
        assertTrue(py.hasQueuedOutput());
        long start = System.nanoTime();
        call("close", py, kw("write"));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 500, "close :write waited for the slow reader");
        assertThrows(IpcException.class, () -> call("puts", py, "after close"));
        call("configure", py, opts("blocking", true, "timeout", 20_000L));
        assertEquals("20000 0", call("gets", py));
        call("close", py);
    }
}
