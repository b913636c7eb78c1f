package ipcsh.chan;

/**
 * A driver whose bytes sit in memory that read(2) and write(2) can reach directly (a ring in
 * shared memory). {@link ipcsh.loop.Copy} moves bytes between it and a plain descriptor without
 * a buffer of its own: one copy, in the kernel, as splice does for pipes.
 */
public interface MemoryDriver extends Driver {
    /** This side cannot go on yet (no room to fill, nothing to drain); its own descriptor tells when. */
    long NOT_READY = -2;

    /**
     * Reads at most max bytes from fd into this channel's memory: the count, 0 at fd's end of
     * file, {@link ipcsh.os.LibC#WOULD_BLOCK} when fd has nothing, or {@link #NOT_READY}.
     */
    long fillFrom(int fd, long max);

    /**
     * Writes at most max of this channel's bytes to fd: the count, 0 at this channel's end of
     * stream, {@link ipcsh.os.LibC#WOULD_BLOCK} when fd takes nothing now, or {@link #NOT_READY}.
     */
    long drainTo(int fd, long max);
}
