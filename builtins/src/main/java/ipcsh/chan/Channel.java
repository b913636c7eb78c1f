package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The generic channel (Tcl's tclIO.c): one class for every kind, over a {@link Driver}. Drivers
 * do only raw reads and writes; everything else is done here once for every kind, by the
 * layers next to this class: {@link ChannelOptions} (configure), {@link InputBuffer} (the read
 * buffer, encodings, end-of-line translation, :eofchar), {@link Framer} (:framing, and text
 * to bytes), {@link Messages} (message drivers), {@link OutputBuffer} and {@link OutputQueue}
 * (buffered and queued output), {@link ExpectView} and {@link ChannelStreams}.
 *
 * <p>Every call to the driver's read goes through {@link #driverRead} and every call to its
 * write through {@link #driverWrite} (Tcl's ChanRead and ChanWrite): there end of stream is
 * noted and a failure is told as the user's verb on this channel. Every wait for readiness is
 * {@link #awaitInput} or {@link #awaitOutput}.
 *
 * <p>A channel is used from one thread at a time (the interpreter thread, DESIGN.md).
 */
public final class Channel implements Closeable {
    public static final int DEFAULT_BUFFER = 64 * 1024;
    public static final long DEFAULT_MAX_QUEUE = 16L * 1024 * 1024;
    public static final int DEFAULT_MAX_DEPTH = 1000;
    /** How long the shell's exit waits for queued output when the channel has no :timeout. */
    static final long EXIT_DRAIN_MS = 10_000;
    private static final AtomicLong SERIALS = new AtomicLong();

    private final Driver driver;
    /** The driver moves whole messages ({@link Driver#messages}, fixed for a driver). */
    final boolean messages;
    private final String id;
    private final long serial = SERIALS.incrementAndGet();

    final ChannelOptions opt = new ChannelOptions(this);
    final InputBuffer input = new InputBuffer(this, opt);
    final Framer framer = new Framer(this, opt, input);
    final Messages msg = new Messages(this, opt);
    final OutputQueue queue = new OutputQueue(this);
    final OutputBuffer output = new OutputBuffer(this, opt, queue);
    private ExpectView view;
    /** Unix sockets: the descriptors that come with the bytes ({@link Driver#passesFds}), else null. */
    private final PassedFds passed;

    /** A read met the end of the stream (or the :eofchar); {@link #eof()} once the buffer is empty too. */
    boolean eof;
    /** The last read verb found nothing to return on a non-blocking channel. */
    boolean blocked;
    private boolean readClosed, writeClosed, closed;
    /** Closed by the user with output still queued: the descriptors close once it is written. */
    private boolean closing;
    /** The same for (close ch :write): the write side shuts once the queue is written. */
    private boolean closingWrite;
    private final List<Runnable> closeHooks = new ArrayList<>(1);

    public Channel(Driver driver) {
        this(driver, true);
    }

    /**
     * An unlisted channel is not in (channels) and lives in memory (its driver has no
     * descriptors): both directions open whatever the descriptors say ({@link FrameDecoder}).
     */
    Channel(Driver driver, boolean listed) {
        this.driver = driver;
        this.messages = driver.messages();
        this.passed = driver.passesFds() ? new PassedFds(this) : null;
        this.id = listed ? Channels.register(this, driver.kind()) : driver.kind();
        if (listed && driver.readFd() < 0) readClosed = true;
        if (listed && driver.writeFd() < 0) writeClosed = true;
    }

    public String id() { return id; }
    public String kind() { return driver.kind(); }
    public String name() { return driver.name(); }
    public Driver driver() { return driver; }
    long serial() { return serial; }
    public int readFd() { return readClosed || closed ? -1 : driver.readFd(); }
    public int writeFd() { return writeClosed || closed ? -1 : driver.writeFd(); }
    public boolean isClosed() { return closed; }
    public Framing framing() { return opt.framing; }

    /** True when a read verb would return data without touching the OS (Tcl raises readable then). */
    public boolean hasBufferedInput() {
        return input.available() > 0 || (!readClosed && !closed && driver.holdsInput());
    }

    /** Bytes read from the OS and not yet consumed by a read verb. */
    public int bufferedBytes() {
        return input.available();
    }

    /**
     * Takes up to max bytes of what the read buffer holds, raw, without touching the OS: for
     * copy, which moves the rest of the stream below the buffer.
     */
    public byte[] takeBuffered(long max) {
        return input.take((int) Math.min(max, input.available()));
    }

    /** Whether the last read verb found nothing to return on a non-blocking channel. */
    public boolean blocked() {
        return blocked;
    }

    /** True once a read has met the end of the stream (Tcl's eof). */
    public boolean eof() {
        return eof && input.available() == 0;
    }

    /** Runs before the descriptors close: the reactor forgets them there. */
    public void onClose(Runnable hook) {
        closeHooks.add(hook);
    }

    /** The read buffer as expect matches in it. */
    ExpectView expectView() {
        if (view == null) view = new ExpectView(this, opt, input);
        return view;
    }

    // ------------------------------------------------------------------ the driver

    /**
     * The one call to the driver's read: n > 0 bytes, 0 at the end of a stream (noted here) or
     * an empty message, {@link LibC#WOULD_BLOCK}; more than len when a message was cut.
     */
    int driverRead(byte[] b, int off, int len, String verb) {
        try {
            if (passed != null) {
                int n = driver.readWithFds(b, off, len);
                if (n == 0 && !messages) eof = true;
                passed.read(n, driver.takeReceived());
                return n;
            }
            int n = driver.read(b, off, len);
            if (n == 0 && !messages) eof = true;
            return n;
        } catch (OsException e) {
            throw failure(e, verb, null);
        }
    }

    /** The one call to the driver's write: bytes written or {@link LibC#WOULD_BLOCK}; target names a message's address in errors. */
    int driverWrite(byte[] b, int off, int len, String verb, String target) {
        return driverWrite(b, off, len, null, verb, target);
    }

    /** The same with descriptors sent along (null: none; see {@link PassedFds}). */
    int driverWrite(byte[] b, int off, int len, int[] fds, String verb, String target) {
        try {
            return fds == null ? driver.write(b, off, len) : driver.write(b, off, len, fds);
        } catch (OsException e) {
            throw failure(e, verb, target);
        }
    }

    void awaitReadable(long dl, String verb) {
        awaitReadable(dl, verb, opt.timeoutMs);
    }

    void awaitReadable(long dl, String verb, long ms) {
        if (!awaitInput(dl, verb)) throw new TimeoutError(verb + " " + describe(), ms);
    }

    /**
     * Every read that must wait waits here. It first sends this channel's own buffered output:
     * the peer may be waiting for that request before it answers (a binary message with no
     * newline in a :line buffer hung a hand-made D-Bus Hello). Tcl 8.6 does not (a gets after a
     * puts on a -buffering full socket waits there for good). False when the deadline passed.
     */
    boolean awaitInput(long dl, String verb) {
        if (!writeClosed) output.flushBuffered(verb);
        return Waiter.await(driver.readFd(), LibC.POLLIN, dl, verb + " " + id);
    }

    /** Every write that must wait for room waits here; false when the deadline passed. */
    boolean awaitOutput(long dl, String verb) {
        // a descriptor that signals change is readable when the driver has news, in both directions
        return Waiter.await(driver.writeFd(), driver.signalsChange() ? LibC.POLLIN : LibC.POLLOUT, dl, verb + " " + id);
    }

    // ------------------------------------------------------------------ reading

    /** Reads one frame (a line by default); null at end of stream or when a non-blocking channel has none yet. */
    public Object gets() {
        String verb = "gets";
        checkReadable(verb);
        blocked = false;
        if (messages) {
            byte[] m = msg.receive(verb, opt.timeoutMs, !opt.blocking);
            return m == null ? null : msg.decoded(m, verb, true);
        }
        Object line = framer.gets(verb);
        if (passed != null) passed.dropConsumed();
        return line;
    }

    /**
     * Reads {@code n} bytes (binary) or characters (text); blocking channels wait for all of
     * them or the end of the stream, non-blocking ones return what there is. A negative n reads to EOF.
     */
    public Object read(long n) {
        String verb = "read";
        checkReadable(verb);
        blocked = false;
        if (messages) return msg.recv(verb, opt.timeoutMs, !opt.blocking);
        long dl = Waiter.deadline(opt.timeoutMs);
        if (framer.skip > 0 && !framer.skipRest(dl, verb)) return null;
        Object got = input.read(n, dl, verb);
        if (passed != null) passed.dropConsumed();
        return got;
    }

    /** Whether descriptors can travel with this channel's bytes (a unix socket). */
    public boolean passesFds() {
        return passed != null;
    }

    /**
     * recv with :fds on a unix socket ({@link PassedFds}): the data and the descriptors that came
     * with it; null at end of stream or when a non-blocking wait found nothing.
     */
    public FdMessage recvWithFds(Long timeout, Boolean nonblock) {
        String verb = "recv";
        checkReadable(verb);
        blocked = false;
        return passed.recv(verb, timeout == null ? opt.timeoutMs : timeout, nonblock == null ? !opt.blocking : nonblock);
    }

    /** send with :fds on a unix socket: data with the descriptors fds (this process keeps its own). */
    public void sendWithFds(Object data, int[] fds, String target) {
        String verb = "send";
        checkWritable(verb);
        passed.send(framer.encode(data), fds, verb, target);
    }

    /** One whole message of a message channel: recv's data (bytes on a binary channel). Null when a non-blocking channel has none. */
    public Object recv() {
        return recv(null, null);
    }

    /** recv waiting as this call says: timeout ms (null: the channel's :timeout), nonblock (null: as the channel's :blocking). */
    public Object recv(Long timeout, Boolean nonblock) {
        String verb = "recv";
        checkReadable(verb);
        blocked = false;
        return msg.recv(verb, timeout == null ? opt.timeoutMs : timeout, nonblock == null ? !opt.blocking : nonblock);
    }

    /**
     * Reads once more into the buffer, whatever the :blocking option, waiting until the deadline
     * (System.nanoTime; Ctrl-C breaks it). Returns the bytes added, 0 at end of stream, -1 when the
     * deadline passed. On a message channel one message is added.
     */
    public int readMore(long deadline, String verb) {
        checkReadable(verb);
        return input.readMore(deadline, verb);
    }

    // ------------------------------------------------------------------ writing

    /** Writes a string (encoded) or bytes, no newline; leaves the channel's buffer by its :buffering. */
    public void write(Object data) {
        write(data, "write", null);
    }

    /**
     * send: one message on a message channel (to target when the driver was told one; target
     * is its text for errors, null for the connected peer), write on a stream channel.
     */
    public void send(Object data, String target) {
        write(data, "send", target);
    }

    private void write(Object data, String verb, String target) {
        checkWritable(verb);
        if (messages && data instanceof List<?> parts && driver.frames()) {
            msg.sendFrames(framer.encodeAll(parts), verb, target);
            return;
        }
        byte[] b = framer.encode(data);
        if (messages) {
            msg.send(b, verb, target);
            return;
        }
        output.write(b, 0, b.length, verb);
    }

    /** Writes one frame: the data and a newline by default, or as the channel's :framing says. */
    public void puts(Object data) {
        String verb = "puts";
        checkWritable(verb);
        if (messages) {
            if (data instanceof List<?> parts && driver.frames() && opt.framing != Framing.JSON_LINES) {
                msg.sendFrames(framer.encodeAll(parts), verb, null);
                return;
            }
            msg.send(framer.message(data, verb), verb, null);
            return;
        }
        byte[] frame = framer.frame(data, verb);
        output.write(frame, 0, frame.length, framer.lineEnd(), verb);
        // With :line buffering a whole frame is what a line is to :lines: it leaves at once.
        if (opt.buffering == Buffering.LINE && opt.framing != Framing.LINES) output.flushBuffered(verb);
    }

    /**
     * Sends what the buffer holds. On a blocking channel it waits until the OS took all of it;
     * on a non-blocking one it writes what fits now and leaves the rest to the background.
     */
    public void flush() {
        if (closed) throw closedError("flush");
        output.flush("flush");
    }

    // ------------------------------------------------------------------ queued output (the event loop's side)

    /** Whether output waits in the queue of a non-blocking channel. */
    public boolean hasQueuedOutput() {
        return !queue.isEmpty();
    }

    /** Bytes waiting in the queue. */
    public long queuedBytes() {
        return queue.size();
    }

    /** The descriptor queued output goes to: open while a background close finishes, unlike {@link #writeFd()}. */
    public int queueFd() {
        return driver.writeFd();
    }

    /** Closed (or write-closed) by the user with output still queued: the event loop finishes writing, then {@link #finishClose()}. */
    public boolean closingInBackground() {
        return closing || closingWrite;
    }

    /**
     * For the event loop: writes what the queue holds without waiting; true when it is empty.
     * A write error (the reader went) drops the queue and is raised, naming how much was lost.
     */
    public boolean writeQueued() {
        return output.writeQueued();
    }

    /** For the event loop, after the queue of a channel closed in the background is written (or lost). */
    public void finishClose() {
        if (closingWrite) {
            closingWrite = false;
            queue.clear();
            queue.emptied();
            driver.closeWrite();
            return;
        }
        if (!closing) return;
        closing = false;
        queue.clear();
        queue.emptied();
        writeClosed = true;
        for (Runnable hook : closeHooks) hook.run();
        try {
            driver.close();
        } catch (OsException e) {
            throw failure(e, "close", null);
        }
    }

    /** At the shell's exit: what is queued gets :timeout (or EXIT_DRAIN_MS) to be written, then a background close ends. */
    void drainAtExit() {
        try {
            output.drainQueue(Waiter.deadline(opt.timeoutMs < 0 ? EXIT_DRAIN_MS : opt.timeoutMs), "exit");
        } catch (RuntimeException ignored) {
            // the shell is ending: what the reader did not take in time is lost
        }
        if (closing) driver.close();
        else if (closingWrite) driver.closeWrite();
    }

    // ------------------------------------------------------------------ closing

    /**
     * Flushes and closes both directions. A driver may report an outcome here (a process's exit
     * status). A non-blocking channel with queued output is closed at once for the user, and
     * its descriptors once the event loop has written the queue (Tcl's background close).
     */
    @Override
    public void close() {
        if (closed) return;
        RuntimeException failure = null;
        try {
            if (!writeClosed) output.flushBuffered("close");
        } catch (RuntimeException e) {
            failure = e;
        }
        if (failure == null && (!writeClosed || closingWrite) && !queue.isEmpty()) {
            BackgroundWriter writer = OutputQueue.writer();
            if (!opt.blocking && writer != null) {
                closed = readClosed = closing = true;
                closingWrite = false;
                input.clear();
                if (passed != null) passed.closeAll();
                for (Runnable hook : closeHooks) hook.run();
                Channels.unregister(id);
                writer.start(this);
                return;
            }
            try {
                output.drainQueue(Waiter.deadline(opt.timeoutMs), "close");
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        closed = readClosed = writeClosed = true;
        closingWrite = false;
        output.clear();
        input.clear();
        queue.clear();
        queue.emptied();
        for (Runnable hook : closeHooks) hook.run();
        Channels.unregister(id);
        if (passed != null) passed.closeAll();
        try {
            driver.close();
        } catch (OsException e) {
            if (failure == null) failure = failure(e, "close", null);
        } catch (RuntimeException e) {
            if (failure == null) failure = e;
        }
        if (failure != null) throw failure;
    }

    /**
     * Half-close: "read" or "write". Closing the last open direction closes the channel.
     * Closing the write side of a non-blocking channel with output queued returns at once and
     * shuts it once the queue is written; a blocking channel waits for the queue (at most :timeout).
     */
    public void close(String direction) {
        if (closed) return;
        switch (direction) {
            case "read" -> {
                readClosed = true;
                if (writeClosed) { close(); return; }
                for (Runnable hook : closeHooks) hook.run();
                driver.closeRead();
            }
            case "write" -> {
                if (readClosed) { close(); return; } // the last direction: a whole close
                if (writeClosed) return;
                output.flushBuffered("close");
                if (!queue.isEmpty()) {
                    BackgroundWriter writer = OutputQueue.writer();
                    if (!opt.blocking && writer != null) {
                        writeClosed = closingWrite = true;
                        for (Runnable hook : closeHooks) hook.run();
                        writer.start(this);
                        return;
                    }
                    output.drainQueue(Waiter.deadline(opt.timeoutMs), "close");
                }
                writeClosed = true;
                for (Runnable hook : closeHooks) hook.run();
                driver.closeWrite();
            }
            default -> throw new IpcException("close " + describe() + ": direction must be :read or :write, not " + direction);
        }
    }

    /** A java.io view closed (read side or write side), as {@link ChannelStreams} says. */
    void closeSide(boolean read) {
        if (closed || (read ? readClosed : writeClosed)) return;
        close(read ? "read" : "write"); // the last open side closes the whole channel
    }

    // ------------------------------------------------------------------ options

    /** Every option, the common ones then the kind's own. */
    public Map<String, Object> configure() {
        return opt.all();
    }

    public Object configure(String key) {
        return opt.get(key);
    }

    /** Sets options; all are checked first, so a bad one leaves the channel as it was. */
    public void configure(Map<String, Object> changes) {
        opt.set(changes);
    }

    /**
     * Checks options a builtin will set on the channel it opens, before it opens anything: each
     * key is one of own (the builtin's) or a common channel option with a valid value, by the
     * same rules configure applies.
     */
    public static void checkOptions(String who, Map<String, Object> options, String... own) {
        ChannelOptions.check(who, options, own);
    }

    public String state() {
        if (closed) return "closed";
        if (readClosed) return "write-only";
        if (writeClosed) return eof() ? "eof" : "read-only";
        return eof() ? "eof" : "open";
    }

    // ------------------------------------------------------------------ java.io views

    /** A byte view for clojure.java.io (slurp, line-seq, reader). Closing it closes the read side. */
    public InputStream inputStream() {
        return ChannelStreams.input(this);
    }

    /** A byte view for clojure.java.io (spit, writer). Closing it closes the write side. */
    public OutputStream outputStream() {
        return ChannelStreams.output(this);
    }

    // ------------------------------------------------------------------ errors

    public String describe() {
        String n = name();
        return n == null || n.isEmpty() || n.equals(id) ? id : id + " (" + n + ")";
    }

    void checkReadable(String verb) {
        if (closed) throw closedError(verb);
        if (readClosed) throw new IpcException(verb + " " + describe() + ": channel is not open for reading");
    }

    void checkWritable(String verb) {
        if (closed) throw closedError(verb);
        if (writeClosed) throw new IpcException(verb + " " + describe() + ": channel is not open for writing");
    }

    private IpcException closedError(String verb) {
        return new IpcException(verb + " " + describe() + ": channel is closed",
                Map.of("channel", id, "errno", "EBADF"));
    }

    /** A failed call told as the user's verb on this channel, about target (an address) or the channel's name. */
    OsException failure(OsException e, String verb, String target) {
        String hint = null;
        if (e.errno() == Errno.EDESTADDRREQ || e.errno() == Errno.ENOTCONN && messages) {
            hint = "the socket has no peer: give one with {:connect ...} or (send ch data {:to addr})";
        }
        return new OsException(verb + " " + id, subject(target), e.errno(), hint);
    }

    /** What an error is about: the target address when there is one, else the channel's name; null when nameless. */
    String subject(String target) {
        if (target != null) return target;
        String n = name();
        return n == null || n.isEmpty() ? null : n;
    }

    @Override
    public String toString() {
        return "#<channel " + describe() + " " + state() + ">";
    }
}
