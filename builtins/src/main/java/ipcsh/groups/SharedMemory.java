package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.registry.Args;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;
import ipcsh.shm.NumType;
import ipcsh.shm.RingDriver;
import ipcsh.shm.Segment;
import ipcsh.shm.Segments;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Shared memory: POSIX objects, mapped files and System V segments, and a byte ring over shared memory. */
public final class SharedMemory implements Registry.Group {
    private static final String[] OPEN_OPTIONS = {"size", "create", "exclusive", "mode", "temp"};

    @Override
    public String title() {
        return "Shared memory";
    }

    @Override
    public void register(Registry r) {
        r.add("shm", "([name] [name opts] [name access opts])", """
                Opens the POSIX shared memory object name ("/frame": one leading slash, no other) and maps \
                it: returns a segment for the shm- verbs, which every segment kind shares. access is :rw \
                (default) or :read (mapped read-only: writing is an error, never a fault). Options: :size \
                (bytes; needed to create; on an existing object at most its size, and without it the \
                whole object is mapped), :create true (make it when missing; C shm_open O_CREAT), \
                :exclusive true (fail with EEXIST when it exists), :mode (permission bits, default \
                0600), :temp true (remove it when the shell exits, also on SIGINT/SIGTERM, if this call \
                created it). The shell never removes what it only opened: (shm-unlink name) does that on \
                request. (close seg) unmaps; the object stays. Python's \
                multiprocessing.shared_memory.SharedMemory(name="frame") is the same object.""",
                a -> {
                    a.arity(1, 3);
                    String name = a.string(0, "a name like \"/frame\"");
                    Access acc = access(a);
                    return Segments.shm(name, request(a, acc));
                }).returns("any");
        r.add("mmap", "([path] [path opts] [path access opts])", """
                Maps the regular file at path (shared, so other processes mapping it see the same bytes \
                and the data outlives every process): returns a segment. access and options as for shm \
                (:size, :create, :exclusive, :mode default 0600, :temp removes a file this call created). \
                (msync seg) writes changes to the file now; (close seg) unmaps.""",
                a -> {
                    a.arity(1, 3);
                    String path = a.string(0, "a file path");
                    Access acc = access(a);
                    return Segments.file(path, request(a, acc));
                }).returns("any");
        r.add("sysv-shm", "([key] [key opts] [key access opts] [{:id id}])", """
                Attaches a System V shared memory segment and returns a segment. key is an integer (as \
                ipcmk prints it, e.g. 0x1234abcd), a key as ipcs -m and (ipcs) print it ("0x1234abcd" \
                as a string: 0x and eight hex digits) or a path, made a key as ftok(3) does with \
                :proj (default 1); key 0 with :create makes a private segment that only its id reaches. \
                (sysv-shm {:id 32769}) attaches by id, as ipcs -m shows it ({:id 32769 :read true}: \
                read-only). Options as for shm (:size, \
                :create, :exclusive, :mode default 0600, :temp removes a segment this call created, at \
                exit); access :read attaches it read-only. (close seg) detaches; (shm-unlink seg) marks \
                it for removal (IPC_RMID). (segments) shows each one's :key and :id.""",
                a -> {
                    a.arity(1, 3);
                    if (a.get(0) instanceof java.util.Map<?, ?>) {
                        a.arity(1, 1);
                        Options o = a.options(0).only("id", "read");
                        Object id = o.get("id");
                        if (!(id instanceof Long n) || n < 0) throw new IpcException("sysv-shm: :id must be a segment id (an integer ipcs -m shows)");
                        boolean write = !o.flag("read", false);
                        return Segments.sysv(null, 0, n, new Segments.Request("sysv-shm", write, false, false, -1, 0600, false));
                    }
                    Object key = a.get(0) instanceof String ? a.string(0, "a key path") : a.get(0);
                    Access acc = access(a);
                    Options o = acc.opts;
                    o.only("size", "create", "exclusive", "mode", "temp", "proj");
                    int proj = (int) o.integer("proj", 1);
                    Options rest = new Options("sysv-shm", without(o.map(), "proj"));
                    return Segments.sysv(key, proj, -1, request(a, new Access(acc.write, rest)));
                }).returns("any");
        r.add("shm-read", "([seg offset n])", """
                Reads n bytes of seg from offset and returns them (bytes: (String. b) makes text of them). \
                Reading past the end is an error naming offset, count and size.""",
                a -> {
                    a.arity(3, 3);
                    return segment(a).read("shm-read", a.integer(1, "an offset"), a.integer(2, "a byte count"));
                }).returns("Uint8Array");
        r.add("shm-write", "([seg offset data])", """
                Writes data (bytes, or a string as UTF-8) into seg at offset. Returns the number of bytes \
                written. Writing past the end, or into a segment opened :read, is an error and changes nothing.""",
                a -> {
                    a.arity(3, 3);
                    Object d = a.get(2);
                    byte[] b = d instanceof byte[] x ? x : d instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : null;
                    if (b == null) throw a.wrongType(2, "bytes or a string");
                    segment(a).write("shm-write", a.integer(1, "an offset"), b);
                    return (long) b.length;
                }).returns("number");
        r.add("shm-get", "([seg type offset] [seg type offset opts])", """
                The number of the given type at offset in seg: type is :i8 :u8 :i16 :u16 :i32 :u32 :i64 \
                (integers) or :f32 :f64 (floating point), laid out as C lays them out, at any offset. \
                Option :order :big or :little (default: the machine's native order, as a C peer on the \
                same machine writes).""",
                a -> {
                    a.arity(3, 4);
                    NumType t = NumType.of("shm-get", a.word(1, "a type keyword like :u32"));
                    return segment(a).get("shm-get", t, a.integer(2, "an offset"), order(a.options(3)));
                }).returns("any");
        r.add("shm-put", "([seg type offset value] [seg type offset value opts])", """
                Stores value as the given type (see shm-get) at offset in seg; :order as for shm-get. A \
                value that does not fit the type (300 as :u8) is an error. Returns nil. Not atomic across \
                processes for more than one byte: use shm-cas or shm-add, or a semaphore, when another \
                process may write the same bytes.""",
                a -> {
                    a.arity(4, 5);
                    NumType t = NumType.of("shm-put", a.word(1, "a type keyword like :u32"));
                    segment(a).put("shm-put", t, a.integer(2, "an offset"), a.get(3), order(a.options(4)));
                    return null;
                }).returns("void");
        r.add("shm-cas", "([seg type offset expected new])", """
                Atomic compare-and-set: if the :i32 or :i64 at offset holds expected, stores new; returns \
                true when it did. The offset must be aligned (a multiple of 4 for :i32, 8 for :i64); native \
                byte order. Other processes see it as C11 atomic_compare_exchange_strong on the same cell.""",
                a -> {
                    a.arity(5, 5);
                    NumType t = NumType.of("shm-cas", a.word(1, ":i32 or :i64"));
                    return segment(a).cas("shm-cas", t, a.integer(2, "an offset"), a.get(3), a.get(4));
                }).returns("boolean");
        r.add("shm-add", "([seg type offset delta])", """
                Atomic fetch-and-add on the :i32 or :i64 at offset (aligned, native order): adds delta and \
                returns the value before, as C11 atomic_fetch_add does. A counter several processes \
                increment with it needs no lock. :i32 wraps around.""",
                a -> {
                    a.arity(4, 4);
                    NumType t = NumType.of("shm-add", a.word(1, ":i32 or :i64"));
                    return segment(a).add("shm-add", t, a.integer(2, "an offset"), a.integer(3, "a delta"));
                }).returns("number");
        r.add("shm-size", "([seg])", """
                The size of seg in bytes (what is mapped).""",
                a -> segment(a.arity(1, 1)).size()).returns("number");
        r.add("msync", "([seg])", """
                Writes the changes made to a mapped file (mmap) back to the file now and waits for that \
                (msync MS_SYNC); they would reach it anyway, later. Harmless on other segments. Returns nil.""",
                a -> {
                    segment(a.arity(1, 1)).sync("msync");
                    return null;
                }).returns("void");
        r.add("shm-unlink", "([name] [seg])", """
                Removes the POSIX shared memory object name ("/frame"), and a ring's doorbell FIFOs with it: \
                processes that have it mapped keep their mapping, new opens fail. Given a segment, removes \
                what is behind it: its POSIX name, its file (mmap), or its System V segment (IPC_RMID, \
                gone once the last process detaches). Returns nil.""",
                a -> {
                    a.arity(1, 1);
                    if (!(a.get(0) instanceof Segment s)) {
                        Segments.unlink("shm-unlink", a.string(0, "a name like \"/frame\" or a segment"));
                        return null;
                    }
                    try {
                        Segments.unlink("shm-unlink", s);
                    } catch (ipcsh.os.OsException e) {
                        // unlink(2) or shmctl(2) failed for a file or System V segment: named by the builtin, as for a name
                        if (e.call().equals("shm-unlink")) throw e;
                        throw new ipcsh.os.OsException("shm-unlink", s.name(), e.errno());
                    }
                    return null;
                }).returns("void");
        r.add("segments", "([])", """
                The open segments, oldest first, each a map of :kind (:shm :mmap :sysv), :name, :size, \
                :access, :segment (the segment itself) and, for System V, :id and :key (as ipcs prints \
                it, "0x1234abcd").""",
                a -> {
                    a.arity(0, 0);
                    List<Object> out = new ArrayList<>();
                    for (Segment s : Segment.list()) out.add(s.describe());
                    return out;
                }).returns("any[]");
        r.add("shm-ring", "([name] [name opts] [name role] [name role opts])", """
                A byte stream through shared memory: a single-producer, single-consumer ring in the POSIX \
                object name, as a channel (gets, puts, read, write, copy, framing, on-readable, \
                on-writable, :timeout; the reader sees end of stream once the writer closes, the writer \
                gets EPIPE once the reader has closed). role is :write or :read; without it, a call that \
                creates is the writer and one that opens is the reader. (shm-ring "/feed" {:size (* 4 \
                1024 1024) :create true}) on one side, (shm-ring "/feed") on the other. Options: :size \
                (bytes the ring holds when this call creates it, default 1 MiB; its segment is one \
                4096-byte page more, for the header), :create (an existing object of another user is \
                refused, not made a ring), :exclusive, :mode (default \
                0600; the doorbells get it too), :temp (remove the segment and doorbells at exit if this call created the ring; \
                without it the ring stays until shm-unlink), and any \
                channel option; all are checked before anything is made, and a call that fails removes \
                what it made. Bytes \
                move with no system call; a side that must wait sleeps on a doorbell FIFO the other side \
                touches only then, in a directory under /tmp that only the ring's owner can write. A ring \
                has one writer and one reader: opening a side another channel holds (in this process or \
                another) is an error; the side is free once its holder closes it or dies, and a new writer \
                goes on where the last one stopped. A writer whose shell ends without closing (exit, \
                SIGTERM, SIGINT) still closes its end; one killed with SIGKILL cannot, so a reader that \
                must not wait forever sets :timeout. A segment another process makes smaller under a ring \
                is an error (SIGBUS) on the next read or write, not a crash. (shm-unlink name) removes a \
                ring and its doorbells.
                """ + RingDriver.LAYOUT,
                a -> {
                    a.arity(1, 3);
                    String name = a.string(0, "a name like \"/feed\"");
                    String role = null;
                    Options o;
                    if (a.get(1) instanceof Keyword || a.get(1) instanceof String) {
                        role = a.word(1, ":write or :read");
                        if (!role.equals("write") && !role.equals("read")) throw a.wrongType(1, ":write or :read");
                        o = a.options(2);
                    } else {
                        a.arity(1, 2);
                        o = a.options(1);
                    }
                    // everything is checked before the segment, its doorbells or a lock exist
                    ipcsh.os.IpcNames.posix("shm-ring", name);
                    Channel.checkOptions("shm-ring", o.map(), "size", "create", "exclusive", "mode", "temp");
                    boolean create = o.flag("create", false);
                    boolean writer = role == null ? create : role.equals("write");
                    long size = create ? ipcsh.ArgCheck.size("shm-ring", "option :size", o.has("size") ? o.get("size") : 1024L * 1024,
                            1, Long.MAX_VALUE / 2) : -1;
                    if (o.has("size") && !create) ipcsh.ArgCheck.size("shm-ring", "option :size", o.get("size"), 1, Long.MAX_VALUE);
                    int mode = o.mode("mode", 0600);
                    boolean temp = o.flag("temp", false), exclusive = o.flag("exclusive", false);
                    if (temp && !create) throw new IpcException("shm-ring: :temp is for a ring this call creates; add :create true");
                    if (exclusive && !create) throw new IpcException("shm-ring: :exclusive goes with :create true");
                    Object t = o.get("timeout");
                    long timeout = t == null ? -1 : ipcsh.ArgCheck.duration("shm-ring", "option :timeout", t);
                    Channel ch = RingDriver.open("shm-ring", name, writer, create, exclusive, size, mode, temp, timeout);
                    return PipesAndFiles.configureRest(ch, o, "size", "create", "exclusive", "mode", "temp");
                }).returns("Channel");
    }

