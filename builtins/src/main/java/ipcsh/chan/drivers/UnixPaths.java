package ipcsh.chan.drivers;

import ipcsh.os.AtExit;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

/**
 * Socket files the shell's own sockets created: removed when the socket closes, and at exit
 * ({@link AtExit}) for those still open.
 */
final class UnixPaths {
    private UnixPaths() {}

    static void created(String path) {
        AtExit.register(key(path), () -> unlinkSocket(path));
    }

    static void remove(String path) {
        if (AtExit.cancel(key(path))) unlinkSocket(path);
    }

    private static String key(String path) {
        return "socket-file:" + path;
    }

    private static void unlinkSocket(String path) {
        // only while it is still a socket: never a file someone put there since
        if (!"socket".equals(FifoDriver.fileType(path))) return;
        try {
            LibC.get().unlink(path);
        } catch (OsException ignored) {
            // gone already
        }
    }
}
