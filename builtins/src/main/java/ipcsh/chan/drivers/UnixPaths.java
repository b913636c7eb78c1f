package ipcsh.chan.drivers;

import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Socket files the shell's own sockets created: removed when the socket closes, and at exit
 * (a shutdown hook, which the JVM also runs on SIGINT and SIGTERM) for those still open.
 */
final class UnixPaths {
    private static final Set<String> CREATED = ConcurrentHashMap.newKeySet();
    private static volatile boolean hooked;

    private UnixPaths() {}

    static void created(String path) {
        if (!hooked) {
            synchronized (UnixPaths.class) {
                if (!hooked) {
                    Runtime.getRuntime().addShutdownHook(new Thread(UnixPaths::removeAll, "ipcsh-socket-files"));
                    hooked = true;
                }
            }
        }
        CREATED.add(path);
    }

    static void remove(String path) {
        if (!CREATED.remove(path)) return;
        unlinkSocket(path);
    }

    private static void removeAll() {
        for (String p : CREATED) unlinkSocket(p);
        CREATED.clear();
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
