package ipcsh.shm;

import ipcsh.IpcException;
import ipcsh.os.IpcNames;
import ipcsh.os.AtExit;
import ipcsh.os.Errno;
import ipcsh.os.FileId;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Opens segments of each kind the same way: create when asked (O_EXCL first, so the shell
 * knows whether it made the object), size a new one, map it, close the descriptor (the
 * mapping stays). Only an object this call created is removed on failure or, with
 * {@code temp}, at exit: what the shell only opened belongs to someone else.
 */
public final class Segments {
    private Segments() {}

    /** How to open: read-only or read-write, create, exclusive, :size (-1: none), permissions, temp. */
    public record Request(String builtin, boolean write, boolean create, boolean exclusive, long size, int perms, boolean temp) {
        public Request {
            if (size == 0 || size < -1) {
                throw new IpcException(builtin + ": :size must be at least 1 byte, not " + size);
            }
            if (create && !write) throw new IpcException(builtin + ": :create needs write access; open it :rw");
            if (temp && !create) throw new IpcException(builtin + ": :temp is for an object this call creates; add :create true");
            if (exclusive && !create) throw new IpcException(builtin + ": :exclusive goes with :create true");
        }
    }

    /** A POSIX shared memory object (shm_open, mmap). */
    public static Segment shm(String name, Request r) {
        return shm(name, r, false);
    }

    /**
     * A POSIX shared memory object whose descriptor stays open with the mapping ({@link
     * Segment#fd}: the ring locks its sides on it) and which knows whether this call made it.
     * With create, an existing object of another user is refused before it is sized or
     * mapped: a ring this call would make must not be one another user made first.
     */
    static Segment shm(String name, Request r, boolean keepFd) {
        IpcNames.posix(r.builtin, name);
        LibC c = LibC.get();
        boolean[] created = {false};
        int fd = openExclusiveFirst(r, name, created, flags -> c.shmOpen(name, flags, r.perms));
        if (keepFd && r.create && !created[0]) {
            try {
                ipcsh.os.LibC f = ipcsh.os.LibC.get();
                int owner = f.fstat(fd).uid(), me = f.geteuid();
                if (owner != me) {
                    throw new IpcException(r.builtin + " \"" + name + "\": exists and belongs to uid " + owner + ", not to this user"
                            + " (uid " + me + "); refusing to make a ring in another user's object (open it without :create to"
                            + " join that user's ring)");
                }
            } catch (RuntimeException e) {
                c.close(fd);
                throw e;
            }
        }
        Runnable remove = () -> c.shmUnlink(name);
        Segment s = mapFd(r, "shm", name, fd, created[0], remove, "shm " + name, "/dev/shm" + name, keepFd);
        if (keepFd) s.keep(fd, created[0]);
        return s;
    }

    /** A regular file, mapped: its data outlives every process. */
    public static Segment file(String path, Request r) {
        LibC c = LibC.get();
        boolean[] created = {false};
        int fd = openExclusiveFirst(r, path, created, flags -> c.open(path, flags, r.perms));
        Runnable remove = () -> c.unlink(path);
        return mapFd(r, "mmap", path, fd, created[0], remove, "mmap " + path, path, false);
    }

    private interface Opener {
        int open(int flags);
    }

