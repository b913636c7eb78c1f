package ipcsh.lock;

import ipcsh.os.FileId;
import ipcsh.os.FileStat;
import ipcsh.os.LibC;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The descriptors of released locks, one per path, kept for the next lock of that path: a with-lock
 * cycle is then lstat, lock, unlock instead of open, fstat, lock, close (bench/run locks). A kept
 * descriptor is used again only while the path still names its file (lstat: the same st_dev and
 * st_ino, not a symbolic link), so a lock file removed or replaced since is opened anew and the
 * lock lands on the file others open. It holds no lock while kept, and is close-on-exec.
 */
final class IdleFds {
    private static final int MAX = 16;
    /** An open lock file: its descriptor, the file it is, and whether it was opened read-only. */
    record Idle(int fd, FileId id, boolean readOnly) {}

    /** Oldest first; a path's entry is taken out while its descriptor holds a lock. */
    private static final Map<String, Idle> IDLE = new LinkedHashMap<>();

    private IdleFds() {}

    /** A kept descriptor still naming path's file (read-only ones only for a shared lock), or null. */
    static Idle take(String path, boolean shared) {
        Idle idle;
        synchronized (IDLE) {
            idle = IDLE.get(path);
            if (idle == null || (idle.readOnly() && !shared)) return null;
            IDLE.remove(path);
        }
        if (idle.id().equals(lstat(path))) return idle;
        LibC.get().close(idle.fd());
        return null;
    }

    /** Keeps an open lock file (just unlocked) for path; false when it is not kept, for the caller to close. */
    static boolean keep(String path, Idle open) {
        Idle evicted = null;
        synchronized (IDLE) {
            if (IDLE.containsKey(path)) return false;
            if (IDLE.size() >= MAX) {
                Map.Entry<String, Idle> oldest = IDLE.entrySet().iterator().next();
                evicted = oldest.getValue();
                IDLE.remove(oldest.getKey());
            }
            IDLE.put(path, open);
        }
        if (evicted != null) LibC.get().close(evicted.fd());
        return true;
    }

    private static FileId lstat(String path) {
        try {
            FileStat st = LibC.get().fstatat(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW);
            return st.type() == LibC.S_IFREG ? new FileId(st.dev(), st.ino()) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
