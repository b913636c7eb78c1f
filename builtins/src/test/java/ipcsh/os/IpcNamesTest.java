package ipcsh.os;

import ipcsh.IpcException;
import ipcsh.testing.CProgram;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Names of kernel IPC objects as the checks before any call take them, held against the kernel and C's ftok(3). */
class IpcNamesTest {
    private final TempDir dir = new TempDir();

    @AfterEach
    void cleanUp() {
        dir.close();
    }

    private static void fails(String message, org.junit.jupiter.api.function.Executable call) {
        assertEquals(message, assertThrows(IpcException.class, call).getMessage());
    }

    /** The limit the check enforces is the kernel's: a name of 255 characters is made, one of 256 would be refused by shm_open too. */
    @Test
    void aPosixNameMayBe255CharactersLongAsTheKernelAllows() {
        String longest = "/" + ("ipcsh-test-" + ProcessHandle.current().pid() + "-").repeat(30).substring(0, 255);
        assertEquals(longest, IpcNames.posix("shm", longest));
        LibC c = LibC.get();
        c.close(c.shmOpen(longest, LibC.O_CREAT | LibC.O_EXCL | LibC.O_RDWR | LibC.O_CLOEXEC, 0600));
        c.shmUnlink(longest);

        String tooLong = longest + "x";
        fails("shm: name is 256 characters long; the limit is 255", () -> IpcNames.posix("shm", tooLong));
        OsException kernel = assertThrows(OsException.class, () -> c.shmOpen(tooLong, LibC.O_CREAT | LibC.O_EXCL | LibC.O_RDWR, 0600));
        assertEquals("ENAMETOOLONG", kernel.errnoName());
        fails("mq: name \"/\" must start with / and have a name after it, like \"/jobs\"", () -> IpcNames.posix("mq", "/"));
    }

    @Test
    void aKeyIsANumberOrTheHexIpcsPrintsAndReadsBackTheSame() {
        assertEquals(0xabcd, IpcNames.sysvKey("sysv-mq", "0x0000ABCD", 1));
        assertEquals(-1, IpcNames.sysvKey("sysv-mq", "0xffffffff", 1));
        assertEquals(-1, IpcNames.sysvKey("sysv-mq", 0xFFFFFFFFL, 1));
        assertEquals("0xffffffff", IpcNames.hexKey(-1));
        assertEquals("0x0000abcd", IpcNames.hexKey(IpcNames.sysvKey("sysv-mq", 0xabcdL, 1)));
        fails("sysv-mq: key must be at most 4294967295, not 4294967296", () -> IpcNames.sysvKey("sysv-mq", 0x1_0000_0000L, 1));
        fails("sysv-mq: key must be an integer or a path (for ftok), not a list", () -> IpcNames.sysvKey("sysv-mq", List.of(), 1));
    }

    /** A C program calling ftok(3) on the same path and proj finds the same object. */
    @Test
    void aPathBecomesTheKeyCsFtokMakes() throws Exception {
        String peer = CProgram.build("ipc_peer", dir);
        String path = dir.file("anchor");
        java.nio.file.Files.writeString(java.nio.file.Path.of(path), "");
        for (int proj : new int[] {1, 'A', 255}) {
            String c = CProgram.run(peer, "ftok", path, String.valueOf(proj)).strip();
            assertEquals(c, IpcNames.hexKey(IpcNames.sysvKey("sysv-mq", path, proj)), "proj " + proj);
        }
        assertNotEquals(IpcNames.sysvKey("sysv-mq", path, 1), IpcNames.sysvKey("sysv-mq", path, 2));
        String missing = dir.file("gone");
        fails("sysv-mq: ftok \"" + missing + "\": No such file or directory (ENOENT)", () -> IpcNames.sysvKey("sysv-mq", missing, 1));
    }
}
