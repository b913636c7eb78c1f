package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.lock.FileLock;
import ipcsh.lock.LockTable;
import ipcsh.registry.Args;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;
import ipcsh.shm.Mutex;
import ipcsh.shm.Segment;

import java.util.LinkedHashMap;
import java.util.Map;

/** File locks (OFD and flock), the holders of a file's locks, and robust mutexes in shared memory. */
public final class Locks implements Registry.Group {
    @Override
    public String title() {
        return "Locks";
    }

    @Override
    public void register(Registry r) {
        r.add("lock", "([path] [path opts] [l] [l opts])", """
                Takes an advisory lock on the whole file at path (for scripts what flock(1) is for sh) and returns a lock handle. \
                (unlock l) releases it and (lock l) takes it again on the same descriptor (a loop's cheap \
                cycle: no open, no look at the path, as a program that keeps the file open); (close l) \
                releases it and the descriptor, and so does the shell's exit or death. The with-lock form locks \
                around a body and releases on every way out. The lock is an open file description lock \
                (fcntl F_OFD_SETLK, whole file): it excludes other OFD locks and POSIX record locks \
                (lockf(3), Python's fcntl.lockf, fcntl F_SETLK) from any process, and every (lock) \
                is its own, so two in one shell exclude each other too. It does not exclude flock(1) \
                or flock(2) on a local file system (ext4, xfs, btrfs, tmpfs: Linux keeps the two kinds \
                apart; on NFS it makes flock a byte-range lock, so there they do exclude each other); \
                {:flock true} takes a flock(2) lock instead, the kind flock(1) and Python's \
                fcntl.flock take, for scripts that cooperate with those. Options: :shared true (a read \
                lock: shared with other shared locks, excludes exclusive ones), :wait false (nil at \
                once when another holds it), :timeout ms (wait at most that long, then a timeout error \
                naming the holders), :flock true, :mode (permission bits of a file the lock makes, \
                default 0644, before the umask). Without :wait false it waits as long as it takes; \
                Ctrl-C breaks the wait. A wait retries every 0.2 ms doubling to 8 ms (fcntl's own wait \
                cannot time out), so a release is seen within one pause (8 ms at most) and the scheduler's delay; a waiter has no place in a queue. \
                The file is made when missing, opened with O_NOFOLLOW (a symbolic link at path is \
                refused, ELOOP) and must be a regular file; it is never removed (removing a lock \
                file while others wait on it breaks the exclusion).""",
                a -> {
                    if (a.arity(1, 2).get(0) instanceof FileLock held) {
                        if (!a.has(1)) return held.relock("lock", true, -1); // a loop's cycle: no options to read
                        Options o = a.options(1).only("wait", "timeout");
                        boolean wait = o.flag("wait", true);
                        long timeout = o.duration("timeout", -1);
                        if (!wait && o.has("timeout")) throw new IpcException("lock: :wait false and :timeout do not go together");
                        return held.relock("lock", wait, timeout);
                    }
                    if (!(a.get(0) instanceof String)) throw a.wrongType(0, "a file's path or a lock (from lock)");
                    String path = a.string(0, "a file's path");
                    Options o = a.options(1).only("shared", "wait", "timeout", "flock", "mode");
                    boolean shared = o.flag("shared", false), wait = o.flag("wait", true), flock = o.flag("flock", false);
                    long timeout = o.duration("timeout", -1);
                    int mode = o.mode("mode", 0644);
                    if (!wait && o.has("timeout")) throw new IpcException("lock: :wait false and :timeout do not go together");
                    return FileLock.take("lock", path, shared, flock, wait, timeout, mode);
                }).returns("any");
        r.add("unlock", "([l])", """
                Releases the lock l (from lock). The handle keeps its descriptor, so (lock l) can take the \
                lock again; (close l) gives the descriptor up too. Returns true, or false when l was not held.""",
                a -> {
                    if (!(a.arity(1, 1).get(0) instanceof FileLock l)) throw a.wrongType(0, "a lock (from lock)");
                    return l.unlock();
                }).returns("boolean");
        r.add("locks", "([path])", """
                Lists who holds locks on the file at path, as a vector of maps. From /proc/locks (matched by \
                device and inode); each map has :pid and :command of the holder, :type (:ofd for lock's own, :posix for \
                lockf/fcntl record locks, :flock for flock(1)/flock(2)), :mode (:shared or :exclusive), \
                :start and :end (byte range; :end nil means to the end of the file, as a whole-file \
                lock is) and :waiting (true for a process blocked waiting for it). An OFD lock belongs to \
                an open file description, not a process (/proc/locks says pid -1): it shows once per \
                process that has that description open, found in /proc/PID/fdinfo; another user's \
                processes are seen only by root.""",
                a -> LockTable.of("locks", a.arity(1, 1).string(0, "a file's path"))).returns("any[]");
        r.add("mutex", "([seg offset] [seg offset opts])", """
                A robust, process-shared mutex at offset of the segment seg. The offset is a multiple of 8 \
                and seg comes from shm, mmap or sysv-shm; the mutex is a glibc pthread_mutex_t, 40 bytes on x86_64 (48 on aarch64), \
                initialised with PTHREAD_PROCESS_SHARED, PTHREAD_MUTEX_ROBUST and \
                PTHREAD_MUTEX_ERRORCHECK, so a C program maps the same object and calls \
                pthread_mutex_lock on the same bytes. Bytes that are all zero (a new segment) become \
                such a mutex on first use, once even when processes start together; {:init true} makes \
                one whatever is there (only while nobody uses it). Lock it with with-mutex or \
                lock-mutex and unlock-mutex. When a holder dies holding it (killed, crashed), the \
                next locker gets it with {:owner-died true}: the data it guards may be half-updated, \
                so repair it, then unlock. The holder is the interpreter thread, the one thread that \
                may unlock it.""",
                a -> {
                    if (!(a.arity(2, 3).get(0) instanceof Segment seg)) throw a.wrongType(0, "a segment (from shm, mmap or sysv-shm)");
                    long offset = a.integer(1, "a byte offset");
                    Options o = a.options(2).only("init");
                    return Mutex.at("mutex", seg, offset, o.flag("init", false));
                }).returns("any");
        r.add("lock-mutex", "([m] [m opts])", """
                Locks the mutex m (from mutex), waiting while another holds it; Ctrl-C breaks the wait. \
                Returns {:owner-died false}, or {:owner-died true} when the previous holder died \
                holding it: this shell holds it now and should repair what it guards before \
                unlock-mutex. Options: :timeout ms (then a timeout error), :wait false (nil at once when \
                another holds it).""",
                a -> {
                    Mutex m = mutex(a.arity(1, 2));
                    Options o = a.options(1).only("timeout", "wait");
                    long timeout = o.duration("timeout", -1);
                    if (!o.flag("wait", true)) {
                        if (o.has("timeout")) throw new IpcException("lock-mutex: :wait false and :timeout do not go together");
                        Boolean died = m.tryLock("lock-mutex");
                        return died == null ? null : state(died);
                    }
                    return state(m.lock("lock-mutex", timeout));
                }).returns("{ \"owner-died\": boolean }");
        r.add("unlock-mutex", "([m] [m opts])", """
                Unlocks the mutex m, which this shell locked. After {:owner-died true}, unlocking says \
                the repair is done (pthread_mutex_consistent): the next locker gets a normal mutex. \
                {:repaired false} unlocks without that, leaving the mutex unusable for everyone \
                (ENOTRECOVERABLE, until (mutex seg offset {:init true})), so nobody goes on with data \
                a failed repair left; with-mutex does so when its body throws after an owner's death. \
                Returns nil.""",
                a -> {
                    Mutex m = mutex(a.arity(1, 2));
                    Options o = a.options(1).only("repaired");
                    m.unlock("unlock-mutex", o.flag("repaired", true));
                    return null;
                }).returns("void");
    }

    private static Map<String, Object> state(boolean ownerDied) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("owner-died", ownerDied);
        return s;
    }

    private static Mutex mutex(Args a) {
        if (a.get(0) instanceof Mutex m) return m;
        throw a.wrongType(0, "a mutex (from mutex)");
    }
}
