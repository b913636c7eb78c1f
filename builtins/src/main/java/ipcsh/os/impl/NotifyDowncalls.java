package ipcsh.os.impl;

import ipcsh.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * sys/inotify.h and memfd_create (sys/mman.h): descriptors that announce changes to files, and
 * anonymous files in memory that are passed to other processes as descriptors.
 */
abstract class NotifyDowncalls extends LockDowncalls {
    private final Link inotifyInit1 = errnoCall("inotify_init1", JAVA_INT, JAVA_INT);
    private final Link inotifyAddWatch = errnoCall("inotify_add_watch", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link inotifyRmWatch = errnoCall("inotify_rm_watch", JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link memfdCreate = errnoCall("memfd_create", JAVA_INT, ADDRESS, JAVA_INT);

    @Override
    public int inotifyInit1(int flags) {
        MemorySegment st = state.get();
        try {
            int fd = (int) inotifyInit1.get().invokeExact(st, flags);
            if (fd < 0) throw new OsException("inotify_init1", null, errno(st));
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int inotifyAddWatch(int fd, String path, int mask) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            int wd = (int) inotifyAddWatch.get().invokeExact(st, fd, CString.of(a, "inotify_add_watch", path), mask);
            if (wd < 0) throw new OsException("inotify_add_watch", path, errno(st));
            return wd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void inotifyRmWatch(int fd, int wd) {
        MemorySegment st = state.get();
        try {
            int r = (int) inotifyRmWatch.get().invokeExact(st, fd, wd);
            if (r < 0) throw new OsException("inotify_rm_watch", "watch " + wd, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int memfdCreate(String name, int flags) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) memfdCreate.get().invokeExact(st, CString.of(a, "memfd_create", name), flags);
            if (fd < 0) throw new OsException("memfd_create", name, errno(st));
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
