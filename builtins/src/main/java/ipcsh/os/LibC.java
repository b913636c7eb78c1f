package ipcsh.os;

/**
 * The C library calls ipcsh makes, mirrored one to one, grouped as the C headers group them.
 * This interface and its implementation (in {@code ipcsh.os.impl}, the JDK's FFM API, found
 * through META-INF/services) are the only native code in ipcsh; struct layouts are decoded
 * beside it ({@link SockAddr}, {@link SigAction}, {@link FileStat}).
 *
 * <p>Conventions: a call that fails throws {@link OsException} naming the call, the subject
 * (path when there is one) and errno, captured per call. EINTR is retried. The calls used on
 * non-blocking descriptors ({@link #read}, {@link #write}, {@link #splice}) return
 * {@link #WOULD_BLOCK} for EAGAIN instead of throwing, since it is their normal outcome.
 * The implementation is loaded on first use.
 */
public interface LibC {
    int WOULD_BLOCK = -1;

    /** The one implementation, loaded when first asked for. */
    static LibC get() {
        return Impl.INSTANCE;
    }

    /**
     * Links now the native calls that a script's first spawn, its first wait on a channel and
     * its close make (each call is otherwise linked when first made, milliseconds per call
     * shape). Called on a thread of its own while a script starts ({@link LinkAhead}); an
     * implementation without linking has nothing to do.
     */
    default void linkAhead() {}

    /** Holds the implementation: ServiceLoader, so that this interface does not name it and a test can put another first. */
    final class Impl {
        private Impl() {}

        static final LibC INSTANCE = java.util.ServiceLoader.load(LibC.class, LibC.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no ipcsh.os.LibC implementation on the class path"));
    }

    // ------------------------------------------------------------ fcntl.h, sys/stat.h, unistd.h

    int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200, O_NOCTTY = 0400,
        O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
    boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    /**
     * open(2) refuses a symbolic link as the last component (ELOOP), or anything but a directory;
     * the values differ between x86_64 and aarch64 (asm-generic).
     */
    int O_NOFOLLOW = AARCH64 ? 0100000 : 0400000, O_DIRECTORY = AARCH64 ? 040000 : 0200000;
    int F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030, F_GETPIPE_SZ = 1032, F_SETPIPE_SZ = 1031;
    /** The directory descriptor meaning "the current directory" (paths are then as for open). */
    int AT_FDCWD = -100;
    int AT_REMOVEDIR = 0x200;
    int SPLICE_F_MOVE = 1, SPLICE_F_NONBLOCK = 2, SPLICE_F_MORE = 4;
    int S_IFMT = 0170000, S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFDIR = 0040000, S_IFBLK = 0060000,
        S_IFREG = 0100000, S_IFLNK = 0120000, S_IFSOCK = 0140000;
    int SEEK_END = 2;
    /** fcntl(2) file seals (memfd_create's MFD_ALLOW_SEALING objects): what no descriptor of the file may do any more. */
    int F_ADD_SEALS = 1033, F_GET_SEALS = 1034, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8,
        F_SEAL_FUTURE_WRITE = 0x10;

    /** open(2); returns the new descriptor. */
    int open(String path, int flags, int mode);

    /** close(2). */
    void close(int fd);

    /** read(2) into {@code buf[off..off+len)}: bytes read, 0 at end of file, or WOULD_BLOCK. */
    int read(int fd, byte[] buf, int off, int len);

    /** write(2) from {@code buf[off..off+len)}: bytes written or WOULD_BLOCK. */
    int write(int fd, byte[] buf, int off, int len);

    /** read(2) into native memory (a mapping): bytes read, 0 at end of file, or WOULD_BLOCK. */
    long read(int fd, java.lang.foreign.MemorySegment dst);

    /** write(2) from native memory (a mapping): bytes written or WOULD_BLOCK. */
    long write(int fd, java.lang.foreign.MemorySegment src);

    /** pipe2(2): {read end, write end}. */
    int[] pipe2(int flags);

    /** mkfifo(3). */
    void mkfifo(String path, int mode);

    /** unlink(2). */
    void unlink(String path);

    /** fcntl(2) with an int argument. */
    int fcntl(int fd, int cmd, int arg);

    /** splice(2) between descriptors at their current offsets: bytes moved, 0 at EOF, or WOULD_BLOCK. */
    long splice(int fdIn, int fdOut, long len, int flags);