    private record Access(boolean write, Options opts) {}

    /** The optional access keyword at 1 and the options after it. */
    private static Access access(Args a) {
        Object x = a.get(1);
        if (x instanceof Keyword || x instanceof String) {
            String w = a.word(1, ":rw or :read");
            if (!w.equals("rw") && !w.equals("read")) throw a.wrongType(1, ":rw or :read");
            return new Access(w.equals("rw"), a.options(2));
        }
        if (a.size() > 2) throw a.usage();
        return new Access(true, a.options(1));
    }

    private static Segments.Request request(Args a, Access acc) {
        Options o = acc.opts;
        if (!a.name().equals("sysv-shm")) o.only(OPEN_OPTIONS);
        long size = -1;
        if (o.has("size")) {
            size = o.integer("size", -1);
            if (size < 1) throw new IpcException(a.name() + ": :size must be at least 1 byte, not " + size);
        }
        boolean create = o.flag("create", false);
        if (create && size < 0 && !a.name().equals("sysv-shm")) {
            throw new IpcException(a.name() + ": :create needs :size (bytes)");
        }
        return new Segments.Request(a.name(), acc.write, create, o.flag("exclusive", false), size,
                o.mode("mode", 0600), o.flag("temp", false));
    }

    private static java.util.Map<String, Object> without(java.util.Map<String, Object> m, String key) {
        java.util.Map<String, Object> c = new java.util.LinkedHashMap<>(m);
        c.remove(key);
        return c;
    }

    private static Segment segment(Args a) {
        if (a.get(0) instanceof Segment s) return s;
        throw a.wrongType(0, "a segment (from shm, mmap or sysv-shm)");
    }

    private static ByteOrder order(Options o) {
        o.only("order");
        String w = o.word("order", null);
        if (w == null) return ByteOrder.nativeOrder();
        return switch (w) {
            case "big" -> ByteOrder.BIG_ENDIAN;
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            default -> throw new IpcException("option :order must be :big or :little, not :" + w);
        };
    }
}
