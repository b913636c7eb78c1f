package ipcsh.chan;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The eight-bytes-at-a-time searches agree with a plain loop at every offset and length. */
class ByteScanTest {
    private static final byte[] TARGETS = {'\n', 0, 1, 0x7f, (byte) 0x80, (byte) 0xff, '?'};

    @Test
    void indexOfAByteFindsTheFirstOneWhereverItIs() {
        Random rnd = new Random(11);
        for (int round = 0; round < 400; round++) {
            byte b = TARGETS[round % TARGETS.length];
            byte[] a = new byte[rnd.nextInt(80)];
            // neighbours of b (b-1, b+1, b^0x80) are what a borrow between bytes could mistake for b
            byte[] near = {(byte) (b - 1), (byte) (b + 1), (byte) (b ^ 0x80), 0, (byte) 0xff, 'x'};
            for (int i = 0; i < a.length; i++) a[i] = near[rnd.nextInt(near.length)];
            int hits = rnd.nextInt(3);
            for (int h = 0; h < hits && a.length > 0; h++) a[rnd.nextInt(a.length)] = b;
            for (int from = 0; from <= a.length; from++) {
                for (int to = from; to <= a.length; to++) {
                    assertEquals(naiveIndexOf(a, from, to, b), ByteScan.indexOf(a, from, to, b),
                            "byte " + b + " in " + java.util.Arrays.toString(a) + " [" + from + ", " + to + ")");
                }
            }
        }
    }

    @Test
    void indexOfEolFindsTheFirstCrOrLfAmongTheirNeighbours() {
        Random rnd = new Random(13);
        // tab and the other bytes 0x08..0x0f pass the first test and must fail the exact one;
        // 0x8a, 0x8d and 0x0b/0x0c are what a borrow could mistake for LF or CR
        byte[] near = {'\t', 0x08, 0x0b, 0x0c, 0x0e, 0x0f, (byte) 0x8a, (byte) 0x8d, 0, (byte) 0xff, 'x', 0x09};
        for (int round = 0; round < 400; round++) {
            byte[] a = new byte[rnd.nextInt(80)];
            for (int i = 0; i < a.length; i++) a[i] = near[rnd.nextInt(near.length)];
            int hits = rnd.nextInt(3);
            for (int h = 0; h < hits && a.length > 0; h++) a[rnd.nextInt(a.length)] = rnd.nextBoolean() ? (byte) '\n' : (byte) '\r';
            for (int from = 0; from <= a.length; from++) {
                for (int to = from; to <= a.length; to++) {
                    int lf = naiveIndexOf(a, from, to, (byte) '\n'), cr = naiveIndexOf(a, from, to, (byte) '\r');
                    int want = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
                    assertEquals(want, ByteScan.indexOfEol(a, from, to), java.util.Arrays.toString(a) + " [" + from + ", " + to + ")");
                }
            }
        }
    }

    @Test
    void asciiEndStopsAtTheFirstByteOver0x7f() {
        Random rnd = new Random(12);
        for (int round = 0; round < 300; round++) {
            byte[] a = new byte[rnd.nextInt(90)];
            for (int i = 0; i < a.length; i++) a[i] = (byte) rnd.nextInt(0x80);
            if (a.length > 0 && rnd.nextBoolean()) a[rnd.nextInt(a.length)] = (byte) (0x80 | rnd.nextInt(0x80));
            for (int from = 0; from <= a.length; from++) {
                for (int to = from; to <= a.length; to++) {
                    assertEquals(naiveAsciiEnd(a, from, to), ByteScan.asciiEnd(a, from, to),
                            java.util.Arrays.toString(a) + " [" + from + ", " + to + ")");
                }
            }
        }
    }

    private static int naiveIndexOf(byte[] a, int from, int to, byte b) {
        for (int i = from; i < to; i++) if (a[i] == b) return i;
        return -1;
    }

    private static int naiveAsciiEnd(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) if (a[i] < 0) return i;
        return to;
    }
}
