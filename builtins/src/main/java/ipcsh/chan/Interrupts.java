package ipcsh.chan;

import ipcsh.os.LibC;

/**
 * Ctrl-C for blocked verbs. Every blocking wait polls its descriptor together with this
 * eventfd; {@link #interrupt()} (called from a signal handler's thread) makes all waits
 * fail with {@link InterruptedError} until the shell calls {@link #clear()} before the next form.
 */
public final class Interrupts {
    private static volatile int fd = -1;
    private static volatile boolean pending;

    private Interrupts() {}

    static synchronized int fd() {
        if (fd < 0) fd = LibC.get().eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        return fd;
    }

    public static void interrupt() {
        pending = true;
        byte[] one = {1, 0, 0, 0, 0, 0, 0, 0};
        LibC.get().write(fd(), one, 0, 8);
    }

    public static boolean pending() {
        return pending;
    }

    public static void clear() {
        if (!pending) return;
        pending = false;
        byte[] b = new byte[8];
        LibC.get().read(fd(), b, 0, 8);
    }

    /** Thrown by a blocking verb when the user pressed Ctrl-C. */
    public static final class InterruptedError extends ipcsh.IpcException {
        public InterruptedError(String what) {
            super(what + ": interrupted");
        }
    }
}