    private static int openExclusiveFirst(Request r, String name, boolean[] created, Opener o) {
        int access = (r.write ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC;
        try {
            if (r.create) {
                try {
                    int fd = o.open(access | LibC.O_CREAT | LibC.O_EXCL);
                    created[0] = true;
                    return fd;
                } catch (OsException e) {
                    if (e.errno() != Errno.EEXIST || r.exclusive) throw e;
                }
            }
            return o.open(access);
        } catch (OsException e) {
            String hint = switch (Errno.name(e.errno())) {
                case "EEXIST" -> "it exists already and :exclusive asks for a new one";
                case "ENOENT" -> r.create ? null : "it does not exist; {:create true :size n} makes it";
                case "EACCES" -> "its owner or mode does not let this user open it " + (r.write ? ":rw" : ":read");
                default -> null;
            };
            throw new OsException(r.builtin, name, e.errno(), hint);
        }
    }

    /** file: where the object shows as a file (/dev/shm/NAME for shm), to check at exit that it is still the one made. */
    private static Segment mapFd(Request r, String kind, String name, int fd, boolean created, Runnable remove, String atExitKey,
                                 String file, boolean keepFd) {
        LibC c = LibC.get();
        Arena arena = null;
        boolean ok = false;
        try {
            long actual = c.lseek(fd, 0, LibC.SEEK_END);
            long size = r.size;
            if (created || (actual == 0 && size > 0 && r.write)) {
                c.ftruncate(fd, size);
            } else if (size > actual) {
                throw new IpcException(r.builtin + " \"" + name + "\": exists with " + actual + " bytes, fewer than :size " + size);
            } else if (size < 0) {
                if (actual == 0) throw new IpcException(r.builtin + " \"" + name + "\": is empty (0 bytes); give :size to size it");
                size = actual;
            }
            arena = Arena.ofShared();
            int prot = r.write ? LibC.PROT_READ | LibC.PROT_WRITE : LibC.PROT_READ;
            MemorySegment mem = c.mmap(size, prot, LibC.MAP_SHARED, fd, 0, arena);
            if (created && r.temp) AtExit.removeAtExit(atExitKey, file, FileId.of(fd), quietly(remove));
            Segment s = new Segment(kind, name, arena, mem, r.write, null, Map.of());
            ok = true;
            return s;
        } catch (RuntimeException e) {
            if (arena != null) arena.close();
            if (created) quietly(remove).run();
            if (e instanceof OsException os && !os.call().equals(r.builtin)) throw new OsException(r.builtin, name, os.errno());
            throw e;
        } finally {
            if (!ok || !keepFd) c.close(fd);
        }
    }

    /**
     * A System V segment by key (an integer, or a path made a key by ftok with proj), or by id
     * when key is null. Key 0 (IPC_PRIVATE) with create makes a new segment only an id reaches.
     */
    public static Segment sysv(Object key, int proj, long id, Request r) {
        LibC c = LibC.get();
        boolean created = false;
        int shmid;
        String name;
        if (key == null) {
            if (r.create) throw new IpcException(r.builtin + ": :create needs a key, not an :id");
            shmid = (int) id;
            name = "id " + shmid;
        } else {
            int k = IpcNames.sysvKey(r.builtin, key, proj);
            name = String.format("key 0x%08x", k);
            try {
                if (r.create) {
                    if (r.size < 0) throw new IpcException(r.builtin + ": :create needs :size (bytes)");
                    try {
                        shmid = c.shmget(k, r.size, r.perms | LibC.IPC_CREAT | LibC.IPC_EXCL);
                        created = true;
                    } catch (OsException e) {
                        if (e.errno() != Errno.EEXIST || r.exclusive || k == 0) throw e;
                        shmid = c.shmget(k, 0, 0);
                    }
                } else {
                    shmid = c.shmget(k, 0, 0);
                }
            } catch (OsException e) {
                String hint = switch (Errno.name(e.errno())) {
                    case "EEXIST" -> "a segment with this key exists already and :exclusive asks for a new one";
                    case "ENOENT" -> "no System V segment has this key; {:create true :size n} makes one";
                    case "EACCES" -> "its owner or mode does not let this user attach it";
                    default -> null;
                };
                throw new OsException(r.builtin, name, e.errno(), hint);
            }
            name = name + " (id " + shmid + ")";
        }
        Arena arena = Arena.ofShared();
        try {
            long actual;
            try {
                actual = c.shmctlSize(shmid);
            } catch (OsException e) {
                throw new OsException(r.builtin, name, e.errno(),
                        e.errno() == Errno.EINVAL ? "no System V segment has this id (ipcs -m lists them)" : null);
            }
            long size = r.size < 0 ? actual : r.size;
            if (size > actual) {
                throw new IpcException(r.builtin + " " + name + ": exists with " + actual + " bytes, fewer than :size " + size);
            }
            MemorySegment mem;
            try {
                mem = c.shmat(shmid, size, r.write ? 0 : LibC.SHM_RDONLY, arena);
            } catch (OsException e) {
                throw new OsException(r.builtin, name, e.errno(),
                        e.errno() == Errno.EACCES ? "its owner or mode does not let this user attach it" : null);
            }
            int idf = shmid;
            if (created && r.temp) AtExit.register("sysv-shm " + shmid, quietly(() -> c.shmctlRemove(idf)));
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("id", (long) shmid);
            if (key != null) info.put("key", IpcNames.hexKey(IpcNames.sysvKey(r.builtin, key, proj)));
            return new Segment("sysv", name, arena, mem, r.write, null, info);
        } catch (RuntimeException e) {
            arena.close();
            if (created) {
                int idf = shmid;
                quietly(() -> c.shmctlRemove(idf)).run();
            }
            throw e;
        }
    }

    /** Removes a POSIX shared memory object by name (and a ring's doorbells, when it has them). */
    public static void unlink(String builtin, String name) {
        IpcNames.posix(builtin, name);
        AtExit.cancel("shm " + name);
        RingDriver.removeDoorbells(name); // first: the ring's header says where they are
        try {
            LibC.get().shmUnlink(name);
        } catch (OsException e) {
            throw new OsException(builtin, name, e.errno(), e.errno() == Errno.ENOENT ? "no such shared memory object" : null);
        }
    }

    /** Removes the object behind an open segment: its POSIX name, its file, or its System V id. */
    public static void unlink(String builtin, Segment s) {
        switch (s.kind()) {
            case "shm" -> unlink(builtin, s.name());
            case "mmap" -> {
                AtExit.cancel("mmap " + s.name());
                LibC.get().unlink(s.name());
            }
            case "memfd" -> throw new IpcException(builtin + " memfd " + s.name() + ": a memfd has no name to remove; it goes"
                    + " when the last descriptor and mapping of it close");
            default -> {
                long id = (Long) s.info().get("id");
                AtExit.cancel("sysv-shm " + id);
                LibC.get().shmctlRemove((int) id);
            }
        }
    }

    private static Runnable quietly(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException ignored) {
                // removing what is already gone: nothing left to do
            }
        };
    }
}
