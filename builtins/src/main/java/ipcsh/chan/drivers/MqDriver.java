package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.FdDriver;
import ipcsh.os.AtExit;
import ipcsh.os.Errno;
import ipcsh.os.FileId;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.util.Map;

/**
 * A POSIX message queue. On Linux its descriptor is a file descriptor that poll and epoll
 * accept, so it is opened O_NONBLOCK and waited on by the same reactor and {@link ipcsh.chan.Waiter}
 * as every other channel. One read is one whole message (mq_receive, its priority kept for
 * {@link #lastPriority}); one write is one message, at the priority {@link #sendingWith} sets.
 */
public final class MqDriver extends FdDriver {
    private final String name;
    private final String mode;
    private final long msgSize;
    private byte[] scratch;
    private int nextPriority;
    private int lastPriority;

    private MqDriver(int fd, String name, String mode, long msgSize) {
        super(mode.equals("write") ? -1 : fd, mode.equals("read") ? -1 : fd);
        this.name = name;
        this.mode = mode;
        this.msgSize = msgSize;
    }

    /**
     * Opens the queue name for "read", "write" or "rw". With create, makes it when absent
     * (with exclusive, fails when present); maxMsgs and msgSize (0: the system's defaults) and
     * perms apply to a queue it makes. A queue stays until mq-unlink, like mq_open's; with temp, a
     * queue this call made is removed when the shell exits, if the name still names that queue.
     */
    public static Channel open(String name, String mode, boolean create, boolean exclusive, int perms,
                               long maxMsgs, long msgSize, boolean temp) {
        int access = switch (mode) {
            case "read" -> LibC.O_RDONLY;
            case "write" -> LibC.O_WRONLY;
            case "rw" -> LibC.O_RDWR;
            default -> throw new IpcException("mq \"" + name + "\": mode must be :read, :write or :rw, not :" + mode);
        };
        int flags = access | LibC.O_NONBLOCK | LibC.O_CLOEXEC;
        if (create && (maxMsgs > 0 || msgSize > 0)) {
            if (maxMsgs <= 0) maxMsgs = MqLimits.read("msg_default", 10);
            if (msgSize <= 0) msgSize = MqLimits.read("msgsize_default", 8192);
        }
        int fd;
        boolean created = false;
        try {
            if (create) {
                // O_EXCL first, so the shell knows whether the queue is its own (only then may :temp remove it)
                try {
                    fd = LibC.get().mqOpen(name, flags | LibC.O_CREAT | LibC.O_EXCL, perms, maxMsgs, msgSize);
                    created = true;
                } catch (OsException e) {
                    if (e.errno() != Errno.EEXIST || exclusive) throw e;
                    fd = LibC.get().mqOpen(name, flags, perms, maxMsgs, msgSize);
                }
            } else {
                fd = LibC.get().mqOpen(name, flags, perms, maxMsgs, msgSize);
            }
        } catch (OsException e) {
            throw MqLimits.explain(e, name, create, maxMsgs, msgSize);
        }
        if (created && temp) atExit(name, fd);
        long size = LibC.get().mqGetattr(fd)[2];
        return new Channel(new MqDriver(fd, name, mode, size));
    }

    /** mq_unlink; the queue lives on until its last descriptor closes. */
    public static void unlink(String name) {
        AtExit.cancel(atExitKey(name));
        try {
            LibC.get().mqUnlink(name);
        } catch (OsException e) {
            throw new OsException("mq-unlink", name, e.errno(), e.errno() == Errno.ENOENT ? "no such queue" : null);
        }
    }

    /**
     * Removes the queue at exit while /dev/mqueue (where Linux shows the queues) still names the
     * very queue made (its descriptor's st_dev and st_ino); without /dev/mqueue mounted there is
     * no file to compare, and the name goes as it is.
     */
    private static void atExit(String name, int fd) {
        if (FileId.at("/dev/mqueue") == null) {
            AtExit.register(atExitKey(name), () -> unlinkQuietly(name));
            return;
        }
        String file = "/dev/mqueue" + name;
        FileId made = FileId.of(fd);
        // (not there as made already: another process unlinked it and maybe made its own)
        if (made.isAt(file)) AtExit.removeAtExit(atExitKey(name), file, made, () -> unlinkQuietly(name));
    }

    private static String atExitKey(String name) {
        return "mq:" + name;
    }

    private static void unlinkQuietly(String name) {
        try {
            LibC.get().mqUnlink(name);
        } catch (OsException ignored) {
            // gone already: someone unlinked it
        }
    }

    @Override public String kind() { return "mq"; }
    @Override public String name() { return name; }
    @Override public boolean messages() { return true; }

    /** The queue's largest message, in bytes. */
    public long msgSize() {
        return msgSize;
    }

    @Override
    public int read(byte[] buf, int off, int len) {
        int[] prio = new int[1];
        int n;
        if (len >= msgSize) {
            n = LibC.get().mqReceive(rfd, buf, off, len, prio);
        } else {
            // mq_receive refuses a buffer smaller than the queue's message size (EMSGSIZE)
            if (scratch == null) scratch = new byte[(int) msgSize];
            n = LibC.get().mqReceive(rfd, scratch, 0, scratch.length, prio);
            if (n > len) {
                throw new IpcException("mq \"" + name + "\": a message of " + n + " bytes does not fit the read of "
                        + len + " bytes; raise :buffer-size to " + msgSize, Map.of("errno", "EMSGSIZE"));
            }
            if (n > 0) System.arraycopy(scratch, 0, buf, off, n);
        }
        if (n >= 0) lastPriority = prio[0];
        return n;
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        if (len > msgSize) {
            throw new IpcException("mq \"" + name + "\": a message of " + len + " bytes exceeds the queue's :msg-size ("
                    + msgSize + " bytes)", Map.of("errno", "EMSGSIZE"));
        }
        int r = LibC.get().mqSend(wfd, buf, off, len, nextPriority);
        return r == LibC.WOULD_BLOCK ? r : len;
    }

    /** The priority of the message read last. */
    public int lastPriority() {
        return lastPriority;
    }

    /** Runs send (a channel write) with its message at priority prio instead of 0. */
    public void sendingWith(int prio, Runnable send) {
        nextPriority = prio;
        try {
            send.run();
        } finally {
            nextPriority = 0;
        }
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = super.options();
        int fd = rfd >= 0 ? rfd : wfd;
        m.put("path", name);
        m.put("mode", Keyword.of(mode));
        if (fd >= 0) {
            long[] attr = LibC.get().mqGetattr(fd);
            m.put("max-msgs", attr[1]);
            m.put("msg-size", attr[2]);
            m.put("cur-msgs", attr[3]);
        }
        return m;
    }

    /** mq_receive needs room for the queue's largest message; the kernel does not tell a message's own size ahead. */
    @Override
    public int nextMessageSize() {
        return (int) Math.min(Integer.MAX_VALUE - 8, msgSize);
    }
}
