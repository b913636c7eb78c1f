package ipcsh.os.impl;

import ipcsh.os.Errno;
import ipcsh.os.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The linking every area of {@link FfmLibC} shares: libc's symbols, a {@link Link} per function
 * linked on first call, errno captured per call (captureCallState) into a per-thread segment,
 * never shared state (the reactor and the interpreter call concurrently), and {@link #rethrow}.
 * The areas extend one another in a line (files, processes, sockets, ipc, terminals, signals, locks)
 * so that every call stays a plain method of the one final {@link FfmLibC}: the hot calls keep
 * their static final handles and a call path no longer than before.
 */
abstract class Downcalls implements LibC {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final MemoryLayout STATE = Linker.Option.captureStateLayout();

    /** errno's place in the capture state: found by walking the struct, as a layout path's VarHandle
     *  initialised the JDK's LayoutPath machinery (~4 ms of the first IPC call) for one int. */
    static final long ERRNO_OFFSET = errnoOffset();
    static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");
    static final int EINTR = Errno.EINTR, EAGAIN = Errno.EAGAIN;
    final ThreadLocal<MemorySegment> state = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE));

    static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new AssertionError("libc has no " + name));
    }

    static Link errnoCall(String name, ValueLayout ret, ValueLayout... args) {
        return linkedOnFirstCall(name, FunctionDescriptor.of(ret, args), ERRNO_CAPTURE);
    }

    static Link critical(String name, ValueLayout ret, ValueLayout... args) {
        return linkedOnFirstCall(name, FunctionDescriptor.of(ret, args), ERRNO_CAPTURE, Linker.Option.critical(true));
    }

    /**
     * The calls a script's first spawn, its channel's first wait and its close make, in the order
     * they make them: {@link #linkAhead} links them on another thread while the script starts.
     */
    private final List<Link> ahead = new ArrayList<>();

    /** {@code link}, made ahead of its first call by {@link #linkAhead}. */
    final Link ahead(Link link) {
        ahead.add(link);
        return link;
    }

    @Override
    public void linkAhead() {
        for (Link l : ahead) l.get();
    }

    static Link plain(String name, FunctionDescriptor fd) {
        return linkedOnFirstCall(name, fd);
    }

    final int errno(MemorySegment st) {
        return st.get(JAVA_INT, ERRNO_OFFSET);
    }

    private static long errnoOffset() {
        long offset = 0;
        for (MemoryLayout m : ((java.lang.foreign.StructLayout) STATE).memberLayouts()) {
            if (m.name().filter("errno"::equals).isPresent()) return offset;
            offset += m.byteSize();
        }
        throw new AssertionError("no errno in " + STATE);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /**
     * A libc function whose downcall handle is made when first called. Linking costs
     * milliseconds per function shape (the JDK generates a class for each), over 100 ms of CPU
     * for all of libc's calls here, and a script uses a handful. So is wrapping a handle in
     * another one that links it lazily: each shape of combinator spins classes too, and building
     * those wrappers for all ~85 functions kept the first IPC builtin of every script (a spawn, a
     * pipe) waiting 50-70 ms. A call site says {@code (int) f.get().invokeExact(...)}. The symbol
     * is looked up at once, so a missing one is still an error at start-up.
     */
    static Link linkedOnFirstCall(String name, FunctionDescriptor fd, Linker.Option... options) {
        return new Link(symbol(name), fd, options);
    }

    /** One libc function's downcall, linked when first asked for. */
    static final class Link {
        private final MemorySegment address;
        private final FunctionDescriptor fd;
        private final Linker.Option[] options;
        private volatile MethodHandle handle;

        Link(MemorySegment address, FunctionDescriptor fd, Linker.Option[] options) {
            this.address = address;
            this.fd = fd;
            this.options = options;
        }

        MethodHandle get() {
            MethodHandle h = handle;
            if (h == null) handle = h = LINKER.downcallHandle(address, fd, options);
            return h;
        }
    }

    // The hot path's errno (issue 11): the calling thread's segment found without a ThreadLocal
    // lookup (its weak reference check was ~5% of a round trip's Java time), since the
    // interpreter thread makes nearly all of the read, write and poll calls. A wait's pollfds
    // reuse the thread's buffer instead of an arena's malloc and free per poll.

    /**
     * A thread's errno segment, room for the pollfds of a wait (a blocking verb's: its descriptor,
     * Ctrl-C's, queued writers'), and the arrays it last read into and wrote from as segments: a
     * channel reads into and writes from the same buffers call after call, and wrapping one
     * (MemorySegment.ofArray, then a slice) made three objects a call, a third of a line
     * ping-pong's allocation. Used by its owner thread only.
     */
    static final class OwnedState {
        /** Arrays up to this size are kept for the next call; a larger one is not held on to. */
        private static final int KEPT_MAX = 256 * 1024;
        final Thread owner;
        final MemorySegment segment, pollfds;
        private final Kept read = new Kept(), write = new Kept();

        OwnedState(Thread owner, MemorySegment segment, MemorySegment pollfds) {
            this.owner = owner;
            this.segment = segment;
            this.pollfds = pollfds;
        }

        MemorySegment segment() { return segment; }
        MemorySegment pollfds() { return pollfds; }

        /** buf[off, off+len) to read into. */
        MemorySegment readInto(byte[] buf, int off, int len) {
            return read.of(buf, off, len);
        }

        /** buf[off, off+len) to write from. */
        MemorySegment writeFrom(byte[] buf, int off, int len) {
            return write.of(buf, off, len);
        }

        /** The array a direction used last, and its segment. */
        private static final class Kept {
            private byte[] array;
            private MemorySegment segment;

            MemorySegment of(byte[] buf, int off, int len) {
                MemorySegment whole = array == buf ? segment : null;
                if (whole == null) {
                    whole = MemorySegment.ofArray(buf);
                    if (buf.length <= KEPT_MAX) {
                        array = buf;
                        segment = whole;
                    }
                }
                return slice(whole, off, len);
            }
        }

        /** The call is given the length on its own: from offset 0 the whole array will do. */
        private static MemorySegment slice(MemorySegment whole, int off, int len) {
            return off == 0 && len <= whole.byteSize() ? whole : whole.asSlice(off, len);
        }
    }

    static final int POLL_FDS = 8;
    private final ThreadLocal<MemorySegment> pollfds = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(8L * POLL_FDS, 8));

    private volatile OwnedState lastState;

    final MemorySegment state() {
        return owned().segment();
    }

    final OwnedState owned() {
        Thread t = Thread.currentThread();
        OwnedState s = lastState;
        if (s != null && s.owner == t) return s;
        s = new OwnedState(t, state.get(), pollfds.get());
        lastState = s;
        return s;
    }
}
