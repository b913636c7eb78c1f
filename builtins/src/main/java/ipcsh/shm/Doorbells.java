package ipcsh.shm;

import ipcsh.IpcException;
import ipcsh.os.Errno;
import ipcsh.os.FileStat;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * A ring's two doorbell FIFOs, in a directory of their own that the ring's creator makes
 * under /tmp with a random name (as mkdtemp does) and records in the ring's header. Only the
 * ring's owner can write the directory, so nobody else can put a symlink, a FIFO of their own
 * or anything else in place of a doorbell; nobody else can open a doorbell unless the ring's
 * mode lets them open the ring itself. Every open is by descriptor (O_NOFOLLOW, openat in the
 * directory) and checked by fstat: a directory or FIFO owned by the ring's owner.
 */
final class Doorbells {
    static final String PARENT = "/tmp", PREFIX = "ipcsh-ring-", READER = "wake-reader", WRITER = "wake-writer";
    /** The only doorbell directories an opener accepts: straight under /tmp, so no other component to swap. */
    private static final Pattern DIR = Pattern.compile("/tmp/ipcsh-ring-[A-Za-z0-9_-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int OPEN_FIFO = LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC | LibC.O_NOFOLLOW;
    private static final int O_PATH = 010000000;

    final String dir;
    /** O_RDWR, non-blocking: both sides write and read both FIFOs. */
    final int reader, writer;

    private Doorbells(String dir, int reader, int writer) {
        this.dir = dir;
        this.reader = reader;
        this.writer = writer;
    }

    /**
     * Makes a fresh directory and both FIFOs. The FIFOs get the ring's own permissions (perms),
     * the directory 0700 plus search (never read or write) for the classes the ring admits.
     */
    static Doorbells create(String builtin, String ring, int perms) {
        LibC f = LibC.get();
        int me = f.geteuid();
        String path;
        for (int attempt = 0; ; attempt++) {
            path = PARENT + "/" + PREFIX + randomName();
            try {
                f.mkdirat(LibC.AT_FDCWD, path, 0700); // fails on anything there, a symlink too
                break;
            } catch (OsException e) {
                if (e.errno() != Errno.EEXIST || attempt == 20) {
                    throw new IpcException(builtin + " \"" + ring + "\": cannot make its doorbell directory " + path + ": "
                            + e.getMessage());
                }
            }
        }
        int dfd = -1, r = -1, w = -1;
        try {
            try {
                dfd = f.openat(LibC.AT_FDCWD, path, LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0);
            } catch (OsException e) {
                throw new OsException(builtin, ring + " doorbells " + path, e.errno());
            }
            checkDir(builtin, ring, path, f.fstat(dfd), me);
            f.fchmod(dfd, 0700 | ((perms & 0060) != 0 ? 0010 : 0) | ((perms & 0006) != 0 ? 0001 : 0));
            r = makeFifo(builtin, ring, dfd, path, READER, perms, me);
            w = makeFifo(builtin, ring, dfd, path, WRITER, perms, me);
            return new Doorbells(path, r, w);
        } catch (RuntimeException e) {
            // undone with no new descriptor: the failure may be that there are none left
            LibC c = LibC.get();
            if (r >= 0) c.close(r);
            if (w >= 0) c.close(w);
            int d = dfd;
            if (d >= 0) {
                quietly(() -> f.unlinkat(d, READER, 0));
                quietly(() -> f.unlinkat(d, WRITER, 0));
            }
            String made = path;
            quietly(() -> f.unlinkat(LibC.AT_FDCWD, made, LibC.AT_REMOVEDIR)); // ours, and empty now
            throw e;
        } finally {
            if (dfd >= 0) LibC.get().close(dfd);
        }
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // never made, or gone already
        }
    }

    /** Opens the doorbells of a ring owned by owner, in the directory its header names. */
    static Doorbells open(String builtin, String ring, String dir, int owner) {
        if (!DIR.matcher(dir).matches()) {
            throw new IpcException(builtin + " \"" + ring + "\": its header names \"" + dir + "\" as doorbell directory; a ring's"
                    + " doorbells are in /tmp/ipcsh-ring-NAME");
        }
        LibC f = LibC.get();
        int dfd = openDir(builtin, ring, dir);
        int r = -1, w = -1;
        try {
            checkDir(builtin, ring, dir, f.fstat(dfd), owner);
            r = openFifo(builtin, ring, dfd, dir, READER, owner);
            w = openFifo(builtin, ring, dfd, dir, WRITER, owner);
            return new Doorbells(dir, r, w);
        } catch (RuntimeException e) {
            if (r >= 0) LibC.get().close(r);
            throw e;
        } finally {
            LibC.get().close(dfd);
        }
    }

