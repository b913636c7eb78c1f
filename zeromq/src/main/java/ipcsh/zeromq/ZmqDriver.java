package ipcsh.zeromq;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Driver;
import ipcsh.os.LibC;
import zmq.Msg;
import zmq.SocketBase;
import zmq.ZMQ;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ZeroMQ socket as a message driver: one read is one message (its frames joined, and kept
 * for {@link #lastFrames} when there are several), one write sends one.
 *
 * <p><b>The descriptors.</b> JeroMQ's pollable descriptor (its mailbox's signalling pipe) is
 * readable when commands wait for the socket, not when a message does: reading a message, or
 * sending one, can consume the signal of a message that is still queued, and a reactor that
 * waits on the pipe alone then never wakes for it. So the reactor is given two epoll
 * descriptors of this driver's own, one per direction, each watching that pipe and an eventfd
 * the driver keeps equal to what ZMQ_EVENTS said last (a message waiting; room to send). After
 * every receive, every send and every question from the loop ({@link #holdsInput},
 * {@link #writeReady}) the driver asks EVENTS (which runs the socket's pending commands, emptying
 * the pipe) and sets the eventfds: a message still queued keeps the read descriptor readable,
 * and a new one signals through the pipe. Both descriptors signal readable (POLLIN) for news in
 * their direction ({@link #signalsChange}).
 *
 * <p><b>The thread.</b> JeroMQ sockets are not thread-safe. This socket is used only by the
 * thread that calls the channel, which is the interpreter thread (every verb and every callback
 * runs there, DESIGN.md); the reactor thread only waits on the epoll descriptors and never
 * touches the socket. The proxy and a ZAP handler have sockets of their own.
 */
final class ZmqDriver implements Driver {
    private final SocketBase sock;
    private final String type;
    private final int pipeFd;
    private final int inEp, outEp, inFlag, outFlag;
    private boolean inSet, outSet, closed;
    /** What the type allows: a :pub never receives, a :sub never sends. */
    private final boolean canRecv, canSend;
    /**
     * A message taken ahead and not yet read: its one frame (heldOne), or its frames when it
     * has several (held); the other is null.
     */
    private List<byte[]> held;
    private byte[] heldOne;
    private int heldSize;
    private List<byte[]> lastFrames;
    /** Looks in a row that found no message ({@link #cameEmpty}), or no room to send ({@link #cameFull}). */
    private int emptyLooks, fullLooks;
    boolean multipartAlways;
    final List<String> endpoints = new ArrayList<>();
    final ZmqSockets.Cleanup cleanup;
    /** Options ZeroMQ takes but does not give back, as last set. */
    final Map<String, Object> kept = new java.util.HashMap<>();
    final List<String> subscriptions = new ArrayList<>();
    /** The :linger read just before the socket closed (the ipc relay lets that long pass). */
    int lingerAtClose;
    /** The ipc:// endpoint bound last (JeroMQ knows only the relay's TCP port), or null. */
    String lastEndpoint;
    /** The channel's id, once the channel is made (for messages). */
    String id;
    private final String name;

    ZmqDriver(SocketBase sock, String type, String name, ZmqSockets.Cleanup cleanup) {
        this.sock = sock;
        this.type = type;
        this.name = name;
        this.cleanup = cleanup;
        this.canRecv = !type.equals("pub") && !type.equals("push");
        this.canSend = !type.equals("sub") && !type.equals("pull");
        LibC c = LibC.get();
        this.pipeFd = ZmqSockets.fdOf(sock.getFD());
        this.inFlag = c.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        this.outFlag = c.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        this.inEp = c.epollCreate();
        this.outEp = c.epollCreate();
        for (int ep : new int[] {inEp, outEp}) c.epollCtl(ep, LibC.EPOLL_CTL_ADD, pipeFd, LibC.EPOLLIN, 0);
        c.epollCtl(inEp, LibC.EPOLL_CTL_ADD, inFlag, LibC.EPOLLIN, 1);
        c.epollCtl(outEp, LibC.EPOLL_CTL_ADD, outFlag, LibC.EPOLLIN, 1);
        sync();
    }

    SocketBase socket() {
        return sock;
    }

    String describe() {
        return id == null ? "zmq (" + name + ")" : id + " (" + name + ")";
    }

    String type() {
        return type;
    }

    @Override public String kind() { return "zmq"; }
    @Override public String name() { return name; }
    @Override public int readFd() { return closed ? -1 : inEp; }
    @Override public int writeFd() { return closed ? -1 : outEp; }
    @Override public boolean messages() { return true; }
    @Override public boolean messageSizeExact() { return true; }
    @Override public boolean signalsChange() { return true; }
    @Override public boolean frames() { return true; }
    @Override public List<byte[]> lastFrames() { return lastFrames; }

    /** After a call that may have run the socket's commands (bind, connect, setting options). */
    void refresh() {
        sync();
    }

    /** Asks ZMQ_EVENTS (running the socket's pending commands) and sets the eventfds to match. */
    private void sync() {
        if (closed) return;
        int ev = sock.getSocketOpt(ZMQ.ZMQ_EVENTS);
        if (ev < 0) ev = 0; // the context is ending
        flag(true, holds() || (canRecv && (ev & ZMQ.ZMQ_POLLIN) != 0));
        flag(false, canSend && (ev & ZMQ.ZMQ_POLLOUT) != 0);
    }

    /**
     * After a receive: the next message is taken ahead when there is one (cheaper than EVENTS,
     * and a receive that finds none has run the pending commands, so the pipe is empty and a
     * new message signals). Room to send is asked again only when none was seen: a stale
     * "room" costs one spurious wake-up, which the loop's guard answers, a stale "none" a stall.
     */
    private void afterReceive() {
        if (closed) return;
        if (!holds()) take(true);
        flag(true, holds());
        if (canSend && !outSet) sync();
    }

    private boolean holds() {
        return heldOne != null || held != null;
    }

    private static final byte[] ONE = {1, 0, 0, 0, 0, 0, 0, 0};
    private final byte[] scratch = new byte[8];

    private void flag(boolean in, boolean on) {
        if (on == (in ? inSet : outSet)) return;
        int fd = in ? inFlag : outFlag;
        if (on) LibC.get().write(fd, ONE, 0, 8);
        else LibC.get().read(fd, scratch, 0, 8);
        if (in) inSet = on;
        else outSet = on;
    }

    @Override
    public boolean holdsInput() {
        if (closed) return false;
        if (holds()) return true;
        afterReceive();
        if (!holds()) cameEmpty();
        return holds();
    }

    /**
     * A look that found no message, the second running without one in between: JeroMQ's
     * signaller writes its byte before it counts it, so a sender preempted between the two (the
     * woken reader runs first on a busy or a single CPU) leaves the pipe readable with nothing
     * to take until it runs again. Giving up the CPU lets it finish; waiting again would return
     * at once, and spin until the sender's time slice came round.
     */
    private void cameEmpty() {
        if (++emptyLooks > 1) Thread.yield();
    }

    /** The same for sending: a look that found no room, the second running without a send between. */
    private void cameFull() {
        if (++fullLooks > 1) Thread.yield();
    }

    @Override
    public boolean writeReady() {
        if (closed) return false;
        sync();
        if (!outSet) cameFull();
        return outSet;
    }

    /** Takes the next message into {@link #heldOne} or {@link #held} when one is there; its size, or WOULD_BLOCK. */
    @Override
    public int nextMessageSize() {
        if (!holds()) take(false);
        if (!holds()) {
            sync(); // a wait follows: the descriptors must be exact
            cameEmpty();
            return LibC.WOULD_BLOCK;
        }
        flag(true, true);
        return heldSize;
    }

    /**
     * Receives one whole message into {@link #heldOne} or {@link #held}, or leaves both null when none waits. ahead:
     * taken for the loop, not for a verb, so a socket that may not receive now (a :req before
     * its request, a :pub) is no error: it just has nothing.
     */
    private void take(boolean ahead) {
        if (!canRecv) {
            if (ahead) return;
            throw ZmqErrors.failure("recv", this, zmq.ZError.ENOTSUP); // JeroMQ throws its own exception here
        }
        Msg m = sock.recv(ZMQ.ZMQ_DONTWAIT);
        if (m == null) {
            int e = sock.errno();
            if (e == zmq.ZError.EAGAIN) return;
            if (ahead) {
                sync();
                return;
            }
            throw ZmqErrors.failure("recv", this, e);
        }
        emptyLooks = 0;
        byte[] b = data(m);
        if (!m.hasMore()) { // most messages: no list
            heldOne = b;
            heldSize = b.length;
            return;
        }
        List<byte[]> frames = new ArrayList<>(2);
        int size = 0;
        while (true) {
            frames.add(b);
            size += b.length;
            if (!m.hasMore()) break;
            m = sock.recv(0); // the rest of a message arrives with its first frame
            if (m == null) throw ZmqErrors.failure("recv", this, sock.errno());
            b = data(m);
        }
        held = frames;
        heldSize = size;
    }

    private static byte[] data(Msg m) {
        byte[] b = m.data(); // the message's own array when it is exactly the message
        return b == null ? new byte[0] : b;
    }

    /** The held message's frames (taking it): its one frame as a list, or its frames. */
    private List<byte[]> takeHeld() {
        List<byte[]> frames = heldOne != null ? List.of(heldOne) : held;
        heldOne = null;
        held = null;
        return frames;
    }

    /** The next message's frames as they came, or null when none is waiting (for the proxy). */
    List<byte[]> takeMessage() {
        if (!holds()) take(false);
        List<byte[]> m = holds() ? takeHeld() : null;
        afterReceive();
        return m;
    }

    @Override
    public boolean handsOverMessages() {
        return true;
    }

    /**
     * The next message without a copy: its one frame is the array JeroMQ received it into
     * (inproc, the copy our send made: no sender keeps it); frames are joined.
     */
    @Override
    public byte[] readMessage() {
        if (!holds()) take(false);
        if (!holds()) {
            sync();
            cameEmpty();
            return null;
        }
        byte[] whole;
        if (heldOne != null) {
            whole = heldOne;
            lastFrames = multipartAlways ? List.of(whole) : null;
            heldOne = null;
        } else {
            whole = new byte[heldSize];
            int p = 0;
            for (byte[] f : held) {
                System.arraycopy(f, 0, whole, p, f.length);
                p += f.length;
            }
            lastFrames = held;
            held = null;
        }
        afterReceive();
        return whole;
    }

    @Override
    public int read(byte[] buf, int off, int len) {
        if (!holds()) take(false);
        if (!holds()) {
            sync();
            cameEmpty();
            return LibC.WOULD_BLOCK;
        }
        int size = heldSize;
        List<byte[]> frames = takeHeld();
        int p = off;
        for (byte[] f : frames) {
            int n = Math.min(f.length, off + len - p);
            if (n > 0) System.arraycopy(f, 0, buf, p, n);
            p += Math.max(n, 0);
        }
        lastFrames = frames.size() > 1 || multipartAlways ? frames : null;
        afterReceive();
        return size;
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        if (off == 0 && len == buf.length) return writeFrames(List.of(buf));
        return send(List.of(java.util.Arrays.copyOfRange(buf, off, off + len)), true);
    }

    @Override
    public int writeFrames(List<byte[]> frames) {
        return send(frames, false);
    }

    /**
     * Sends one message. JeroMQ keeps the array it is given until its I/O thread has written
     * it (inproc: until the receiver has read it), so a frame is copied unless owned says it is
     * this call's own: a script may fill its array again as soon as send returns, as pyzmq allows.
     */
    private int send(List<byte[]> frames, boolean owned) {
        if (!canSend) throw ZmqErrors.failure("send", this, zmq.ZError.ENOTSUP);
        int total = 0;
        boolean waits = false;
        try {
            for (int i = 0; i < frames.size(); i++) {
                byte[] f = frames.get(i);
                int flags = ZMQ.ZMQ_DONTWAIT | (i < frames.size() - 1 ? ZMQ.ZMQ_SNDMORE : 0);
                if (!sock.send(new Msg(owned ? f : f.clone()), flags)) {
                    int e = sock.errno();
                    // HWM is checked on a message's first frame: later ones do not meet it
                    if (e == zmq.ZError.EAGAIN && i == 0) {
                        waits = true;
                        return LibC.WOULD_BLOCK;
                    }
                    throw ZmqErrors.failure("send", this, e);
                }
                total += f.length;
            }
            fullLooks = 0;
            return total;
        } finally {
            // a send runs pending commands too: a message's signal may have gone with them
            if (canRecv && !inSet && !closed) {
                take(true);
                flag(true, holds());
            }
            // EVENTS goes last, as the take-ahead runs the socket's commands too (a peer's pipe
            // attached between the two was news lost, and a send waiting for it waited for good):
            // before a wait, and whenever "no room" is what the descriptor says now
            if (!closed && (waits || !outSet)) sync();
            if (waits) cameFull();
        }
    }

    @Override
    public void closeRead() {
        // a ZeroMQ socket has no half-close; the channel stops reading
    }

    @Override
    public void closeWrite() {
        // as closeRead: nothing to tell the peer
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        held = null;
        heldOne = null;
        lingerAtClose = sock.getSocketOpt(ZMQ.ZMQ_LINGER);
        try {
            sock.close(); // the context's reaper sends what is queued, for :linger at most
        } finally {
            LibC c = LibC.get();
            for (int fd : new int[] {inEp, outEp, inFlag, outFlag}) c.close(fd);
            cleanup.run();
        }
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", Keyword.of(type));
        m.put("endpoints", List.copyOf(endpoints));
        if (closed) return m;
        ZmqOptions.read(this, m);
        m.put("multipart", multipartAlways);
        return m;
    }

    @Override
    public boolean settable(String key) {
        return ZmqOptions.settable(key) || key.equals("multipart");
    }

    @Override
    public boolean set(String key, Object value) {
        if (closed) throw new IpcException("configure " + name + ": socket is closed");
        if (key.equals("multipart")) {
            multipartAlways = Boolean.TRUE.equals(value);
            return true;
        }
        return ZmqOptions.set(this, key, value);
    }
}