    /** dup2(2): makes newfd a copy of oldfd (closing newfd first). */
    void dup2(int oldfd, int newfd);

    /** ftruncate(2): sets the size of the file or shared memory object; new bytes read as zero. */
    void ftruncate(int fd, long length);

    /** lseek(2): the resulting offset (with SEEK_END and 0, the size). */
    long lseek(int fd, long offset, int whence);

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

    /** fstat(2): type and permission bits, owner and identity. */
    FileStat fstat(int fd);

    /** geteuid(2). */
    int geteuid();

    /**
     * fcntl(fd, F_OFD_SETLK) with a write lock on len bytes from start: true when taken, false
     * when another open file description holds a conflicting lock (EAGAIN, EACCES). The kernel
     * drops it when the last descriptor of this open file description closes, also when the
     * process dies.
     */
    boolean ofdWriteLock(int fd, long start, long len);

    // ------------------------------------------------------------ poll.h, sys/eventfd.h, sys/epoll.h

    short POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    int EFD_NONBLOCK = 04000, EFD_CLOEXEC = 02000000;
    int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    int EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDHUP = 0x2000,
        EPOLLONESHOT = 1 << 30;

    /**
     * poll(2) over {@code fds} with {@code events}; fills {@code revents}; returns the number
     * of ready descriptors, 0 on timeout. A negative timeout waits forever.
     */
    int poll(int[] fds, short[] events, short[] revents, int timeoutMs);

    /** eventfd(2). */
    int eventfd(int initval, int flags);

    /** epoll_create1(2). */
    int epollCreate();

    /** epoll_ctl(2); {@code data} is handed back by {@link #epollWait}. */
    void epollCtl(int epfd, int op, int fd, int events, long data);

    /**
     * epoll_wait(2): waits up to {@code timeoutMs} (negative: forever) and fills
     * {@code events[i]} and {@code data[i]}; returns how many are filled.
     */
    int epollWait(int epfd, int[] events, long[] data, int timeoutMs);

    // ------------------------------------------------------------ spawn.h, sys/wait.h, unistd.h (processes)

    int WNOHANG = 1;

    /**
     * posix_spawnp(3): runs {@code argv} with {@code env} ("K=V" strings) in {@code dir}
     * (null: the current one), the child's descriptor i taken from {@code stdio[i]} (-1: for 0, 1
     * and 2 inherited, past them closed); stdio may be longer than 3 to give the child more. A
     * source past 2 must not be a target too (dup it above the highest target first). Every
     * other descriptor of ours is closed in the child. Returns the pid.
     */
    default int spawn(String[] argv, String[] env, String dir, int[] stdio) {
        return spawn(argv, env, dir, stdio, false);
    }

    /**
     * posix_spawnp(3) as {@link #spawn(String[], String[], String, int[])}; with newSession the
     * child starts a session of its own (POSIX_SPAWN_SETSID, setsid(2)): no controlling terminal,
     * so a terminal's Ctrl-C and hang-up do not reach it.
     */
    int spawn(String[] argv, String[] env, String dir, int[] stdio, boolean newSession);

    /**
     * posix_spawnp(3) of {@code argv} in a new session (POSIX_SPAWN_SETSID) whose controlling
     * terminal is the terminal at {@code tty}: the child opens it after setsid, so it becomes the
     * session's terminal, and takes it as descriptors 0, 1 and 2. Otherwise as {@link #spawn}.
     */
    int spawnOnTerminal(String[] argv, String[] env, String dir, String tty);

    /** waitpid(2): {pid, raw status}, or {0, 0} with WNOHANG when the child still runs. */
    int[] waitpid(int pid, int options);

    /** pidfd_open(2): a descriptor that polls readable when the process exits. */
    int pidfdOpen(int pid);

    /** getpid(2). */
    int getpid();

    /** gettid(2): the calling thread's kernel id. */
    int gettid();

    /**
     * sched_setscheduler(2) SCHED_BATCH for the calling thread: woken, it waits for its turn
     * instead of preempting the thread that woke it. False when the kernel refused.
     */
    boolean scheduleAsBatch();

    // ------------------------------------------------------------ sys/socket.h, netinet/in.h, netinet/tcp.h, netdb.h

