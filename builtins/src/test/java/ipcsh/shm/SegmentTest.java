package ipcsh.shm;

import ipcsh.IpcException;
import ipcsh.testing.Peer;
import ipcsh.testing.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A mapped file's edges: the last byte is reachable and the one after it is an error, also
 * where offset + length would overflow a long; what is written is in the file for other
 * programs (od), and bytes they write are read.
 */
class SegmentTest {
    private final TempDir dir = new TempDir();
    private Segment seg;

    @AfterEach
    void cleanUp() {
        if (seg != null) seg.close();
        dir.close();
    }

    private Segment map(String file, long size) {
        seg = Segments.file(file, new Segments.Request("mmap", true, true, false, size, 0600, false));
        return seg;
    }

    private static void fails(String message, org.junit.jupiter.api.function.Executable call) {
        assertEquals(message, assertThrows(IpcException.class, call).getMessage());
    }

    @Test
    void theLastBytesAreReachableAndTheNextOneIsPastTheEnd() {
        String f = dir.file("edge.bin");
        Segment s = map(f, 100);
        s.put("shm-put", NumType.U32, 96, 0xCAFEF00DL, ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xCAFEF00DL, s.get("shm-get", NumType.U32, 96, ByteOrder.LITTLE_ENDIAN));
        assertArrayEquals(new byte[0], s.read("shm-read", 100, 0));
        fails("shm-put " + f + ": offset 97 + 4 bytes is past the end (100)",
                () -> s.put("shm-put", NumType.U32, 97, 1L, ByteOrder.LITTLE_ENDIAN));
        fails("shm-read " + f + ": offset 100 + 1 byte is past the end (100)", () -> s.read("shm-read", 100, 1));
        fails("shm-write " + f + ": offset 9223372036854775807 + 2 bytes is past the end (100)",
                () -> s.write("shm-write", Long.MAX_VALUE, new byte[2]));
        fails("shm-read " + f + ": count -1 is negative", () -> s.read("shm-read", 0, -1));
    }

    @Test
    void whatIsWrittenIsInTheFileForOtherProgramsAndWhatTheyWriteIsRead() throws Exception {
        String f = dir.file("shared.bin");
        Segment s = map(f, 16);
        s.put("shm-put", NumType.I16, 0, -2L, ByteOrder.BIG_ENDIAN);
        s.write("shm-write", 2, "ok".getBytes(StandardCharsets.US_ASCII));
        try (Peer od = Peer.start("od", "-A", "n", "-t", "x1", "-N", "4", f)) {
            assertEquals(0, od.waitFor(10), od.output());
            assertEquals("ff fe 6f 6b", od.output().strip());
        }
        try (Peer dd = Peer.start("sh", "-c", "printf 'HI' | dd of='" + f + "' bs=1 seek=8 conv=notrunc status=none")) {
            assertEquals(0, dd.waitFor(10), dd.output());
        }
        assertEquals("HI", new String(s.read("shm-read", 8, 2), StandardCharsets.US_ASCII));
        assertEquals(16, Files.size(Path.of(f)));
    }

    @Test
    void aClosedSegmentRefusesAndClosingTwiceDoesNothing() {
        String f = dir.file("closed.bin");
        Segment s = map(f, 8);
        s.close();
        s.close();
        fails("shm-get " + f + ": segment is closed", () -> s.get("shm-get", NumType.I64, 0, ByteOrder.LITTLE_ENDIAN));
    }
}
