package ipcsh.shm;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.MemoryDriver;
import ipcsh.chan.Waiter;
import ipcsh.os.AtExit;
import ipcsh.os.Errno;
import ipcsh.os.FileId;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A single-producer, single-consumer byte ring in a POSIX shared memory object: one end of it
 * as a stream channel. Moving bytes is two memcpys and a few atomic loads and stores, no
 * system call; a side that finds the ring empty (reader) or full (writer) says so in the header
 * and sleeps on a doorbell FIFO, which the other side touches only when that flag is set. The
 * doorbells are what the reactor watches, so on-readable, on-writable, copy and timeouts work
 * as on a pipe: the reader's descriptor is readable when there may be data (or end of stream),
 * the writer's is writable when there may be room.
 *
 * <p>The layout (native byte order, all counters 64-bit, flags 32-bit, accessed atomically and
 * sequentially consistent) is in {@link #LAYOUT}, word for word what the man page says, so a
 * C program can be either end.
 */
public final class RingDriver implements MemoryDriver {
    public static final String LAYOUT = """
            Ring layout, version 2 (native byte order; offsets in bytes; a C peer uses __atomic_load_n and \
            __atomic_store_n with __ATOMIC_SEQ_CST on the counters and flags): 0 u32 magic 0x52435049 \
            ("IPCR" in little-endian memory), written last by the creator; 4 u32 version 2 (the creator \
            claims the layout by compare-and-swap of 0 to 2 here); 8 u64 \
            capacity (the :size given at creation); 16 u64 data offset (4096); 64 u64 head, bytes \
            written in all (only the writer stores it, after copying the bytes); 128 u64 tail, bytes \
            read in all (only the reader stores it, after copying the bytes out); 192 u32 writer-closed; \
            196 u32 reader-closed; 200 u32 reader-waiting; 204 u32 writer-waiting; 256 char[256] the \
            doorbell directory, NUL-terminated; 4096 the data: byte \
            i of the stream is at data offset + (i mod capacity). One writer and one reader: each side \
            holds an open-file-description lock (fcntl F_OFD_SETLK, F_WRLCK, SEEK_SET, length 1) on \
            the segment's descriptor from shm_open, byte 0 for the writer and byte 1 for the reader, \
            for as long as it is open; a side whose lock is taken is refused, and the kernel frees it \
            when the holder closes or dies. A side that takes the lock stores its closed flag 0 and \
            wakes the other side if it waits. Doorbells are two FIFOs, wake-reader and wake-writer, in \
            a directory the creator makes as /tmp/ipcsh-ring-XXXXXXXXXXXXXXXX (16 random characters \
            of [a-z0-9]; mkdir fails on anything already there), mode 0700 plus search permission \
            for the group and others the ring's mode admits; the FIFOs get the segment's mode (as fstat shows it after the umask). An opener \
            opens the directory O_PATH|O_DIRECTORY|O_NOFOLLOW and refuses it unless fstat shows a \
            directory owned by the segment's owner (fstat of the shm_open descriptor) that group and \
            others cannot write, then openat()s each FIFO O_RDWR|O_NONBLOCK|O_NOFOLLOW and refuses \
            anything but a FIFO of that owner. The reader, finding head = \
            tail, drains wake-reader, stores reader-waiting 1, loads head again, and if still nothing \
            (and writer-closed is 0) polls wake-reader for POLLIN; if head moved meanwhile it stores reader-waiting \
            0 and writes one byte to wake-reader itself (its drain may have taken the writer's byte), so \
            wake-reader stays readable while the ring holds bytes or its end. The writer, after storing head, loads \
            reader-waiting, and when it swaps 1 for 0 (compare-and-swap) writes one byte to \
            wake-reader. The writer, finding the ring full, fills wake-writer until write fails with \
            EAGAIN (ipcsh shrinks that pipe to one page), stores writer-waiting 1, loads tail again, \
            and if still full polls wake-writer for POLLOUT. The reader, after storing tail, loads \
            writer-waiting, and when it swaps 1 for 0 reads wake-writer empty. Closing sets the \
            side's closed flag and rings the other side once; the reader sees end of stream when \
            head = tail and writer-closed is 1; the writer gets EPIPE once reader-closed is 1.""";

    static final int MAGIC = 0x52435049, VERSION = 2;
    /** One page: the data starts page-aligned, as read(2) and write(2) into it like best. */
    static final long HEADER = 4096;
    private static final long OFF_MAGIC = 0, OFF_VERSION = 4, OFF_CAPACITY = 8, OFF_DATA = 16, OFF_HEAD = 64,
            OFF_TAIL = 128, OFF_WRITER_CLOSED = 192, OFF_READER_CLOSED = 196, OFF_READER_WAITING = 200,
            OFF_WRITER_WAITING = 204, OFF_DIR = 256, DIR_MAX = 256;
    /** The bytes of the segment whose OFD lock says a side is taken. */
    private static final long LOCK_WRITER = 0, LOCK_READER = 1;
    private static final VarHandle I32 = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle I64 = ValueLayout.JAVA_LONG.varHandle();
    private static final byte[] PAGE = new byte[4096];
    /**
     * How long a side that finds the ring empty (full) watches the other side's counter before
     * it says it will sleep: longer than the other side takes for one chunk (a 512 KiB read of
     * /dev/zero is ~15 us), so two sides that are both running never sleep. Sleeping and being
     * woken cost each side system calls, a context switch and the scheduler's latency, more
     * than the time the ring holds on a fast stream (1 MiB is ~25 us of /dev/zero); a 300-poll
     * spin (~5 us) slept on every chunk and left the sides taking turns instead of running
     * together (bench/run shm-ring). With one CPU the other side cannot run while this one
     * spins: then only the first polls.
     */
    private static final long SPIN_NS = Runtime.getRuntime().availableProcessors() > 1 ? 50_000 : 0;
    /** A budget halved below this is none: only the first polls. */
    private static final long SPIN_MIN_NS = 2_000;
    /** Polls between looks at the clock while spinning. */
    private static final int SPIN_POLLS = 64;

    private final Segment segment;
    private final MemorySegment mem;
    private final String name;
    private final boolean writer;
    private final long capacity;
    private final String bellDir;
    private int wakeReader, wakeWriter;
    /** Our own counter (head for the writer, tail for the reader): only this side stores it. */
    private long mine;
    /**
     * This side's spin budget: halved by each spin that ends in sleep, all of SPIN_NS again
     * after one that sees the other side move. A writer feeding a slow reader (or a reader
     * waiting on an idle writer) soon stops burning 50 us a wait; two fast sides keep it, and
     * a side whose spins fail while the other warms up (interpreted, compiling) gets it back
     * at the first success (doubling it back from nothing slept ~10x more often: bench/run
     * shm-ring 0.38x C against 0.54x).
     */
    private long spinNs = SPIN_NS;
    private final byte[] scratch = new byte[4096];
    private boolean done;

    private RingDriver(Segment segment, String name, boolean writer, Doorbells bells) {
        this(segment, segment.memory(), name, writer, bells.dir, bells.reader, bells.writer);
    }

    private RingDriver(Segment segment, MemorySegment mem, String name, boolean writer, String bellDir, int wakeReader,
                       int wakeWriter) {
        this.segment = segment;
        this.mem = mem;
        this.name = name;
        this.writer = writer;
        this.capacity = mem.get(ValueLayout.JAVA_LONG, OFF_CAPACITY);
        this.bellDir = bellDir;
        this.wakeReader = wakeReader;
        this.wakeWriter = wakeWriter;
        this.mine = (long) I64.getVolatile(mem, writer ? OFF_HEAD : OFF_TAIL);
    }

    /**
     * One side of a ring laid out in mem, private memory of this process, with wakeReader and
     * wakeWriter as its doorbells: not listed, never closed ({@link RingWarmUp} closes what it
     * made). Only for running the data path where no other process sees it.
     */
    static RingDriver detached(MemorySegment mem, long capacity, boolean writer, int wakeReader, int wakeWriter) {
        mem.set(ValueLayout.JAVA_LONG, OFF_CAPACITY, capacity);
        mem.set(ValueLayout.JAVA_LONG, OFF_DATA, HEADER);
        return new RingDriver(null, mem, "warm-up", writer, "", wakeReader, wakeWriter);
    }

    /**
     * Removes a ring's doorbell directory, found in its header, before its segment goes (by
     * shm-unlink); quietly nothing when name is not a ring or its doorbells are not its owner's.
     */
    static void removeDoorbells(String name) {
        Segment seg;
        try {
            seg = Segments.shm(name, new Segments.Request("shm-unlink", false, false, false, -1, 0600, false), true);
        } catch (RuntimeException e) {
            return; // gone, empty, or not ours to open
        }
        try {
            seg.unlist();
            MemorySegment m = seg.memory();
            if (m.byteSize() > HEADER && (int) I32.getVolatile(m, OFF_MAGIC) == MAGIC && (int) I32.getVolatile(m, OFF_VERSION) == VERSION) {
                Doorbells.remove(directory(m), LibC.get().fstat(seg.fd()).uid());
            }
        } catch (RuntimeException | InternalError ignored) {
            // a damaged or truncated header names nothing to remove
        } finally {
            seg.close();
        }
    }

    private static String directory(MemorySegment m) {
        byte[] b = m.asSlice(OFF_DIR, DIR_MAX).toArray(ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Opens (with create, makes) the ring name as its writer or reader. A ring this call creates
     * has {@code size} bytes in all; with temp its segment and doorbells go when the shell exits.
     * The caller has checked every argument: a failure here removes exactly what this call made.
     */
    public static Channel open(String builtin, String name, boolean writer, boolean create, boolean exclusive,
                               long size, int perms, boolean temp, long timeoutMs) {
        Segment seg = Segments.shm(name, new Segments.Request(builtin, true, create, exclusive,
                create ? size + HEADER : -1, perms, false), true);
        seg.unlist();
        LibC f = LibC.get();
        Doorbells bells = null;
        boolean madeBells = false;
        try {
            MemorySegment mem = seg.memory();
            int owner = f.fstat(seg.fd()).uid(), me = f.geteuid(); // another user's, only when joined without :create
            if (mem.byteSize() <= HEADER) throw new IpcException(builtin + " \"" + name + "\": is not a ring (" + mem.byteSize() + " bytes)");
            if (!f.ofdWriteLock(seg.fd(), writer ? LOCK_WRITER : LOCK_READER, 1)) {
                String side = writer ? "writer" : "reader";
                throw new IpcException(builtin + " \"" + name + "\": the ring has a " + side + " already (another channel, in this"
                        + " process or another, holds its " + side + "'s lock); a ring has one writer and one reader");
            }
            if (create && (int) I32.getVolatile(mem, OFF_MAGIC) == 0 && I32.compareAndSet(mem, OFF_VERSION, 0, VERSION)) {
                // New (all zero), and the compare-and-swap made this call its creator: lay out the
                // header, the magic last so an opener never sees half of it.
                // the doorbells admit whom the segment admits: its mode as made (after the umask)
                bells = Doorbells.create(builtin, name, f.fstat(seg.fd()).perms());
                madeBells = true;
                byte[] dir = bells.dir.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                MemorySegment.copy(dir, 0, mem, ValueLayout.JAVA_BYTE, OFF_DIR, dir.length);
                mem.set(ValueLayout.JAVA_LONG, OFF_CAPACITY, mem.byteSize() - HEADER);
                mem.set(ValueLayout.JAVA_LONG, OFF_DATA, HEADER);
                I32.setVolatile(mem, OFF_MAGIC, MAGIC);
            } else {
                awaitMagic(builtin, name, mem, timeoutMs);
                bells = Doorbells.open(builtin, name, directory(mem), owner);
            }
            LibC c = LibC.get();
            if (writer) {
                try {
                    c.fcntl(bells.writer, LibC.F_SETPIPE_SZ, 4096); // one page: a few bytes fill it, so POLLOUT means "woken"
                } catch (OsException ignored) {
                    // a bigger pipe only costs the writer more bytes to fill before sleeping
                }
            } else {
                c.write(bells.reader, PAGE, 0, 1); // readable at first: the first read looks at the ring itself
            }
            RingDriver d = new RingDriver(seg, name, writer, bells);
            d.takeSide();
            Waiter.prepare();
            if (temp && seg.created()) {
                String dir = bells.dir;
                FileId made = FileId.of(seg.fd());
                AtExit.register("shm " + name, () -> {
                    Doorbells.remove(dir, me); // named by our own header, in a directory only we can write
                    // the segment only while /dev/shm/NAME is still the one made here, as for every object (AtExit)
                    if (!made.isAt("/dev/shm" + name)) return;
                    try {
                        LibC.get().shmUnlink(name);
                    } catch (RuntimeException ignored) {
                        // gone already
                    }
                });
            }
            // A pipe's reader sees end of stream when the writing process dies; so does a ring's,
            // when the shell ends without closing it (exit, SIGTERM, SIGINT; not SIGKILL).
            AtExit.register(d, d::markClosedAtExit);
            return new Channel(d);
        } catch (RuntimeException | InternalError e) {
            if (bells != null) bells.close();
            if (madeBells) Doorbells.remove(bells.dir, f.geteuid());
            if (seg.created()) {
                try {
                    LibC.get().shmUnlink(name);
                } catch (RuntimeException ignored) {
                    // removed already
                }
            }
            seg.close();
            if (e instanceof InternalError) throw truncated(builtin, name, -1, -1);
            throw (RuntimeException) e;
        }
    }

    /**
     * This side is ours now (its lock is held): a writer (reader) after one that closed or died
     * clears the closed flag, and wakes the other side in case it sleeps on bytes or room the
     * one before stored without ringing (killed between storing its counter and ringing).
     */
    private void takeSide() {
        if (writer) {
            I32.setVolatile(mem, OFF_WRITER_CLOSED, 0);
            if (I32.compareAndSet(mem, OFF_READER_WAITING, 1, 0)) ring(wakeReader);
        } else {
            I32.setVolatile(mem, OFF_READER_CLOSED, 0);
            if (I32.compareAndSet(mem, OFF_WRITER_WAITING, 1, 0)) drain(wakeWriter);
        }
    }

    /** An opener may come while the creator lays out the header: wait a moment for the magic. */
    private static void awaitMagic(String builtin, String name, MemorySegment mem, long timeoutMs) {
        long deadline = Waiter.deadline(timeoutMs < 0 ? 2000 : timeoutMs);
        while (true) {
            int m = (int) I32.getVolatile(mem, OFF_MAGIC);
            if (m == MAGIC) break;
            if (m != 0 || System.nanoTime() > deadline) {
                throw new IpcException(builtin + " \"" + name + "\": is not an ipcsh ring (magic " + String.format("0x%08x", m)
                        + ", expected 0x52435049)");
            }
            Waiter.sleep(5, builtin + " \"" + name + "\" (waiting for its header)");
        }
        int v = (int) I32.getVolatile(mem, OFF_VERSION);
        if (v != VERSION) throw new IpcException(builtin + " \"" + name + "\": ring version " + v + ", this shell speaks " + VERSION);
        long cap = mem.get(ValueLayout.JAVA_LONG, OFF_CAPACITY);
        long data = mem.get(ValueLayout.JAVA_LONG, OFF_DATA);
        if (data != HEADER || cap <= 0 || cap > mem.byteSize() - HEADER) {
            throw new IpcException(builtin + " \"" + name + "\": damaged ring header (capacity " + cap + ", data at " + data + ")");
        }
    }

    @Override public String kind() { return "shm-ring"; }
    @Override public String name() { return name; }
    @Override public int readFd() { return writer || done ? -1 : wakeReader; }
    @Override public int writeFd() { return writer && !done ? wakeWriter : -1; }

    @Override
    public int read(byte[] buf, int off, int len) {
        try {
            return readRing(buf, off, len);
        } catch (InternalError e) {
            throw truncated();
        }
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        try {
            return writeRing(buf, off, len);
        } catch (InternalError e) {
            throw truncated();
        }
    }

    @Override
    public long fillFrom(int fd, long max) {
        try {
            return fillRing(fd, max);
        } catch (InternalError e) {
            throw truncated();
        } catch (OsException e) {
            throw e.errno() == Errno.EFAULT ? truncated() : e;
        }
    }

    @Override
    public long drainTo(int fd, long max) {
        try {
            return drainRing(fd, max);
        } catch (InternalError e) {
            throw truncated();
        } catch (OsException e) {
            throw e.errno() == Errno.EFAULT ? truncated() : e;
        }
    }

    /**
     * The JVM turns SIGBUS in a memory access into InternalError (and the kernel a read or
     * write into such pages into EFAULT): the object behind the mapping was made smaller.
     */
    private IpcException truncated() {
        long now = -1;
        try {
            now = LibC.get().fstat(segment.fd()).size();
        } catch (RuntimeException ignored) {
            // closed: say it without the size
        }
        return truncated("shm-ring", name, HEADER + capacity, now);
    }

    private static IpcException truncated(String builtin, String name, long ringBytes, long now) {
        return new IpcException(builtin + " \"" + name + "\": no memory behind the ring (SIGBUS): another process made the"
                + " shared memory object smaller" + (now >= 0 ? " (" + now + " bytes now)" : "") + " than the ring"
                + (ringBytes > 0 ? " (" + ringBytes + " bytes)" : "") + ", or its file system (/dev/shm) is full");
    }

    private int readRing(byte[] buf, int off, int len) {
        long avail = available();
        if (avail <= 0) return (int) avail;
        int n = (int) Math.min(avail, len);
        long pos = mine % capacity;
        int first = (int) Math.min(n, capacity - pos);
        MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, HEADER + pos, buf, off, first);
        if (first < n) MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, HEADER, buf, off + first, n - first);
        consumed(n);
        return n;
    }

    private int writeRing(byte[] buf, int off, int len) {
        long room = room();
        if (room < 0) return LibC.WOULD_BLOCK;
        int n = (int) Math.min(room, len);
        long pos = mine % capacity;
        int first = (int) Math.min(n, capacity - pos);
        MemorySegment.copy(buf, off, mem, ValueLayout.JAVA_BYTE, HEADER + pos, first);
        if (first < n) MemorySegment.copy(buf, off + first, mem, ValueLayout.JAVA_BYTE, HEADER, n - first);
        produced(n);
        return n;
    }

    /**
     * One read(2) into the free bytes, at most half the ring: the reader takes one half while
     * this fills the other (a whole ring in one read leaves the reader nothing until it returns,
     * then this nothing to fill until the reader has taken it). The reader is woken at once, as
     * by write: it sleeps only after spinning through a chunk's time, so a wake-up is rare, and
     * one left to the end of a batch kept the sides taking turns.
     */
    private long fillRing(int fd, long max) {
        long room = room();
        if (room < 0) return NOT_READY;
        long pos = mine % capacity;
        long n = LibC.get().read(fd, mem.asSlice(HEADER + pos, Math.min(Math.min(max, Math.max(capacity / 2, 1)),
                Math.min(room, capacity - pos))));
        if (n > 0) produced(n);
        return n;
    }

    private long drainRing(int fd, long max) {
        long avail = available();
        if (avail < 0) return NOT_READY;
        if (avail == 0) return 0;
        long pos = mine % capacity;
        long n = LibC.get().write(fd, mem.asSlice(HEADER + pos, Math.min(max, Math.min(avail, capacity - pos))));
        if (n > 0) consumed(n);
        return n;
    }

    /** Reader: bytes ready to take, 0 at end of stream, or WOULD_BLOCK after saying it will sleep. */
    private long available() {
        long avail = (long) I64.getVolatile(mem, OFF_HEAD) - mine;
        if (avail == 0) avail = spin(OFF_HEAD, mine) - mine;
        if (avail > 0) return avail;
        drain(wakeReader);
        I32.setVolatile(mem, OFF_READER_WAITING, 1);
        avail = (long) I64.getVolatile(mem, OFF_HEAD) - mine;
        if (avail == 0) {
            if ((int) I32.getVolatile(mem, OFF_WRITER_CLOSED) == 0) return LibC.WOULD_BLOCK;
            avail = (long) I64.getVolatile(mem, OFF_HEAD) - mine;
            if (avail == 0) {
                ring(wakeReader); // end of stream stays readable, as on a pipe
                return 0;
            }
        }
        // Bytes came while we said we would sleep. The drain above may have taken the ring the
        // writer made for them (or for its close), and it rings only while reader-waiting is 1:
        // ring ourselves, or a reader watched by the reactor sleeps with bytes or the end of
        // the stream in the ring once its buffered lines are read.
        I32.setVolatile(mem, OFF_READER_WAITING, 0);
        ring(wakeReader);
        return avail;
    }

    /** Reader: n bytes taken; wakes the writer if it sleeps for room. */
    private void consumed(long n) {
        mine += n;
        I64.setVolatile(mem, OFF_TAIL, mine);
        if ((int) I32.getVolatile(mem, OFF_WRITER_WAITING) == 1 && I32.compareAndSet(mem, OFF_WRITER_WAITING, 1, 0)) {
            drain(wakeWriter);
        }
    }

    /** Writer: free bytes, or -1 after saying it will sleep; EPIPE once the reader has closed. */
    private long room() {
        if ((int) I32.getVolatile(mem, OFF_READER_CLOSED) != 0) throw new OsException("write", name, Errno.EPIPE);
        long room = capacity - (mine - (long) I64.getVolatile(mem, OFF_TAIL));
        if (room == 0) room = capacity - (mine - spin(OFF_TAIL, mine - capacity));
        if (room > 0) return room;
        fill(wakeWriter);
        I32.setVolatile(mem, OFF_WRITER_WAITING, 1);
        room = capacity - (mine - (long) I64.getVolatile(mem, OFF_TAIL));
        if (room == 0) {
            if ((int) I32.getVolatile(mem, OFF_READER_CLOSED) != 0) throw new OsException("write", name, Errno.EPIPE);
            return -1;
        }
        I32.setVolatile(mem, OFF_WRITER_WAITING, 0);
        drain(wakeWriter);
        return room;
    }

    /**
     * Watches the other side's counter at off while it is still seen, for this side's spin
     * budget (the clock read once every {@link #SPIN_POLLS} polls): the last value read.
     */
    private long spin(long off, long seen) {
        long until = 0, v = seen;
        for (int i = 1; v == seen; i++) {
            Thread.onSpinWait();
            if (i % SPIN_POLLS == 0) {
                long now = System.nanoTime();
                if (until == 0) {
                    until = now + spinNs;
                } else if (now - until >= 0) {
                    spinNs = spinNs / 2 < SPIN_MIN_NS ? 0 : spinNs / 2;
                    return v;
                }
            }
            v = (long) I64.getVolatile(mem, off);
        }
        spinNs = SPIN_NS;
        return v;
    }

    /** Writer: n bytes placed; wakes the reader if it sleeps for data. */
    private void produced(long n) {
        mine += n;
        I64.setVolatile(mem, OFF_HEAD, mine);
        if ((int) I32.getVolatile(mem, OFF_READER_WAITING) == 1 && I32.compareAndSet(mem, OFF_READER_WAITING, 1, 0)) {
            ring(wakeReader);
        }
    }

    private void drain(int fd) {
        while (LibC.get().read(fd, scratch, 0, scratch.length) > 0) {
            // emptied: the next poll waits for a fresh ring
        }
    }

    private static void fill(int fd) {
        for (int i = 0; i < 64 && LibC.get().write(fd, PAGE, 0, PAGE.length) > 0; i++) {
            // full: POLLOUT now means the reader drained it
        }
    }

    private static void ring(int fd) {
        LibC.get().write(fd, PAGE, 0, 1); // WOULD_BLOCK: it is ringing already
    }

    @Override
    public void closeRead() {
        close();
    }

    @Override
    public void closeWrite() {
        close();
    }

    /** Tells the other side this one is gone: sets our closed flag and rings the peer. */
    private void markClosed() {
        if (writer) {
            I32.setVolatile(mem, OFF_WRITER_CLOSED, 1);
            ring(wakeReader);
        } else {
            I32.setVolatile(mem, OFF_READER_CLOSED, 1);
            drain(wakeWriter);
        }
    }

    @Override
    public void close() {
        if (done) return;
        done = true;
        AtExit.cancel(this);
        LibC c = LibC.get();
        try {
            markClosed();
        } catch (InternalError e) {
            // the segment was made smaller under us: nothing to tell the other side through it
        } finally {
            c.close(wakeReader);
            c.close(wakeWriter);
            wakeReader = wakeWriter = -1;
            segment.close(); // closes the descriptor that holds this side's lock: the side is free
        }
    }

    /** At exit: as on close, and quiet (the shell is ending) when the segment was made smaller. */
    private void markClosedAtExit() {
        try {
            markClosed();
        } catch (RuntimeException | InternalError ignored) {
            // nothing left to tell
        }
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", name);
        m.put("role", Keyword.of(writer ? "write" : "read"));
        m.put("capacity", capacity);
        if (!done) {
            try {
                m.put("used", (long) I64.getVolatile(mem, OFF_HEAD) - (long) I64.getVolatile(mem, OFF_TAIL));
            } catch (InternalError e) {
                m.put("used", null); // truncated under us: the next read or write says so
            }
            m.put("fd", (long) (writer ? wakeWriter : wakeReader));
        }
        m.put("doorbells", java.util.List.of(bellDir + "/" + Doorbells.READER, bellDir + "/" + Doorbells.WRITER));
        return m;
    }
}