    int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_UNSPEC = 0;
    int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    int SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_PEERCRED = 17, SO_ACCEPTCONN = 30, SO_DOMAIN = 39;
    int IPPROTO_TCP = 6, TCP_NODELAY = 1, IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26;
    int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
    /** MSG_PEEK looks without taking; MSG_TRUNC reports a datagram's real length even when it does not fit. */
    int MSG_PEEK = 0x2, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;

    /** socket(2); returns the new descriptor. */
    int socket(int domain, int type, int protocol);

    /** socketpair(2): two connected sockets of domain (AF_UNIX) and type (SOCK_STREAM, SOCK_DGRAM, with SOCK_* flags). */
    int[] socketpair(int domain, int type, int protocol);

    /** bind(2) to {@code addr}, a struct sockaddr as bytes ({@link SockAddr}). */
    void bind(int fd, byte[] addr);

    /**
     * connect(2) to {@code addr}: true when connected, false when a non-blocking connect is in
     * progress (EINPROGRESS, or EAGAIN for a unix socket whose server's backlog is full).
     */
    boolean connect(int fd, byte[] addr);

    /** listen(2). */
    void listen(int fd, int backlog);

    /** accept4(2) without the peer's address (see {@link #getpeername}): the new descriptor or WOULD_BLOCK. */
    int accept4(int fd, int flags);

    /** getsockopt(2): up to {@code len} bytes of the option's value. */
    byte[] getsockopt(int fd, int level, int option, int len);

    /** getsockopt(2) of an int option. */
    int getsockoptInt(int fd, int level, int option);

    /** setsockopt(2) of an int option. */
    void setsockoptInt(int fd, int level, int option, int value);

    /** getsockname(2): the local address as a struct sockaddr's bytes. */
    byte[] getsockname(int fd);

    /** getpeername(2): the peer's address as a struct sockaddr's bytes. */
    byte[] getpeername(int fd);

    /**
     * sendto(2) of {@code buf[off..off+len)} to {@code addr} (null: the connected peer), with
     * MSG_NOSIGNAL added: bytes sent or WOULD_BLOCK.
     */
    int sendto(int fd, byte[] buf, int off, int len, int flags, byte[] addr);

    /**
     * recvfrom(2) into {@code buf[off..off+len)}: bytes received or WOULD_BLOCK. The sender's
     * address goes to {@code from[0]} (when from is not null; an empty array for an unnamed sender).
     */
    int recvfrom(int fd, byte[] buf, int off, int len, int flags, byte[][] from);

    /** SCM_RIGHTS: a control message of descriptors; SCM_MAX_FD: the most one message carries (Linux). */
    int SCM_RIGHTS = 1, SCM_MAX_FD = 253;
    /** MSG_CTRUNC: control data was cut (descriptors lost); MSG_CMSG_CLOEXEC: descriptors received are close-on-exec. */
    int MSG_CTRUNC = 0x8, MSG_CMSG_CLOEXEC = 0x40000000;

    /**
     * sendmsg(2) of {@code buf[off..off+len)} to {@code addr} (null: the connected peer) with
     * {@code fds} as one SCM_RIGHTS control message (none when empty), MSG_NOSIGNAL added:
     * bytes sent (the descriptors went with them) or WOULD_BLOCK (nothing went).
     */
    int sendmsg(int fd, byte[] buf, int off, int len, int[] fds, int flags, byte[] addr);

    /**
     * recvmsg(2) into {@code buf[off..off+len)} with room for {@code maxFds} descriptors,
     * MSG_CMSG_CLOEXEC added: what came (the sender's address too when {@code from}), or null
     * for EAGAIN. Every descriptor that arrived is in the result (also when msg_flags has
     * MSG_CTRUNC): the caller owns them.
     */
    Received recvmsg(int fd, byte[] buf, int off, int len, int maxFds, int flags, boolean from);

    /** shutdown(2); ENOTCONN (the peer already went) is ignored. */
    void shutdown(int fd, int how);

    /**
     * getaddrinfo(3) for {@code host} (no service): the addresses, in the resolver's order, as
     * struct sockaddr bytes with port 0. A failure throws {@link ipcsh.IpcException} naming the
     * host and the EAI_ error.
     */
    byte[][] getaddrinfo(String host, int family, int socktype);

    // ------------------------------------------------------------ sys/mman.h, sys/ipc.h, sys/shm.h (shared memory)

    int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MS_SYNC = 4;
    int IPC_CREAT = 01000, IPC_EXCL = 02000, IPC_NOWAIT = 04000, IPC_RMID = 0, IPC_STAT = 2;
    int SHM_RDONLY = 010000;

