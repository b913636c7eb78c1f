package ipcsh.os;

import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What LibC's file calls report about the objects a shell meets in shared directories, held
 * against stat(1) and the kernel's own errno: a FIFO is told apart by fstat of its descriptor,
 * a symbolic link is refused with O_NOFOLLOW, a socket file cannot be opened at all.
 */
class KernelFilesTest {
    private final LibC c = LibC.get();
    private final TempDir dir = new TempDir();
    private final List<Integer> fds = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (int fd : fds) c.close(fd);
        dir.close();
    }

    private int keep(int fd) {
        fds.add(fd);
        return fd;
    }

    private static String statType(String path) {
        try (Peer stat = Peer.start("stat", "-c", "%F", path)) {
            assertEquals(0, stat.waitFor(10), stat.output());
            return stat.output().strip();
        }
    }

    @Test
    void fstatOfAnOpenFifoSaysFifoWithItsModeAndIdentity() throws Exception {
        String fifo = dir.file("jobs.fifo");
        c.mkfifo(fifo, 0600);
        int fd = keep(c.open(fifo, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0));
        FileStat st = c.fstat(fd);
        assertEquals("fifo", statType(fifo));
        assertEquals("FIFO", FileType.name(st.mode()));
        assertTrue(FileType.is(st.mode(), LibC.S_IFIFO));
        assertEquals(0600, st.perms());
        assertEquals(((Number) Files.getAttribute(Path.of(fifo), "unix:ino")).longValue(), st.ino());
        assertEquals(c.geteuid(), st.uid());
    }

    @Test
    void oNofollowRefusesASymbolicLinkThatPlainOpenFollows() throws Exception {
        String fifo = dir.file("real.fifo");
        c.mkfifo(fifo, 0600);
        Path link = Files.createSymbolicLink(dir.path.resolve("link.fifo"), Path.of(fifo));
        assertEquals("symbolic link", statType(link.toString()));

        OsException e = assertThrows(OsException.class,
                () -> keep(c.open(link.toString(), LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_NOFOLLOW, 0)));
        assertEquals(Errno.ELOOP, e.errno());
        assertEquals("open \"" + link + "\": Too many levels of symbolic links (ELOOP)", e.getMessage());

        int fd = keep(c.open(link.toString(), LibC.O_RDONLY | LibC.O_NONBLOCK, 0));
        assertEquals("FIFO", FileType.name(c.fstat(fd).mode()));
    }

    @Test
    void aUnixSocketFileIsASocketAndOpenOfItFailsWithEnxio() {
        String path = dir.file("s.sock");
        int fd = keep(c.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0));
        c.bind(fd, SockAddr.unix(path, "bind"));
        assertEquals("socket", statType(path));
        assertEquals("socket", FileType.name(c.fstat(fd).mode()));

        OsException e = assertThrows(OsException.class, () -> keep(c.open(path, LibC.O_RDONLY | LibC.O_NOFOLLOW, 0)));
        assertEquals("ENXIO", e.errnoName());
        assertTrue(e.getMessage().startsWith("open \"" + path + "\": "), e.getMessage());
    }

    @Test
    void aMissingFileIsEnoentWithTheCLibrarysText() {
        String path = dir.file("not-there");
        OsException e = assertThrows(OsException.class, () -> keep(c.open(path, LibC.O_RDONLY, 0)));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("open \"" + path + "\": No such file or directory (ENOENT)", e.getMessage());
        assertEquals("ENOENT", e.data().get("errno"));
    }
}
