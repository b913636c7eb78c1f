package ipcsh.shm;

import ipcsh.ArgCheck;
import ipcsh.IpcException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The number types of shm-get/shm-put, as C lays them out; integers come back as Long, floats as Double. */
public enum NumType {
    I8("i8", 1, -128, 127), U8("u8", 1, 0, 255),
    I16("i16", 2, Short.MIN_VALUE, Short.MAX_VALUE), U16("u16", 2, 0, 65535),
    I32("i32", 4, Integer.MIN_VALUE, Integer.MAX_VALUE), U32("u32", 4, 0, 0xFFFFFFFFL),
    I64("i64", 8, Long.MIN_VALUE, Long.MAX_VALUE),
    F32("f32", 4, 0, 0), F64("f64", 8, 0, 0);

    final String keyword;
    final int bytes;
    private final long min, max;

    NumType(String keyword, int bytes, long min, long max) {
        this.keyword = keyword;
        this.bytes = bytes;
        this.min = min;
        this.max = max;
    }

    public static NumType of(String builtin, String word) {
        for (NumType t : values()) if (t.keyword.equals(word)) return t;
        throw new IpcException(builtin + ": type must be one of :i8 :u8 :i16 :u16 :i32 :u32 :i64 :f32 :f64, not :" + word);
    }

    private boolean floating() {
        return this == F32 || this == F64;
    }

    /** The value as this type stores it (Long or Double), or a clear error when it does not fit. */
    Object checkValue(String where, Object v) {
        if (floating()) {
            if (v instanceof Number n) return n.doubleValue();
            throw new IpcException(where + ": value for :" + keyword + " must be a number, not " + ArgCheck.describe(v));
        }
        long x;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            x = ((Number) v).longValue();
        } else if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p63) {
            x = d.longValue();
        } else {
            throw new IpcException(where + ": value for :" + keyword + " must be an integer, not " + ArgCheck.describe(v));
        }
        if (x < min || x > max) {
            throw new IpcException(where + ": " + x + " does not fit :" + keyword + " (" + min + ".." + max + ")");
        }
        return x;
    }

    Object get(MemorySegment m, long off, ByteOrder o) {
        return switch (this) {
            case I8 -> (long) m.get(ValueLayout.JAVA_BYTE, off);
            case U8 -> (long) (m.get(ValueLayout.JAVA_BYTE, off) & 0xff);
            case I16 -> (long) m.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o), off);
            case U16 -> (long) (m.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o), off) & 0xffff);
            case I32 -> (long) m.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(o), off);
            case U32 -> m.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(o), off) & 0xFFFFFFFFL;
            case I64 -> m.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(o), off);
            case F32 -> (double) m.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(o), off);
            case F64 -> m.get(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(o), off);
        };
    }

    void put(MemorySegment m, long off, Object v, ByteOrder o) {
        switch (this) {
            case I8, U8 -> m.set(ValueLayout.JAVA_BYTE, off, (byte) (long) (Long) v);
            case I16, U16 -> m.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o), off, (short) (long) (Long) v);
            case I32, U32 -> m.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(o), off, (int) (long) (Long) v);
            case I64 -> m.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(o), off, (long) (Long) v);
            case F32 -> m.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(o), off, (float) (double) (Double) v);
            case F64 -> m.set(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(o), off, (double) (Double) v);
        }
    }
}
