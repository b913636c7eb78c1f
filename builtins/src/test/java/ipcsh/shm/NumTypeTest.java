package ipcsh.shm;

import ipcsh.Callback;
import ipcsh.IpcException;
import ipcsh.testing.Peer;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The number types of shm-get/shm-put laid out as C lays them out: each type's extremes in both
 * byte orders, byte for byte what python3's struct module packs, and read back from its bytes.
 */
class NumTypeTest {
    /** [type, struct format letter, value]: the extremes, and a fraction for the floats. */
    private static final Object[][] CASES = {
        {NumType.I8, "b", -128L}, {NumType.I8, "b", 127L}, {NumType.U8, "B", 255L},
        {NumType.I16, "h", -32768L}, {NumType.I16, "h", 32767L}, {NumType.U16, "H", 65535L},
        {NumType.I32, "i", (long) Integer.MIN_VALUE}, {NumType.I32, "i", (long) Integer.MAX_VALUE}, {NumType.U32, "I", 0xFFFFFFFFL},
        {NumType.U32, "I", 0x80000001L}, {NumType.I64, "q", Long.MIN_VALUE}, {NumType.I64, "q", Long.MAX_VALUE},
        {NumType.F32, "f", -1.5}, {NumType.F64, "d", 0.1}, {NumType.F64, "d", -1e308},
    };

    /** python3's struct.pack of every case in order ("<" little, ">" big), one hex line each. */
    private static List<String> pythonPacks(String order) {
        StringBuilder py = new StringBuilder("import struct\n");
        for (Object[] c : CASES) {
            py.append("print(struct.pack('").append(order).append(c[1]).append("', ").append(c[2]).append(").hex())\n");
        }
        try (Peer p = Peer.start("python3", "-c", py.toString())) {
            assertEquals(0, p.waitFor(30), p.output());
            return p.output().lines().toList();
        }
    }

    private static void sameAsPython(String pyOrder, ByteOrder order) {
        List<String> expected = pythonPacks(pyOrder);
        List<String> written = new ArrayList<>(), readBack = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            for (int i = 0; i < CASES.length; i++) {
                NumType t = (NumType) CASES[i][0];
                Object v = t.checkValue("test", CASES[i][2]);
                MemorySegment m = a.allocate(t.bytes + 3);
                t.put(m, 3, v, order); // unaligned, as shm offsets may be
                written.add(HexFormat.of().formatHex(m.asSlice(3).toArray(ValueLayout.JAVA_BYTE)));
                MemorySegment fromPython = a.allocate(t.bytes + 1);
                MemorySegment.copy(MemorySegment.ofArray(HexFormat.of().parseHex(expected.get(i))), 0, fromPython, 1, t.bytes);
                readBack.add(String.valueOf(t.get(fromPython, 1, order)));
            }
        }
        assertEquals(expected, written);
        List<String> values = new ArrayList<>();
        for (Object[] c : CASES) values.add(String.valueOf(c[2]));
        assertEquals(values, readBack);
    }

    @Test
    void littleEndianBytesAreWhatPythonStructPacks() {
        sameAsPython("<", ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void bigEndianBytesAreWhatPythonStructPacks() {
        sameAsPython(">", ByteOrder.BIG_ENDIAN);
    }

    private static void refused(String message, NumType t, Object v) {
        assertEquals(message, assertThrows(IpcException.class, () -> t.checkValue("shm-put /x", v)).getMessage());
    }

    @Test
    void aValueOneBeyondItsTypeOrOfTheWrongKindIsRefusedNotWrapped() {
        refused("shm-put /x: 128 does not fit :i8 (-128..127)", NumType.I8, 128L);
        refused("shm-put /x: -1 does not fit :u16 (0..65535)", NumType.U16, -1L);
        refused("shm-put /x: 4294967296 does not fit :u32 (0..4294967295)", NumType.U32, 0x1_0000_0000L);
        refused("shm-put /x: -2147483649 does not fit :i32 (-2147483648..2147483647)", NumType.I32, (long) Integer.MIN_VALUE - 1);
        refused("shm-put /x: value for :i64 must be an integer, not the number 1.5", NumType.I64, 1.5);
        refused("shm-put /x: value for :i64 must be an integer, not the number 9223372036854775808", NumType.I64, 0x1p63);
        refused("shm-put /x: value for :f64 must be a number, not the string \"1\"", NumType.F64, "1");
        refused("shm-put /x: value for :u8 must be an integer, not a function", NumType.U8, (Callback) xs -> null);
        assertEquals(3L, NumType.U8.checkValue("shm-put /x", 3.0), "a whole double is the integer (JS numbers)");
        assertEquals(NumType.U32, NumType.of("shm-get", "u32"));
        assertEquals("shm-get: type must be one of :i8 :u8 :i16 :u16 :i32 :u32 :i64 :f32 :f64, not :u128",
                assertThrows(IpcException.class, () -> NumType.of("shm-get", "u128")).getMessage());
    }
}
