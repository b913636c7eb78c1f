package ipcsh.os.impl;

import ipcsh.ArgCheck;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Java strings as C strings, the native boundary's last line of defence: a NUL inside would end
 * the C string early (open("/x\0y") opens "/x"), so it is refused with the argument layer's words,
 * naming the call. The builtins refuse it first, naming themselves and the argument.
 */
final class CString {
    private CString() {}

    static MemorySegment of(Arena a, String call, String s) {
        return a.allocateFrom(ArgCheck.noNul(call, "C string", s));
    }
}
