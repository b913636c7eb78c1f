package ipcsh.debug;

import ipcsh.Keyword;
import ipcsh.os.LibC;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Who holds what, as /proc tells it, for descriptors and mappings this very process holds. */
class HoldersTest {
    private static final long PID = ProcessHandle.current().pid();
    private final LibC c = LibC.get();
    private final TempDir dir = new TempDir();
    private final List<Integer> fds = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (int fd : fds) c.close(fd);
        dir.close();
    }

    private int open(String path, int access) {
        int fd = c.open(path, access | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        fds.add(fd);
        return fd;
    }

    private static List<Map<String, Object>> mine(List<Map<String, Object>> rows) {
        return rows.stream().filter(r -> Long.valueOf(PID).equals(r.get("pid"))).toList();
    }

    @Test
    void thisProcesssOwnFifoDescriptorsAreFoundWithTheirFdAndMode() {
        String fifo = dir.file("own.fifo");
        c.mkfifo(fifo, 0600);
        int reader = open(fifo, LibC.O_RDONLY);
        int both = open(fifo, LibC.O_RDWR);

        List<ProcFds.Fd> found = ProcFds.scan().holding(fifo).stream().filter(f -> f.pid() == PID).toList();
        assertEquals(List.of(reader + " read", both + " rw"), found.stream().map(f -> f.fd() + " " + f.mode()).sorted().toList());

        List<Map<String, Object>> held = mine(Holders.whoHas(fifo));
        assertEquals(2, held.size(), held.toString());
        Map<String, Object> fifoRow = Holders.fifos(dir.path.toString(), false).get(0);
        assertEquals(fifo, fifoRow.get("path"));
        assertEquals(List.of(PID), fifoRow.get("readers"));
        assertEquals(List.of(PID), fifoRow.get("writers"), "the O_RDWR descriptor writes too");

        c.close(fds.remove(1));
        c.close(fds.remove(0));
        assertEquals(List.of(), mine(Holders.whoHas(fifo)), "closed descriptors are no longer listed");
    }

    /** A segment stays in use after its descriptor is closed: who-has finds the mapping, fd :mem. */
    @Test
    void aSharedMemorySegmentMappedWithItsDescriptorClosedIsFoundAsMem() {
        String name = "/ipcsh-test-" + PID + "-holders";
        int fd = c.shmOpen(name, LibC.O_CREAT | LibC.O_EXCL | LibC.O_RDWR | LibC.O_CLOEXEC, 0600);
        try (Arena arena = Arena.ofShared()) {
            c.ftruncate(fd, 4096);
            c.mmap(4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0, arena);
            c.close(fd);
            fd = -1;
            List<Map<String, Object>> held = mine(Holders.whoHas("/dev/shm" + name));
            assertEquals(1, held.size(), held.toString());
            assertEquals(Keyword.of("mem"), held.get(0).get("fd"));
            assertEquals(Keyword.of("rw"), held.get(0).get("mode"));
        } finally {
            if (fd >= 0) c.close(fd);
            c.shmUnlink(name);
        }
    }
}