    int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;

    /**
     * memfd_create(2): an anonymous file in memory, named name only for /proc/PID/fd (memfd:name);
     * it lives while a descriptor or a mapping of it does. Returns the descriptor.
     */
    int memfdCreate(String name, int flags);

    /** shm_open(3): opens (with O_CREAT, creates) the POSIX shared memory object name ("/name"); returns the descriptor. */
    int shmOpen(String name, int oflag, int mode);

    /** shm_unlink(3): removes the name; mappings that exist stay valid until unmapped. */
    void shmUnlink(String name);

    /**
     * mmap(2) of {@code length} bytes of fd from {@code offset}, at an address the kernel
     * picks. Returns the mapping as a segment of that length that lives as long as
     * {@code arena}: closing the arena unmaps it (munmap(2)), and any later access through the
     * segment fails with IllegalStateException instead of touching unmapped memory.
     */
    java.lang.foreign.MemorySegment mmap(long length, int prot, int flags, int fd, long offset,
                                         java.lang.foreign.Arena arena);

    /** msync(2) of a whole mapping (MS_SYNC: returns once the data is written to the file). */
    void msync(java.lang.foreign.MemorySegment mapping, int flags);

    /** shmget(2): the id of the System V segment with key (IPC_PRIVATE is 0), created with IPC_CREAT. */
    int shmget(int key, long size, int flags);

    /**
     * shmat(2): attaches segment shmid ({@code SHM_RDONLY} for read-only) as a memory segment of
     * {@code size} bytes living as long as {@code arena}; closing the arena detaches it (shmdt(2)).
     */
    java.lang.foreign.MemorySegment shmat(int shmid, long size, int flags, java.lang.foreign.Arena arena);

    /** shmctl(2) IPC_STAT: the segment's size in bytes (shm_segsz); fails with EINVAL for an unknown id. */
    long shmctlSize(int shmid);

    /** shmctl(2) IPC_RMID: marks the segment for removal once the last process detaches. */
    void shmctlRemove(int shmid);

    // ------------------------------------------------------------ mqueue.h, semaphore.h, sys/msg.h (queues and semaphores)

    int MSG_NOERROR = 010000;

    /**
     * mq_open(3): opens (with O_CREAT, creates) the POSIX message queue name; maxMsg and msgSize
     * (both positive) set its struct mq_attr at creation, otherwise the system's defaults apply.
     * Returns the queue descriptor, which on Linux is a file descriptor poll and epoll accept.
     */
    int mqOpen(String name, int flags, int mode, long maxMsg, long msgSize);

    /** mq_getattr(3): {mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs}. */
    long[] mqGetattr(int mqd);

    /** mq_send(3) of {@code buf[off..off+len)} with priority prio: 0, or WOULD_BLOCK on a full O_NONBLOCK queue. */
    int mqSend(int mqd, byte[] buf, int off, int len, int prio);

    /**
     * mq_receive(3) into {@code buf[off..off+len)} (len must be at least the queue's mq_msgsize):
     * the message's length, or WOULD_BLOCK on an empty O_NONBLOCK queue; its priority goes to prio[0].
     */
    int mqReceive(int mqd, byte[] buf, int off, int len, int[] prio);

    /** mq_unlink(3). */
    void mqUnlink(String name);

    /** sem_open(3): the address of the sem_t (value is the initial value when O_CREAT creates it). */
    long semOpen(String name, int flags, int mode, int value);

    /** sem_close(3). */
    void semClose(long sem);

    /**
     * sem_timedwait(3) until the CLOCK_REALTIME instant {@code absNanos} (ns since the epoch):
     * true when it decremented the semaphore, false when the time ran out (ETIMEDOUT) or a
     * signal interrupted the wait (EINTR): the caller decides whether to go on waiting.
     */
    boolean semTimedwait(long sem, long absNanos);

    /** sem_trywait(3): true when it decremented, false when the value was 0 (EAGAIN). */
    boolean semTrywait(long sem);

    /** sem_post(3). */
    void semPost(long sem);

    /** sem_getvalue(3). */
    int semGetvalue(long sem);

    /** sem_unlink(3). */
    void semUnlink(String name);

    /** msgget(2): the System V queue id for key (flags: IPC_CREAT, IPC_EXCL and the mode bits). */
    int msgget(int key, int flags);

