package ipcsh.shm;

import ipcsh.IpcException;
import ipcsh.Keyword;

import java.io.Closeable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory shared with other processes: a POSIX object (shm_open), a mapped file, or a System V
 * segment, mapped once. Every access is checked here before it reaches memory — offset and
 * length against the size, writes against the access it was mapped with — so a script's
 * mistake is an error naming the verb, never a fault; FFM checks bounds once more below, and
 * after {@link #close} (which unmaps) the memory cannot be reached at all.
 *
 * <p>Not a channel: there is no stream, only addresses. Opened by {@link Segments}.
 */
public final class Segment implements Closeable {
    private static final VarHandle I32 = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle I64 = ValueLayout.JAVA_LONG.varHandle();
    private static final List<Segment> OPEN = new ArrayList<>();

    private final String kind;
    private final String name;
    private final Arena arena;
    private final MemorySegment mem;
    private final boolean writable;
    private final Runnable onClose;
    private final Map<String, Object> info;
    private volatile boolean closed;
    /** The object's descriptor when its opener keeps it (a ring's side locks), else -1; closed with the mapping. */
    private int fd = -1;
    private boolean created;

    Segment(String kind, String name, Arena arena, MemorySegment mem, boolean writable, Runnable onClose,
            Map<String, Object> info) {
        this.kind = kind;
        this.name = name;
        this.arena = arena;
        this.mem = writable ? mem : mem.asReadOnly();
        this.writable = writable;
        this.onClose = onClose;
        this.info = info;
        synchronized (OPEN) {
            OPEN.add(this);
        }
    }

    /** The open segments, oldest first. */
    public static List<Segment> list() {
        synchronized (OPEN) {
            return new ArrayList<>(OPEN);
        }
    }

    public String kind() { return kind; }
    public String name() { return name; }
    public long size() { return mem.byteSize(); }
    public boolean writable() { return writable; }
    public boolean isClosed() { return closed; }
    /** The kind's own facts (a System V segment's :id and :key). */
    public Map<String, Object> info() { return info; }

    /** Leaves (segments): a segment a channel is built on is shown as that channel. */
    void unlist() {
        synchronized (OPEN) {
            OPEN.remove(this);
        }
    }

    void keep(int fd, boolean created) {
        this.fd = fd;
        this.created = created;
    }

    /** The descriptor kept by {@link Segments#shm(String, Segments.Request, boolean)}, or -1. */
    int fd() { return fd; }

    /** Whether the call that opened it made the object (known when the descriptor is kept). */
    boolean created() { return created; }

    /** The mapped memory itself, for a kind built on a segment (the ring). */
    MemorySegment memory() {
        check("use", 0, 0, false);
        return mem;
    }

    /** Unmaps (or detaches). Closing a closed segment does nothing. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        synchronized (OPEN) {
            OPEN.remove(this);
        }
        arena.close();
        if (fd >= 0) {
            ipcsh.os.LibC.get().close(fd);
            fd = -1;
        }
        if (onClose != null) onClose.run();
    }

    /** What (segments) shows for it. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", Keyword.of(kind));
        m.put("name", name);
        m.put("size", size());
        m.put("access", Keyword.of(writable ? "rw" : "read"));
        m.putAll(info);
        m.put("segment", this);
        return m;
    }

    // ------------------------------------------------------------------ bytes

    public byte[] read(String verb, long offset, long n) {
        if (n < 0) throw new IpcException(verb + " " + name + ": count " + n + " is negative");
        if (n > Integer.MAX_VALUE - 16) throw new IpcException(verb + " " + name + ": count " + n + " is more than one read can return");
        check(verb, offset, n, false);
        return guarded(verb, offset, n, () -> mem.asSlice(offset, n).toArray(ValueLayout.JAVA_BYTE));
    }

    public void write(String verb, long offset, byte[] data) {
        check(verb, offset, data.length, true);
        guarded(verb, offset, data.length, () -> {
            MemorySegment.copy(MemorySegment.ofArray(data), 0, mem, offset, data.length);
            return null;
        });
    }

    // ------------------------------------------------------------------ numbers

    /** The value of the given type at offset: a Long, or a Double for :f32/:f64. */
    public Object get(String verb, NumType t, long offset, ByteOrder order) {
        check(verb, offset, t.bytes, false);
        return guarded(verb, offset, t.bytes, () -> t.get(mem, offset, order));
    }

    public void put(String verb, NumType t, long offset, Object value, ByteOrder order) {
        Object v = t.checkValue(verb + " " + name, value);
        check(verb, offset, t.bytes, true);
        guarded(verb, offset, t.bytes, () -> {
            t.put(mem, offset, v, order);
            return null;
        });
    }

    /** Atomic compare-and-set of an aligned :i32 or :i64: true when the cell held expected and now holds update. */
    public boolean cas(String verb, NumType t, long offset, Object expected, Object update) {
        atomic(verb, t, offset);
        long e = (Long) t.checkValue(verb + " " + name, expected);
        long u = (Long) t.checkValue(verb + " " + name, update);
        return guarded(verb, offset, t.bytes, () -> t == NumType.I64
                ? I64.compareAndSet(mem, offset, e, u)
                : I32.compareAndSet(mem, offset, (int) e, (int) u));
    }

    /** Atomic fetch-and-add of an aligned :i32 or :i64 (wrapping); returns the value before. */
    public long add(String verb, NumType t, long offset, long delta) {
        atomic(verb, t, offset);
        return guarded(verb, offset, t.bytes, () -> t == NumType.I64
                ? (long) I64.getAndAdd(mem, offset, delta)
                : (long) (int) I32.getAndAdd(mem, offset, (int) delta));
    }

    private void atomic(String verb, NumType t, long offset) {
        if (t != NumType.I32 && t != NumType.I64) {
            throw new IpcException(verb + " " + name + ": atomic operations take :i32 or :i64, not :" + t.keyword);
        }
        check(verb, offset, t.bytes, true);
        if ((mem.address() + offset) % t.bytes != 0) {
            throw new IpcException(verb + " " + name + ": offset " + offset + " is not aligned; atomic :" + t.keyword
                    + " needs a multiple of " + t.bytes);
        }
    }

    /** Flushes a mapped file's changes to the file now (msync MS_SYNC). */
    public void sync(String verb) {
        check(verb, 0, 0, false);
        ipcsh.os.LibC.get().msync(mem, ipcsh.os.LibC.MS_SYNC);
    }

    // ------------------------------------------------------------------ checks

    private void check(String verb, long offset, long n, boolean write) {
        if (closed) throw new IpcException(verb + " " + name + ": segment is closed");
        if (write && !writable) {
            throw new IpcException(verb + " " + name + ": segment is mapped read-only (opened with :read)");
        }
        if (offset < 0) throw new IpcException(verb + " " + name + ": offset " + offset + " is negative");
        if (offset + n > size() || offset + n < 0) {
            throw new IpcException(verb + " " + name + ": offset " + offset + " + " + n + " byte" + (n == 1 ? "" : "s")
                    + " is past the end (" + size() + ")");
        }
    }

    private interface Access<T> {
        T run();
    }

    /** FFM's own checks, in the words of the checks above (a close from another thread, a bound missed). */
    private <T> T guarded(String verb, long offset, long n, Access<T> a) {
        try {
            return a.run();
        } catch (IndexOutOfBoundsException e) {
            throw new IpcException(verb + " " + name + ": offset " + offset + " + " + n + " bytes is past the end (" + size() + ")");
        } catch (IllegalStateException e) {
            throw new IpcException(verb + " " + name + ": segment is closed");
        } catch (UnsupportedOperationException e) {
            throw new IpcException(verb + " " + name + ": segment is mapped read-only (opened with :read)");
        } catch (InternalError e) {
            // SIGBUS, which the JVM turns into this for its own memory accesses: the pages are not there
            throw new IpcException(verb + " " + name + ": no memory behind offset " + offset + " (SIGBUS): another process"
                    + " made the object smaller than the mapping, or its file system (/dev/shm) is full");
        }
    }

    @Override
    public String toString() {
        return "#<segment " + kind + " " + name + " " + size() + " bytes " + (closed ? "closed" : writable ? "rw" : "read") + ">";
    }
}
