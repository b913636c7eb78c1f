package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.shm.Segment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static ipcsh.groups.T.call;
import static ipcsh.groups.T.kw;
import static ipcsh.groups.T.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Descriptor passing (SCM_RIGHTS) on unix stream and datagram sockets, both ways, against
 * /usr/bin/python3's socket.send_fds and recv_fds: pipe ends read through, memfd contents,
 * several in one message, descriptors nobody asked for closed, no leak over thousands of rounds.
 */
@Timeout(120)
class FdPassingTest {
    private static final String PY = "/usr/bin/python3";
    private final List<Channel> open = new ArrayList<>();
    private final List<Segment> segments = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        open.forEach(Channel::close);
        segments.forEach(Segment::close);
    }

    /** A socketpair of the type, the other end given to a python3 child as its socket s (descriptor 3); returns {ours, child}. */
    @SuppressWarnings("unchecked")
    private Channel[] peer(String type, String code) {
        List<Channel> ends = (List<Channel>) call("socketpair", opts("type", kw(type), "timeout", 30_000L));
        open.addAll(ends);
        Channel child = (Channel) call("spawn", List.of(PY, "-c", "import os, socket\ns = socket.socket(fileno=3)\n" + code),
                opts("fds", Map.of("3", ends.get(1)), "timeout", 30_000L));
        open.add(child);
        return new Channel[] {ends.get(0), child};
    }

    @SuppressWarnings("unchecked")
    private List<Channel> fdsOf(Object received) {
        List<Channel> fds = (List<Channel>) ((Map<String, Object>) received).get("fds");
        open.addAll(fds);
        return fds;
    }

    private static Object data(Object received) {
        return ((Map<?, ?>) received).get("data");
    }

    /** Pipes and memfds this process holds: what passing could leak (the JVM opens neither on its own). */
    private static int heldPipesAndMemfds() {
        String[] l = new File("/proc/self/fd").list();
        int n = 0;
        for (String fd : l == null ? new String[0] : l) {
            try {
                String t = Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString();
                if (t.startsWith("pipe:") || t.startsWith("/memfd:")) n++;
            } catch (IOException e) {
                // closed meanwhile
            }
        }
        return n;
    }

    private static final String SEND_PIPE_AND_MEMFD = """
            r, w = os.pipe()
            os.write(w, b"through the pipe\\n"); os.close(w)
            m = os.memfd_create("shared")
            os.pwrite(m, b"memfd contents", 0)
            socket.send_fds(s, [b"two of them"], [r, m])
            os.close(r); os.close(m)
            print("sent", flush=True)
            """;

    private void readsAPipeEndAndAMemfdFromPython(String type) {
        Channel[] p = peer(type, SEND_PIPE_AND_MEMFD);
        Object got = call("recv", p[0], opts("fds", true));
        assertEquals("two of them", data(got));
        List<Channel> fds = fdsOf(got);
        assertEquals(2, fds.size(), got.toString());
        assertEquals("pipe", fds.get(0).kind());
        assertEquals("through the pipe", call("gets", fds.get(0)));
        assertNull(call("gets", fds.get(0)), "python closed its write end: end of stream");
        assertEquals("memfd", fds.get(1).kind());
        assertEquals("shared", fds.get(1).name());
        assertEquals("memfd contents", call("read", fds.get(1)));
        assertEquals("sent", call("gets", p[1]));
        call("close", p[1]);
    }

    @Test
    void aStreamSocketReceivesAPipeEndAndAMemfdFromPython() {
        readsAPipeEndAndAMemfdFromPython("stream");
    }

    @Test
    void aDatagramSocketReceivesAPipeEndAndAMemfdFromPython() {
        readsAPipeEndAndAMemfdFromPython("dgram");
    }

    private static final String RECEIVE_AND_REPORT = """
            import mmap
            msg, fds, flags, addr = socket.recv_fds(s, 100, 10)
            print(msg.decode(), len(fds), flush=True)
            print(os.read(fds[0], 100).decode().strip(), flush=True)
            print(os.pread(fds[1], 5, 0).decode(), mmap.mmap(fds[1], 4096)[:5].decode(), flush=True)
            st = os.fstat(fds[2])
            print("eventfd" if os.readlink("/proc/self/fd/%d" % fds[2]) == "anon_inode:[eventfd]" else "?", flush=True)
            os.eventfd_write(fds[2], 41)
            """;

    private void sendsSeveralToPython(String type) {
        Channel[] p = peer(type, RECEIVE_AND_REPORT);
        @SuppressWarnings("unchecked")
        List<Channel> pipe = (List<Channel>) call("pipe");
        open.addAll(pipe);
        Segment m = (Segment) call("memfd", "given", opts("size", 4096L, "data", "hello"));
        segments.add(m);
        Channel e = (Channel) call("eventfd");
        open.add(e);
        call("puts", pipe.get(1), "written by ipcsh");
        call("send", p[0], "three", opts("fds", List.of(pipe.get(0), m, e)));
        assertEquals("three 3", call("gets", p[1]));
        assertEquals("written by ipcsh", call("gets", p[1]));
        assertEquals("hello hello", call("gets", p[1]), "read and mapped by python");
        assertEquals("eventfd", call("gets", p[1]));
        assertNull(call("gets", p[1]));
        assertEquals(41L, call("read", e), "python added to our eventfd through its copy");
        assertTrue(!pipe.get(0).isClosed(), "the sender keeps its own channel");
        call("close", p[1]);
    }

    @Test
    void aStreamSocketSendsAPipeEndAMemfdAndAnEventfdToPython() {
        sendsSeveralToPython("stream");
    }

    @Test
    void aDatagramSocketSendsAPipeEndAMemfdAndAnEventfdToPython() {
        sendsSeveralToPython("dgram");
    }

    @Test
    void onAStreamTheDescriptorsComeWithTheBytesSentWithThemAfterALineReadBefore() {
        Channel[] p = peer("stream", """
                s.sendall(b"a line first\\n")
                r, w = os.pipe()
                os.write(w, b"via the fd\\n")
                socket.send_fds(s, [b"with fds"], [r])
                s.sendall(b"after\\n")
                print("sent", flush=True)
                """);
        assertEquals("sent", call("gets", p[1]));
        assertEquals("a line first", call("gets", p[0]), "gets reads on: what it read past the line is kept");
        Object got = call("recv", p[0], opts("fds", true));
        assertEquals("with fds", data(got), "up to the last byte read with the descriptors, not past it");
        List<Channel> fds = fdsOf(got);
        assertEquals(1, fds.size());
        assertEquals("via the fd", call("gets", fds.get(0)));
        Object rest = call("recv", p[0], opts("fds", true));
        assertEquals("after\n", data(rest));
        assertEquals(List.of(), ((Map<?, ?>) rest).get("fds"));
        call("close", p[1]);
    }

    private void closesWhatNobodyAskedFor(String type) {
        Channel[] p = peer(type, """
                for i in range(20):
                    r, w = os.pipe()
                    m = os.memfd_create("unasked")
                    socket.send_fds(s, [b"line %d\\n" % i], [r, w, m])
                    os.close(r); os.close(w); os.close(m)
                print("sent", flush=True)
                os.read(0, 1)
                """);
        assertEquals("sent", call("gets", p[1]));
        int before = heldPipesAndMemfds(); // what was sent is in flight, in no process's table
        for (int i = 0; i < 20; i++) assertEquals("line " + i + (type.equals("stream") ? "" : "\n"), call("gets", p[0]));
        assertEquals(before, heldPipesAndMemfds(), "gets did not ask for descriptors: every one that came is closed");
        call("close", p[1]);
    }

    @Test
    void descriptorsThatArriveUnaskedOnAStreamAreClosed() {
        closesWhatNobodyAskedFor("stream");
    }

    @Test
    void descriptorsThatArriveUnaskedOnADatagramSocketAreClosed() {
        closesWhatNobodyAskedFor("dgram");
        Channel[] p = peer("dgram", """
                r, w = os.pipe()
                socket.send_fds(s, [b"plain recv"], [r, w])
                print("sent", flush=True)
                """);
        assertEquals("sent", call("gets", p[1]));
        int before = heldPipesAndMemfds();
        assertEquals("plain recv", data(call("recv", p[0])));
        assertEquals(before, heldPipesAndMemfds(), "recv without :fds keeps none");
        call("close", p[1]);
    }

    @Test
    void closingAChannelClosesDescriptorsStillWaitingForARecv() {
        Channel[] p = peer("stream", """
                r, w = os.pipe()
                socket.send_fds(s, [b"x"], [r, w])
                os.close(r); os.close(w)
                print("sent", flush=True)
                os.read(0, 1)
                """);
        int before = heldPipesAndMemfds();
        assertEquals("sent", call("gets", p[1]));
        p[0].configure(opts("blocking", false));
        assertNull(call("gets", p[0]), "no line yet: the byte and its descriptors wait in the channel");
        assertEquals(before + 2, heldPipesAndMemfds());
        call("close", p[0]);
        assertEquals(before, heldPipesAndMemfds());
        call("close", p[1]);
    }

    @Test
    void thousandsOfRoundsBothWaysLeakNothing() {
        int rounds = 3000;
        Channel[] p = peer("stream", """
                while True:
                    msg, fds, flags, addr = socket.recv_fds(s, 100, 10)
                    if not msg:
                        break
                    socket.send_fds(s, [msg], fds)
                    for fd in fds: os.close(fd)
                """);
        int before = heldPipesAndMemfds();
        @SuppressWarnings("unchecked")
        List<Channel> pipe = (List<Channel>) call("pipe");
        open.addAll(pipe);
        for (int i = 0; i < rounds; i++) {
            call("send", p[0], "r" + i, opts("fds", List.of(pipe.get(0))));
            Object back = call("recv", p[0], opts("fds", true));
            assertEquals("r" + i, data(back));
            List<Channel> fds = fdsOf(back);
            assertEquals(1, fds.size());
            if (i % 500 == 0) {
                call("puts", pipe.get(1), "round " + i);
                assertEquals("round " + i, call("gets", fds.get(0)), "the same pipe came back");
            }
            fds.get(0).close();
            open.remove(fds.get(0));
        }
        call("close", p[0], kw("write"));
        assertNull(call("gets", p[1]));
        assertEquals(before + 2, heldPipesAndMemfds(), "only our own pipe's two ends");
        call("close", p[1]);
    }

    /**
     * MSG_CTRUNC for real: with the open-file limit lowered so that one descriptor fits, the
     * kernel installs one of the three and cuts the rest; that one is closed and the recv fails.
     * The limit is set through FFM (no process to spawn while descriptors are short) and put back at once.
     */
    @Test
    void descriptorsCutOnTheWayAreReportedAndThoseThatArrivedClosed() throws Throwable {
        Channel[] p = peer("stream", """
                fds = [os.pipe()[0] for i in range(3)]
                socket.send_fds(s, [b"x"], fds)
                print("sent", flush=True)
                os.read(0, 1)
                """);
        assertEquals("sent", call("gets", p[1]));
        int before = heldPipesAndMemfds();
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor rl = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS);
        MethodHandle getrlimit = linker.downcallHandle(linker.defaultLookup().find("getrlimit").orElseThrow(), rl);
        MethodHandle setrlimit = linker.downcallHandle(linker.defaultLookup().find("setrlimit").orElseThrow(), rl);
        RuntimeException failure = null;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(16, 8), low = arena.allocate(16, 8);
            assertEquals(0, (int) getrlimit.invokeExact(7 /* RLIMIT_NOFILE */, old));
            low.set(ValueLayout.JAVA_LONG, 0, firstFreeFd() + 1L); // room for one more (two: see below)
            low.set(ValueLayout.JAVA_LONG, 8, old.get(ValueLayout.JAVA_LONG, 8));
            assertEquals(0, (int) setrlimit.invokeExact(7, low));
            try {
                call("recv", p[0], opts("fds", true));
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                assertEquals(0, (int) setrlimit.invokeExact(7, old));
            }
        }
        assertTrue(failure instanceof IpcException, String.valueOf(failure));
        // one or two fit: listing /proc/self/fd took a descriptor of its own, free again now
        assertTrue(failure.getMessage().matches("\\Q" + "recv " + p[0].describe() + ": descriptors sent with this message were cut"
                + " on the way (MSG_CTRUNC: this process may be out of descriptors, see ulimit -n); the \\E[12]\\Q that arrived"
                + " were closed\\E"), failure.getMessage());
        assertEquals(before, heldPipesAndMemfds());
    }

    private static int firstFreeFd() {
        java.util.Set<Integer> used = new java.util.HashSet<>();
        for (String n : new File("/proc/self/fd").list()) used.add(Integer.parseInt(n));
        int fd = 0;
        while (used.contains(fd)) fd++;
        return fd;
    }

    @Test
    void whatCannotBeSentIsAOneLineErrorBeforeAnythingIsSent() {
        @SuppressWarnings("unchecked")
        List<Channel> ends = (List<Channel>) call("socketpair", opts("type", kw("dgram")));
        open.addAll(ends);
        Channel a = ends.get(0), b = ends.get(1);
        b.configure(opts("blocking", false));
        @SuppressWarnings("unchecked")
        List<Channel> pipe = (List<Channel>) call("pipe");
        open.addAll(pipe);
        Channel closed = pipe.get(1);
        closed.close();
        IpcException x = assertThrows(IpcException.class, () -> call("send", a, "m", opts("fds", List.of(pipe.get(0), closed))));
        assertEquals("send " + a.describe() + ": :fds item 2 " + closed.describe() + " is closed", x.getMessage());
        x = assertThrows(IpcException.class, () -> call("send", a, "m", opts("fds", List.of("text"))));
        assertEquals("send " + a.describe() + ": :fds item 1 must be a channel or a memfd segment, not the string \"text\"", x.getMessage());
        x = assertThrows(IpcException.class, () -> call("send", a, "m", opts("fds", pipe.get(0))));
        assertTrue(x.getMessage().startsWith("send " + a.describe() + ": :fds must be a vector of channels or memfd segments, not "), x.getMessage());
        x = assertThrows(IpcException.class, () -> call("send", a, "m", opts("fds", Collections.nCopies(254, pipe.get(0)))));
        assertEquals("send " + a.describe() + ": 254 descriptors in one message; the kernel takes at most 253 (SCM_MAX_FD)", x.getMessage());
        x = assertThrows(IpcException.class, () -> call("send", pipe.get(0), "m", opts("fds", List.of(pipe.get(0)))));
        assertTrue(x.getMessage().contains(":fds is for unix sockets"), x.getMessage());
        x = assertThrows(IpcException.class, () -> call("recv", pipe.get(0), opts("fds", true)));
        assertTrue(x.getMessage().contains(":fds is for unix sockets"), x.getMessage());
        assertNull(call("recv", b, opts("nonblock", true)), "nothing was sent");
        call("send", a, "m", opts("fds", Collections.nCopies(253, pipe.get(0))));
        Object got = call("recv", b, opts("fds", true));
        assertEquals(253, fdsOf(got).size(), "SCM_MAX_FD descriptors in one message");
    }

    @Test
    void aBoundDatagramSocketTellsTheSenderAndRepliesWithDescriptorsTo() throws Exception {
        String mine = "@ipcsh-fdpass-" + ProcessHandle.current().pid() + "-a", its = mine.replace("-a", "-b");
        Channel d = (Channel) call("unix-dgram", mine, opts("timeout", 30_000L));
        open.add(d);
        Channel child = (Channel) call("spawn", List.of(PY, "-c", """
                import array, os, socket
                d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                d.bind("\\0%s")
                a, b = socket.socketpair()
                # send_fds drops its address argument in python 3.11: sendmsg is what it calls
                d.sendmsg([b"a socket for you"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [b.fileno()]))], 0, "\\0%s")
                b.close()
                print(a.recv(100).decode().strip(), flush=True)
                msg, fds, flags, addr = socket.recv_fds(d, 100, 4)
                print(msg.decode(), os.read(fds[0], 100).decode().strip(), flush=True)
                """.formatted(its.substring(1), mine.substring(1))), opts("timeout", 30_000L));
        open.add(child);
        Object got = call("recv", d, opts("fds", true));
        assertEquals("a socket for you", data(got));
        assertEquals(its, ((Map<?, ?>) got).get("from"));
        Channel sock = fdsOf(got).get(0);
        assertEquals("unix", sock.kind(), "a stream socket received is a unix stream channel");
        call("puts", sock, "over the received socket");
        assertEquals("over the received socket", call("gets", child));
        @SuppressWarnings("unchecked")
        List<Channel> pipe = (List<Channel>) call("pipe");
        open.addAll(pipe);
        call("puts", pipe.get(1), "the pipe");
        call("send", d, "reply", opts("to", its, "fds", List.of(pipe.get(0))));
        assertEquals("reply the pipe", call("gets", child));
        call("close", child);
    }

    @Test
    void aStreamSendNeedsAByteForTheDescriptors() {
        @SuppressWarnings("unchecked")
        List<Channel> ends = (List<Channel>) call("socketpair");
        open.addAll(ends);
        IpcException x = assertThrows(IpcException.class, () -> call("send", ends.get(0), "", opts("fds", List.of(ends.get(1)))));
        assertTrue(x.getMessage().contains("send at least one byte with them"), x.getMessage());
    }
}
