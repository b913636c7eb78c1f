package ipcsh.shm;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Anonymous shared memory (memfd_create): a segment with no name in any directory, shared by
 * handing its descriptor to another process (spawn's :fds). Seals (F_ADD_SEALS) bind every
 * descriptor of it, ours and the receiver's: :shrink and :grow fix the size, :write forbids
 * writing to every process (so this shell maps it read-only too, after :data is in), and
 * :future-write forbids it to everyone who maps or writes from now on while this shell keeps
 * its writable mapping.
 */
public final class Memfds {
    private Memfds() {}

    /** The seals :seal takes and their bits. */
    private static final Map<String, Integer> SEALS = Map.of("shrink", LibC.F_SEAL_SHRINK, "grow", LibC.F_SEAL_GROW,
            "write", LibC.F_SEAL_WRITE, "future-write", LibC.F_SEAL_FUTURE_WRITE, "seal", LibC.F_SEAL_SEAL);

    /** The bits of the seals named; an unknown one is an error listing the known ones (checked before anything is made). */
    public static int seals(List<String> names) {
        int bits = 0;
        for (String n : names) {
            Integer b = SEALS.get(n);
            if (b == null) throw new IpcException("memfd: unknown seal :" + n + "; seals are :shrink :grow :write :future-write :seal");
            bits |= b;
        }
        return bits;
    }

    /** A new memfd of size bytes holding data at its start (may be null), then sealed. */
    public static Segment create(String name, long size, byte[] data, int seals) {
        if (size < 1) throw new IpcException("memfd \"" + name + "\": :size must be at least 1 byte, not " + size);
        if (data != null && data.length > size) {
            throw new IpcException("memfd \"" + name + "\": :data (" + data.length + " bytes) is larger than :size " + size);
        }
        LibC c = LibC.get();
        int fd = c.memfdCreate(name, LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        Arena arena = null;
        try {
            c.ftruncate(fd, size);
            boolean writable = (seals & LibC.F_SEAL_WRITE) == 0;
            if (data != null && data.length > 0) {
                // through a mapping of our own that is gone before a :write seal (EBUSY while one is there)
                try (Arena fill = Arena.ofConfined()) {
                    MemorySegment m = c.mmap(data.length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0, fill);
                    MemorySegment.copy(MemorySegment.ofArray(data), 0, m, 0, data.length);
                }
            }
            if (!writable) seal(fd, name, seals);
            arena = Arena.ofShared();
            int prot = writable ? LibC.PROT_READ | LibC.PROT_WRITE : LibC.PROT_READ;
            MemorySegment mem = c.mmap(size, prot, LibC.MAP_SHARED, fd, 0, arena);
            if (writable && seals != 0) seal(fd, name, seals);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("fd", (long) fd);
            info.put("seals", sealNames(seals));
            Segment s = new Segment("memfd", name, arena, mem, writable, null, info);
            s.keep(fd, true);
            return s;
        } catch (RuntimeException e) {
            if (arena != null) arena.close();
            c.close(fd);
            throw e;
        }
    }

    private static void seal(int fd, String name, int seals) {
        try {
            LibC.get().fcntl(fd, LibC.F_ADD_SEALS, seals);
        } catch (OsException e) {
            throw new OsException("memfd", name, e.errno(), e.errno() == Errno.EINVAL
                    ? "this kernel does not know one of the seals (:future-write needs Linux 5.1)" : null);
        }
    }

    private static List<Object> sealNames(int bits) {
        List<Object> out = new ArrayList<>();
        for (String n : List.of("shrink", "grow", "write", "future-write", "seal")) {
            if ((bits & SEALS.get(n)) != 0) out.add(Keyword.of(n));
        }
        return out;
    }

    /** The descriptor a segment keeps open (a memfd's, to hand to a child), or -1. */
    public static int descriptor(Segment s) {
        return s.isClosed() ? -1 : s.fd();
    }
}
