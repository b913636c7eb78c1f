package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.chan.TimeoutError;
import ipcsh.chan.Waiter;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Waits for a path to exist, told by inotify rather than by polling: a watch on the nearest
 * directory on the way that exists (the parent, or higher while the parent is still to be
 * made), and a look at the path after every wake-up and right after each watch is added (what
 * was made before the watch is seen there). A unix stream socket counts once it listens: its
 * file appears at bind(2), a moment before listen(2), and a connect in between is refused. A
 * socket file that no socket of this network namespace is bound to (left by a server that
 * died) is waited past, until a server makes it again.
 */
public final class PathWait {
    private PathWait() {}

    /** The types :type takes: a file type, or :any. */
    public static final List<String> TYPES = List.of("any", "file", "dir", "fifo", "socket");

    /** Returns path once it exists as type; a timeout error after timeoutMs (negative: none); Ctrl-C interrupts. */
    public static String await(String path, String type, long timeoutMs) {
        if (!TYPES.contains(type)) {
            throw new IpcException("wait-for-path: :type must be :any, :file, :dir, :fifo or :socket, not :" + type);
        }
        String abs = Path.of(path).toAbsolutePath().normalize().toString();
        long deadline = Waiter.deadline(timeoutMs);
        LibC c = LibC.get();
        if (state(abs, type) == THERE) return path;
        int ifd;
        try {
            ifd = c.inotifyInit1(LibC.IN_NONBLOCK | LibC.IN_CLOEXEC);
        } catch (OsException e) {
            throw WatchDriver.limits(e, path);
        }
        try {
            byte[] buf = new byte[16 * 1024];
            String watched = null;
            while (true) {
                String dir = nearestDir(abs);
                if (!dir.equals(watched)) {
                    try {
                        c.inotifyAddWatch(ifd, dir, LibC.IN_CREATE | LibC.IN_MOVED_TO | LibC.IN_ATTRIB | LibC.IN_DELETE_SELF
                                | LibC.IN_MOVE_SELF | LibC.IN_ONLYDIR);
                        watched = dir;
                    } catch (OsException e) {
                        if (e.errno() != ipcsh.os.Errno.ENOENT) throw WatchDriver.limits(e, path);
                        continue; // removed before the watch took: look again for the nearest
                    }
                }
                int state = state(abs, type); // once: a socket may start listening between two looks
                if (state == THERE) return path;
                if (!nearestDir(abs).equals(watched)) continue; // made (or removed) before the watch took
                if (state == BOUND) {
                    // nothing tells when listen(2) is called: look again in a millisecond, until the deadline
                    Waiter.sleep(1, "wait-for-path " + path);
                    if (System.nanoTime() > deadline) throw new TimeoutError("wait-for-path " + path, timeoutMs);
                    continue;
                }
                if (!Waiter.await(ifd, LibC.POLLIN, deadline, "wait-for-path " + path)) {
                    throw new TimeoutError("wait-for-path " + path, timeoutMs);
                }
                while (c.read(ifd, buf, 0, buf.length) > 0) {
                    // only that something changed matters; the look at the path says what
                }
            }
        } finally {
            c.close(ifd);
        }
    }

    /** The nearest existing directory above path (the root at worst). */
    private static String nearestDir(String abs) {
        Path p = Path.of(abs).getParent();
        while (p != null && !Files.isDirectory(p)) p = p.getParent();
        return p == null ? "/" : p.toString();
    }

    private static final int THERE = 0, NOT_THERE = 1;

    /** THERE, NOT_THERE, or BOUND: a socket file whose stream socket does not listen yet. */
    private static int state(String abs, String type) {
        Path p = Path.of(abs);
        boolean there = switch (type) {
            case "any" -> Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            case "file" -> Files.isRegularFile(p);
            case "dir" -> Files.isDirectory(p);
            case "fifo" -> fileType(p) == LibC.S_IFIFO;
            default -> false;
        };
        if (there) return THERE;
        if (!type.equals("socket") || fileType(p) != LibC.S_IFSOCK) return NOT_THERE;
        return switch (socketState(abs)) {
            case READY -> THERE;
            case BOUND -> BOUND;
            default -> NOT_THERE;
        };
    }

    private static int fileType(Path p) {
        try {
            return ((Integer) Files.getAttribute(p, "unix:mode")) & LibC.S_IFMT;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static final int READY = 10, BOUND = 11, STALE = 12;

    /**
     * What the socket file at path has behind it, from /proc/net/unix: a listening stream
     * socket (__SO_ACCEPTCON, 0x10000, in Flags) or a datagram one is READY, a stream socket
     * bound but not yet listening BOUND, no socket at all STALE.
     */
    static int socketState(String abs) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/net/unix"));
        } catch (IOException e) {
            return READY;
        }
        int state = STALE;
        for (String line : lines) {
            if (!line.endsWith(" " + abs)) continue;
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || !f[f.length - 1].equals(abs)) continue;
            long flags = Long.parseLong(f[3], 16);
            int sockType = Integer.parseInt(f[4], 16);
            if ((flags & 0x10000) != 0 || sockType != LibC.SOCK_STREAM) return READY;
            state = BOUND;
        }
        return state;
    }
}
