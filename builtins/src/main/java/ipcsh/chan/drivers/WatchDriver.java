package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.Driver;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An inotify watch as a message channel: one message is one event, a line of JSON
 * ({@link WatchEvents}). The kernel hands over many events per read(2), so the ones not yet
 * taken wait here; the channel's readable descriptor is an epoll instance over the inotify
 * descriptor and an eventfd that is set while events wait here, so the reactor and every
 * blocking wait see "readable" for both (the channel's own buffer cannot hold them: one
 * read of a message driver is one message).
 */
public final class WatchDriver implements Driver, ipcsh.chan.MapMessages {
    /** Big enough for thousands of events per read(2); the kernel queues 16384 by default. */
    private static final int READ_SIZE = 128 * 1024;

    private final String root;
    private final int userMask;
    private final boolean recursive;
    private final List<String> eventNames;
    private int ifd = -1, epfd = -1, pendingFd = -1;
    private boolean pendingSet;
    private final Map<Integer, String> paths = new HashMap<>();
    /** Events read from the kernel and not yet taken, as recv returns them; rendered as text only when read as a message. */
    private final ArrayDeque<Map<String, Object>> ready = new ArrayDeque<>();
    private byte[] headText;
    private Map<String, Object> lastEvent;
    private final byte[] raw = new byte[READ_SIZE];
    private final byte[] eventfdValue = new byte[8];

    private WatchDriver(String root, int userMask, boolean recursive, List<String> eventNames) {
        this.root = root;
        this.userMask = userMask;
        this.recursive = recursive;
        this.eventNames = eventNames;
    }

