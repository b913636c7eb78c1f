package ipcsh.os;

import ipcsh.os.impl.FfmFileCalls;

/**
 * The calls that open files by descriptor rather than by a path someone else can change:
 * the *at family relative to a directory descriptor, fstat with owner and identity, fchmod,
 * and open-file-description locks. C mirrors with {@link LibC}'s conventions (an
 * {@link OsException} naming the call, EINTR retried). Kept beside {@link LibC}, whose
 * implementation is already past its size, until the next issue splits it.
 */
public interface FileCalls {
    /** The directory descriptor meaning "the current directory" (paths are then as for open). */
    int AT_FDCWD = -100;
    int AT_REMOVEDIR = 0x200;
    boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    /** Differ between x86_64 and aarch64 (asm-generic). */
    int O_DIRECTORY = AARCH64 ? 040000 : 0200000, O_NOFOLLOW = LibC.O_NOFOLLOW;
    int S_IFDIR = 0040000;

    static FileCalls get() {
        return FfmFileCalls.INSTANCE;
    }

    /** What fstat(2) says about a descriptor: type and permission bits, owner, and identity. */
    record Stat(int mode, int uid, long dev, long ino, long size) {
        public int type() { return mode & LibC.S_IFMT; }
        public int perms() { return mode & 07777; }
    }

    /** openat(2); returns the new descriptor. */
    int openat(int dirfd, String path, int flags, int mode);

    /** mkdirat(2). */
    void mkdirat(int dirfd, String path, int mode);

    /** mkfifoat(3). */
    void mkfifoat(int dirfd, String path, int mode);

    /** unlinkat(2); flags 0 or {@link #AT_REMOVEDIR}. */
    void unlinkat(int dirfd, String path, int flags);

    /** fchmod(2). */
    void fchmod(int fd, int mode);

    /** fstat(2). */
    Stat fstat(int fd);

    /** geteuid(2). */
    int geteuid();

    /**
     * fcntl(fd, F_OFD_SETLK) with a write lock on len bytes from start: true when taken, false
     * when another open file description holds a conflicting lock (EAGAIN, EACCES). The kernel
     * drops it when the last descriptor of this open file description closes, also when the
     * process dies.
     */
    boolean ofdWriteLock(int fd, long start, long len);
}
