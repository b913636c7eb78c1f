package ipcsh.os;

import ipcsh.os.impl.FfmLibC;

/**
 * The C library calls ipcsh makes, mirrored one to one. This interface and its one
 * implementation ({@link FfmLibC}, the JDK's FFM API) are the only native code in ipcsh.
 *
 * <p>Conventions: a call that fails throws {@link OsException} naming the call, the subject
 * (path when there is one) and errno, captured per call. EINTR is retried. The calls used on
 * non-blocking descriptors ({@link #read}, {@link #write}, {@link #splice}) return
 * {@link #WOULD_BLOCK} for EAGAIN instead of throwing, since it is their normal outcome.
 * The implementation is loaded on first use.
 */
public interface LibC {
    int WOULD_BLOCK = -1;

    int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200, O_NOCTTY = 0400,
        O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
    int F_GETFL = 3, F_SETFL = 4, F_GETPIPE_SZ = 1032, F_SETPIPE_SZ = 1031;
    short POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    int EFD_NONBLOCK = 04000, EFD_CLOEXEC = 02000000;
    int SPLICE_F_MOVE = 1, SPLICE_F_NONBLOCK = 2, SPLICE_F_MORE = 4;
    int WNOHANG = 1;
    int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    int EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDHUP = 0x2000,
        EPOLLONESHOT = 1 << 30;
    int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_UNSPEC = 0;
    int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    int SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_ERROR = 4, SO_PEERCRED = 17, IPPROTO_TCP = 6, TCP_NODELAY = 1,
        IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26;
    int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
    int MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;

    static LibC get() {
        return FfmLibC.INSTANCE;
    }

    /** open(2); returns the new descriptor. */
    int open(String path, int flags, int mode);

    /** close(2). */
    void close(int fd);

    /** read(2) into {@code buf[off..off+len)}: bytes read, 0 at end of file, or WOULD_BLOCK. */
    int read(int fd, byte[] buf, int off, int len);

    /** write(2) from {@code buf[off..off+len)}: bytes written or WOULD_BLOCK. */
    int write(int fd, byte[] buf, int off, int len);

    /** pipe2(2): {read end, write end}. */
    int[] pipe2(int flags);

    /** mkfifo(3). */
    void mkfifo(String path, int mode);

    /** unlink(2). */
    void unlink(String path);

    /** fcntl(2) with an int argument. */
    int fcntl(int fd, int cmd, int arg);

    /**
     * poll(2) over {@code fds} with {@code events}; fills {@code revents}; returns the number
     * of ready descriptors, 0 on timeout. A negative timeout waits forever.
     */
    int poll(int[] fds, short[] events, short[] revents, int timeoutMs);

    /** eventfd(2). */
    int eventfd(int initval, int flags);

    /** splice(2) between descriptors at their current offsets: bytes moved, 0 at EOF, or WOULD_BLOCK. */
    long splice(int fdIn, int fdOut, long len, int flags);

    /** epoll_create1(2). */
    int epollCreate();

    /** epoll_ctl(2); {@code data} is handed back by {@link #epollWait}. */
    void epollCtl(int epfd, int op, int fd, int events, long data);

    /**
     * epoll_wait(2): waits up to {@code timeoutMs} (negative: forever) and fills
     * {@code events[i]} and {@code data[i]}; returns how many are filled.
     */
    int epollWait(int epfd, int[] events, long[] data, int timeoutMs);

    /**
     * posix_spawnp(3): runs {@code argv} with {@code env} ("K=V" strings) in {@code dir}
     * (null: the current one), the child's descriptors 0, 1, 2 taken from {@code stdio}
     * (-1: inherited). Every other descriptor of ours is close-on-exec. Returns the pid.
     */
    default int spawn(String[] argv, String[] env, String dir, int[] stdio) {
        return spawn(argv, env, dir, stdio, false);
    }

    /** waitpid(2): {pid, raw status}, or {0, 0} with WNOHANG when the child still runs. */
    int[] waitpid(int pid, int options);

    /** pidfd_open(2): a descriptor that polls readable when the process exits. */
    int pidfdOpen(int pid);

    /** kill(2). */
    void kill(int pid, int signal);

    /** getpid(2). */
    int getpid();

    /** socket(2); returns the new descriptor. */
    int socket(int domain, int type, int protocol);

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

    /** shutdown(2); ENOTCONN (the peer already went) is ignored. */
    void shutdown(int fd, int how);

    /**
     * getaddrinfo(3) for {@code host} (no service): the addresses, in the resolver's order, as
     * struct sockaddr bytes with port 0. A failure throws {@link ipcsh.IpcException} naming the
     * host and the EAI_ error.
     */
    byte[][] getaddrinfo(String host, int family, int socktype);

    /** The C library's text for errno (strerror). */
    String strerror(int errno);

    // ---- processes and standard streams (spawn :detach, (stdin)/(stdout)/(stderr))

    /**
     * posix_spawnp(3) as {@link #spawn(String[], String[], String, int[])}; with newSession the
     * child starts a session of its own (POSIX_SPAWN_SETSID, setsid(2)): no controlling terminal,
     * so a terminal's Ctrl-C and hang-up do not reach it.
     */
    int spawn(String[] argv, String[] env, String dir, int[] stdio, boolean newSession);

    int SIGKILL = 9, SIGTERM = 15;
    int F_DUPFD_CLOEXEC = 1030;
    int S_IFMT = 0170000, S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFREG = 0100000, S_IFSOCK = 0140000;

    /** dup2(2): makes newfd a copy of oldfd (closing newfd first). */
    void dup2(int oldfd, int newfd);

    /** isatty(3): whether fd refers to a terminal. */
    boolean isatty(int fd);

    /** fstat(2)'s st_mode of fd: the file type bits (S_IFMT) and the permissions. */
    int fstatMode(int fd);
}