    /**
     * Watches path for the events named (keywords of {@link WatchEvents#mask}); with recursive,
     * every directory below it too, and each one made or moved in later.
     */
    public static Channel open(String path, List<String> events, boolean recursive) {
        int mask = WatchEvents.mask(events);
        WatchDriver d = new WatchDriver(path, mask, recursive, events);
        LibC c = LibC.get();
        try {
            try {
                d.ifd = c.inotifyInit1(LibC.IN_NONBLOCK | LibC.IN_CLOEXEC);
            } catch (OsException e) {
                throw limits(e, path);
            }
            d.pendingFd = c.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
            d.epfd = c.epollCreate();
            c.epollCtl(d.epfd, LibC.EPOLL_CTL_ADD, d.ifd, LibC.EPOLLIN, 0);
            c.epollCtl(d.epfd, LibC.EPOLL_CTL_ADD, d.pendingFd, LibC.EPOLLIN, 1);
            d.add(path, false);
            if (recursive && Files.isDirectory(Path.of(path), java.nio.file.LinkOption.NOFOLLOW_LINKS)) d.addTree(path, true);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return new Channel(d);
    }

    /** The kernel mask: what was asked for, plus creations and moves in when new directories must be watched. */
    private int kernelMask(boolean sub) {
        int m = userMask | (recursive ? LibC.IN_CREATE | LibC.IN_MOVED_TO : 0);
        return sub ? m | LibC.IN_ONLYDIR | LibC.IN_DONT_FOLLOW : m;
    }

    private void add(String path, boolean sub) {
        try {
            paths.put(LibC.get().inotifyAddWatch(ifd, path, kernelMask(sub)), path);
        } catch (OsException e) {
            throw limits(e, path);
        }
    }

    /**
     * Watches the directories below dir (not following links). Fails on the first error when
     * strict (the first watch); for a directory that came later, reports what is already in it as
     * created (it was made before its watch could tell) and turns errors into error events.
     */
    private void addTree(String dir, boolean strict) {
        boolean report = !strict && (userMask & LibC.IN_CREATE) != 0;
        try {
            Files.walkFileTree(Path.of(dir), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    if (d.toString().equals(dir)) return FileVisitResult.CONTINUE;
                    if (report) created(d, true);
                    try {
                        add(d.toString(), true);
                    } catch (OsException e) {
                        // gone or turned into something else meanwhile: nothing to watch there
                        if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) return FileVisitResult.SKIP_SUBTREE;
                        throw e;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (report) created(f, false);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE; // vanished between listing and looking
                }
            });
        } catch (IOException e) {
            if (strict) throw new IpcException("watch " + dir + ": " + e.getMessage());
        } catch (RuntimeException e) {
            if (strict) throw e;
            queueError(dir, e.getMessage());
        }
    }

    private void created(Path p, boolean dir) {
        Path name = p.getFileName();
        queue("create", p.toString(), name == null ? null : name.toString(), dir, 0);
    }

    /** A failure told as the builtin's, the kernel's limits on inotify named (ENOSPC and EMFILE say nothing of them). */
    static OsException limits(OsException e, String path) {
        String hint = null;
        if (e.errno() == Errno.ENOSPC) {
            // a user namespace may have a lower limit of its own, which fs.inotify does not show
            String global = sysctl("fs/inotify/max_user_watches"), here = sysctl("user/max_inotify_watches");
            boolean lower = !here.equals("?") && !global.equals("?") && Long.parseLong(here) < Long.parseLong(global);
            hint = "the kernel's limit of inotify watches per user is reached (fs.inotify.max_user_watches = " + global
                    + (lower ? ", user.max_inotify_watches = " + here + " in this user namespace" : "") + "; raise it with sysctl)";
        } else if (e.errno() == Errno.EMFILE && e.call().equals("inotify_init1")) {
            hint = "the kernel's limit of inotify instances per user is reached (fs.inotify.max_user_instances = "
                    + sysctl("fs/inotify/max_user_instances") + "; raise it with sysctl)";
        }
        return new OsException("watch", path, e.errno(), hint);
    }

    /** A limit from /proc/sys (name as "fs/inotify/max_user_watches"), or "?" when it cannot be read. */
    static String sysctl(String name) {
        try {
            // (readString of a /proc file can come back cut short: its size says 0)
            return Files.readAllLines(Path.of("/proc/sys/" + name)).get(0).trim();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    @Override public String kind() { return "watch"; }
    @Override public String name() { return root; }
    @Override public int readFd() { return epfd; }
    @Override public int writeFd() { return -1; }
    @Override public boolean messages() { return true; }
    @Override public boolean messageSizeExact() { return true; }

    @Override
    public int nextMessageSize() {
        if (ready.isEmpty() && !fill()) return LibC.WOULD_BLOCK;
        return headText().length;
    }

    @Override
    public int read(byte[] buf, int off, int len) {
        if (ready.isEmpty() && !fill()) return LibC.WOULD_BLOCK;
        byte[] m = headText();
        headText = null;
        lastEvent = take();
        System.arraycopy(m, 0, buf, off, Math.min(len, m.length));
        return m.length;
    }

    private byte[] headText() {
        if (headText == null) headText = WatchEvents.render(ready.peekFirst());
        return headText;
    }

    private Map<String, Object> take() {
        Map<String, Object> e = ready.pollFirst();
        if (ready.isEmpty()) setPending(false);
        return e;
    }

    /**
     * The event of the message read last as a map, taken once (null after): recv uses it when
     * the message came straight from this driver, not from what expect left in the channel.
     */
    @Override
    public Object parse(Object text) {
        return WatchEvents.parse(text);
    }

    @Override
    public Map<String, Object> takeLastEvent() {
        Map<String, Object> e = lastEvent;
        lastEvent = null;
        return e;
    }

    /**
     * The next event when one is already here (read from the kernel, not yet taken), else null:
     * recv's way past rendering it as text when the channel holds nothing of its own.
     */
    @Override
    public Map<String, Object> pollReady() {
        if (ready.isEmpty()) return null;
        headText = null;
        return take();
    }

    private void queue(String event, String path, String name, boolean dir, long cookie) {
        ready.add(WatchEvents.map(event, path, name, dir, cookie));
    }

    private void queueError(String path, String message) {
        Map<String, Object> e = WatchEvents.map("error", path, null, true, 0);
        e.put("error", message);
        ready.add(e);
    }

    /** Reads what the kernel has (events that become nothing are skipped); false when nothing is there. */
    private boolean fill() {
        while (ready.isEmpty()) {
            int n = LibC.get().read(ifd, raw, 0, raw.length);
            if (n == LibC.WOULD_BLOCK || n == 0) return false;
            decode(n);
        }
        setPending(true);
        return true;
    }

    /** The eventfd that keeps the channel readable while events wait here; written and read only on a change. */
    private void setPending(boolean on) {
        if (on == pendingSet) return;
        pendingSet = on;
        eventfdValue[0] = 1;
        if (on) LibC.get().write(pendingFd, eventfdValue, 0, 8);
        else LibC.get().read(pendingFd, eventfdValue, 0, 8);
    }

    /** struct inotify_event records: wd, mask, cookie, len (native order), then len bytes of name, NUL padded. */
    private void decode(int n) {
        int p = 0;
        while (p + LibC.INOTIFY_EVENT_SIZE <= n) {
            int wd = intAt(p), mask = intAt(p + 4), cookie = intAt(p + 8), len = intAt(p + 12);
            int nameStart = p + LibC.INOTIFY_EVENT_SIZE;
            int nameEnd = nameStart;
            while (nameEnd < nameStart + len && raw[nameEnd] != 0) nameEnd++;
            String name = len == 0 ? null : new String(raw, nameStart, nameEnd - nameStart, java.nio.charset.StandardCharsets.UTF_8);
            p = nameStart + len;
            one(wd, mask, cookie, name);
        }
    }

    private int intAt(int p) {
        return (raw[p] & 0xff) | (raw[p + 1] & 0xff) << 8 | (raw[p + 2] & 0xff) << 16 | raw[p + 3] << 24;
    }

    private void one(int wd, int mask, int cookie, String name) {
        if ((mask & LibC.IN_Q_OVERFLOW) != 0) {
            queue("overflow", root, null, false, 0);
            return;
        }
        String dir = paths.get(wd);
        if (dir == null) return; // a watch already forgotten
        boolean isDir = (mask & LibC.IN_ISDIR) != 0;
        String path = name == null ? dir : dir.equals("/") ? "/" + name : dir + "/" + name;
        if ((mask & LibC.IN_IGNORED) != 0) {
            paths.remove(wd);
            if (dir.equals(root)) queue("ignored", dir, null, isDir, 0);
            return;
        }
        String event = WatchEvents.name(mask & (userMask | LibC.IN_UNMOUNT));
        if (event != null) queue(event, path, name, isDir, cookie);
        if (recursive && isDir && (mask & (LibC.IN_CREATE | LibC.IN_MOVED_TO)) != 0) {
            try {
                add(path, true);
                addTree(path, false);
            } catch (OsException e) {
                if (e.errno() != Errno.ENOENT && e.errno() != Errno.ENOTDIR) queueError(path, e.getMessage());
            }
        }
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        throw new IpcException("write watch " + root + ": a watch is read only");
    }

    @Override public void closeRead() { close(); }
    @Override public void closeWrite() {}

    /** Closing the inotify descriptor removes every watch it has. */
    @Override
    public void close() {
        LibC c = LibC.get();
        for (int fd : new int[] {epfd, pendingFd, ifd}) {
            if (fd >= 0) c.close(fd);
        }
        epfd = pendingFd = ifd = -1;
        ready.clear();
        headText = null;
        paths.clear();
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (ifd >= 0) m.put("fd", (long) ifd);
        m.put("path", root);
        List<Object> ev = new ArrayList<>();
        for (String e : eventNames) ev.add(Keyword.of(e));
        m.put("events", ev);
        m.put("recursive", recursive);
        m.put("watches", (long) paths.size());
        return m;
    }
}
