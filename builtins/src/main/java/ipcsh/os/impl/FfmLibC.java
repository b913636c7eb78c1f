package ipcsh.os.impl;

import ipcsh.os.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link LibC} through the JDK's FFM API: the last of the area classes ({@link Downcalls} has
 * the linking, each area one group of C headers; {@link LockDowncalls} the last), loaded by {@link LibC#get()} through
 * META-INF/services so that the interface does not name it.
 */
public final class FfmLibC extends NotifyDowncalls {
    private final Link strerrorR = plain("strerror_r", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));

    /** For ServiceLoader; {@link LibC#get()} holds the one instance. */
    public FfmLibC() {}

    @Override
    public String strerror(int errno) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            MemorySegment s = (MemorySegment) strerrorR.get().invokeExact(errno, buf, 256L);
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