    /**
     * Removes a doorbell directory and its FIFOs when it is what a ring owned by owner
     * would have; quietly does nothing otherwise (another user's, or gone already).
     */
    static void remove(String dir, int owner) {
        if (!DIR.matcher(dir).matches()) return;
        LibC f = LibC.get();
        int dfd;
        try {
            dfd = f.openat(LibC.AT_FDCWD, dir, O_PATH | LibC.O_CLOEXEC | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0);
        } catch (OsException e) {
            return;
        }
        try {
            checkDir("shm-unlink", dir, dir, f.fstat(dfd), owner);
            for (String b : new String[] {READER, WRITER}) {
                try {
                    f.unlinkat(dfd, b, 0);
                } catch (OsException ignored) {
                    // gone already
                }
            }
            // by path: /tmp is sticky, so only the directory's owner (or root) could have swapped it,
            // and rmdir neither follows a symlink nor removes a directory that is not empty
            f.unlinkat(LibC.AT_FDCWD, dir, LibC.AT_REMOVEDIR);
        } catch (RuntimeException ignored) {
            // not ours to remove, or not empty: leave it
        } finally {
            LibC.get().close(dfd);
        }
    }

    void close() {
        LibC c = LibC.get();
        c.close(reader);
        c.close(writer);
    }

    private static int openDir(String builtin, String ring, String dir) {
        try {
            return LibC.get().openat(LibC.AT_FDCWD, dir,
                    O_PATH | LibC.O_CLOEXEC | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0);
        } catch (OsException e) {
            String hint = switch (Errno.name(e.errno())) {
                case "ENOENT" -> "the ring's doorbell directory is gone (removed by hand?); shm-unlink the ring and make it again";
                case "ELOOP", "ENOTDIR" -> "the ring's doorbell directory is not a directory (a symlink?)";
                case "EACCES" -> "the ring's mode does not let this user reach its doorbells";
                default -> null;
            };
            throw new OsException(builtin, ring + " doorbells " + dir, e.errno(), hint);
        }
    }

    private static void checkDir(String builtin, String ring, String dir, FileStat st, int owner) {
        if (st.type() != LibC.S_IFDIR || st.uid() != owner || (st.perms() & 0022) != 0) {
            throw new IpcException(String.format("%s \"%s\": doorbell directory %s is not a directory of uid %d that only"
                    + " its owner can write (it is %s, uid %d, mode %04o); refusing to use it", builtin, ring, dir, owner,
                    st.type() == LibC.S_IFDIR ? "a directory" : "not a directory", st.uid(), st.perms()));
        }
    }

    private static int makeFifo(String builtin, String ring, int dfd, String dir, String name, int perms, int me) {
        LibC f = LibC.get();
        try {
            f.mkfifoat(dfd, name, 0600);
        } catch (OsException e) {
            throw new OsException(builtin, ring + " doorbell " + dir + "/" + name, e.errno());
        }
        int fd = openFifo(builtin, ring, dfd, dir, name, me);
        try {
            f.fchmod(fd, perms & 0666); // the ring's mode, whatever the umask took from mkfifo's
            return fd;
        } catch (RuntimeException e) {
            LibC.get().close(fd);
            throw e;
        }
    }

    private static int openFifo(String builtin, String ring, int dfd, String dir, String name, int owner) {
        LibC f = LibC.get();
        int fd;
        try {
            fd = f.openat(dfd, name, OPEN_FIFO, 0);
        } catch (OsException e) {
            throw new OsException(builtin, ring + " doorbell " + dir + "/" + name, e.errno(),
                    e.errno() == Errno.EACCES ? "the ring's mode does not let this user open its doorbells" : null);
        }
        FileStat st = f.fstat(fd);
        if (st.type() != LibC.S_IFIFO || st.uid() != owner) {
            LibC.get().close(fd);
            throw new IpcException(String.format("%s \"%s\": doorbell %s/%s is not a FIFO of uid %d (type %06o, uid %d);"
                    + " refusing to use it", builtin, ring, dir, name, owner, st.type(), st.uid()));
        }
        return fd;
    }

    private static String randomName() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder(16);
        for (int i = 0; i < 16; i++) b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        return b.toString();
    }
}