    /**
     * msgsnd(2) of {@code buf[off..off+len)} with message type mtype (positive): true when sent,
     * false when IPC_NOWAIT was given and the queue is full (EAGAIN).
     */
    boolean msgsnd(int msqid, byte[] buf, int off, int len, long mtype, int flags);

    /**
     * msgrcv(2) of up to {@code buf.length} bytes of the first message whose type matches
     * msgtyp (0: any; as in C): its length with its type in mtype[0], or WOULD_BLOCK when
     * IPC_NOWAIT was given and no message matches (ENOMSG).
     */
    int msgrcv(int msqid, byte[] buf, long msgtyp, int flags, long[] mtype);

    /** msgctl(2) IPC_RMID: removes the System V queue. */
    void msgctlRemove(int msqid);

    // ------------------------------------------------------------ fcntl.h (OFD locks), sys/file.h, pthread.h: locks

    short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
    int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
    /** sizeof(pthread_mutex_t): 40 on x86_64, 48 on aarch64 (asm-generic); both keep __kind at offset 16. */
    int PTHREAD_MUTEX_SIZE = AARCH64 ? 48 : 40, PTHREAD_MUTEX_KIND_OFFSET = 16;
    /** The __kind bits glibc gives a robust (PTHREAD_MUTEX_ROBUST) and a process-shared (PTHREAD_PROCESS_SHARED) mutex. */
    int PTHREAD_MUTEX_ROBUST_BIT = 16, PTHREAD_MUTEX_PSHARED_BIT = 128;

    /**
     * fcntl(fd, F_OFD_SETLK) of type (F_RDLCK, F_WRLCK, F_UNLCK) on len bytes from start (0 and 0:
     * the whole file, also as it grows): true when done, false when another open file description
     * holds a conflicting lock (EAGAIN, EACCES). Never waits.
     */
    boolean ofdSetlk(int fd, short type, long start, long len);

    /** flock(2) with operation LOCK_SH, LOCK_EX or LOCK_UN, and LOCK_NB: true when done, false for EWOULDBLOCK. */
    boolean flock(int fd, int operation);

    /**
     * pthread_mutex_init(3) of the pthread_mutex_t at m with the attributes PTHREAD_PROCESS_SHARED,
     * PTHREAD_MUTEX_ROBUST and PTHREAD_MUTEX_ERRORCHECK (pthread_mutexattr_setpshared(3),
     * pthread_mutexattr_setrobust(3), pthread_mutexattr_settype(3)).
     */
    void pthreadMutexInitRobustShared(java.lang.foreign.MemorySegment m);

    /**
     * pthread_mutex_clocklock(3) on CLOCK_MONOTONIC until the instant absNanos ({@link #monotonicNanos}):
     * 0, ETIMEDOUT, EOWNERDEAD (taken; the owner died holding it), ENOTRECOVERABLE or EDEADLK (the
     * calling thread holds it already, for an error-checking mutex), as the call
     * returns them (pthread calls return the error, errno is untouched); others throw.
     */
    int pthreadMutexClocklock(java.lang.foreign.MemorySegment m, long absNanos);

    /** pthread_mutex_trylock(3): 0, EBUSY, EOWNERDEAD or ENOTRECOVERABLE; others throw. */
    int pthreadMutexTrylock(java.lang.foreign.MemorySegment m);

    /** pthread_mutex_unlock(3); EPERM when the calling thread does not hold it. */
    void pthreadMutexUnlock(java.lang.foreign.MemorySegment m);

    /** pthread_mutex_consistent(3): after EOWNERDEAD, marks the data repaired, so unlocking keeps the mutex usable. */
    void pthreadMutexConsistent(java.lang.foreign.MemorySegment m);

    int AT_SYMLINK_NOFOLLOW = 0x100;

    /** fstatat(2) of path relative to dirfd ({@link #AT_FDCWD}); with AT_SYMLINK_NOFOLLOW a link is itself (lstat). */
    FileStat fstatat(int dirfd, String path, int flags);

    /** clock_gettime(2) of CLOCK_MONOTONIC in nanoseconds. */
    long monotonicNanos();

    // ------------------------------------------------------------ stdlib.h (pty), termios.h, sys/ioctl.h, unistd.h (terminals)

    int TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, TCSANOW = 0, ECHO = 010, TERMIOS_LFLAG_OFFSET = 12;

    /** isatty(3): whether fd refers to a terminal (false for a pipe, a file, /dev/null or a bad fd). */
    boolean isatty(int fd);

    /** posix_openpt(3): a new pseudo-terminal master; flags O_RDWR, O_NOCTTY, O_CLOEXEC. */
    int posixOpenpt(int flags);

    /** grantpt(3): the slave of master gets our uid and mode 0620. */
    void grantpt(int master);

    /** unlockpt(3): the slave of master may now be opened. */
    void unlockpt(int master);

    /** ptsname_r(3): the path of master's slave (/dev/pts/N). */
    String ptsname(int master);

    /** ioctl(2) TIOCSWINSZ: sets the terminal's size; the session's foreground group gets SIGWINCH. */
    void setWindowSize(int fd, int rows, int cols);

    /** ioctl(2) TIOCGWINSZ: {rows, cols}. */
    int[] getWindowSize(int fd);

    /** tcgetattr(3): the struct termios as bytes (c_lflag at {@link #TERMIOS_LFLAG_OFFSET}). */
    byte[] tcgetattr(int fd);

    /** tcsetattr(3) with a struct termios from {@link #tcgetattr}. */
    void tcsetattr(int fd, int action, byte[] termios);

    /** cfmakeraw(3) applied to a struct termios in place. */
    void cfmakeraw(byte[] termios);

    // ------------------------------------------------------------ sys/inotify.h

    int IN_ACCESS = 0x1, IN_MODIFY = 0x2, IN_ATTRIB = 0x4, IN_CLOSE_WRITE = 0x8, IN_CLOSE_NOWRITE = 0x10, IN_OPEN = 0x20,
        IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80, IN_CREATE = 0x100, IN_DELETE = 0x200, IN_DELETE_SELF = 0x400,
        IN_MOVE_SELF = 0x800, IN_UNMOUNT = 0x2000, IN_Q_OVERFLOW = 0x4000, IN_IGNORED = 0x8000,
        IN_ONLYDIR = 0x01000000, IN_DONT_FOLLOW = 0x02000000, IN_EXCL_UNLINK = 0x04000000, IN_ISDIR = 0x40000000;
    int IN_NONBLOCK = 04000, IN_CLOEXEC = 02000000;
    /** sizeof(struct inotify_event) before its name: wd, mask, cookie, len (each 32 bits). */
    int INOTIFY_EVENT_SIZE = 16;

    /** inotify_init1(2): a new inotify instance; reads of it return struct inotify_event records. */
    int inotifyInit1(int flags);

    /** inotify_add_watch(2): the watch descriptor for path (the same one again for a path already watched). */
    int inotifyAddWatch(int fd, String path, int mask);

    /** inotify_rm_watch(2); the instance then reports IN_IGNORED for wd. */
    void inotifyRmWatch(int fd, int wd);

    // ------------------------------------------------------------ signal.h

    int SIGKILL = 9, SIGTERM = 15;
    /** sa_handler values and sa_flags bits (struct sigaction itself: {@link SigAction}). */
    long SIG_DFL = 0, SIG_IGN = 1;
    int SA_SIGINFO = 4, SA_RESTART = 0x10000000;

    /** kill(2). */
    void kill(int pid, int signal);

    /**
     * sigaction(2): installs {@code act} (a struct sigaction's {@link SigAction#SIZE} bytes, see
     * {@link SigAction#of}; null only asks) for sig and returns the action that was there, as
     * bytes that can be installed again to restore it exactly.
     */
    byte[] sigaction(int sig, byte[] act);

    /**
     * The address of an SA_SIGINFO signal handler that does one thing, async-signal-safe: a raw
     * write(2) of its siginfo_t ({@link SigAction#SIGINFO_SIZE} bytes, atomic on a pipe) to fd, then
     * returns. No errno is touched, nothing allocated; on a full non-blocking pipe the signal
     * is dropped. Run by any thread but {@code tid}, it also adds the signal to the mask that
     * thread gets back on return (the ucontext's uc_sigmask), so the kernel sends the next ones
     * to a thread that still takes them: in the end only tid. The code lives in a page of its
     * own for the life of the process (mmap(2), then mprotect(2) to read+execute). 0 on a
     * machine ipcsh has no such code for (only x86_64 has it).
     */
    long sigInfoForwarder(int fd, int tid);

    // ------------------------------------------------------------ string.h

    /** The C library's text for errno (strerror). */
    String strerror(int errno);
}
