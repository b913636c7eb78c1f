package ipcsh.chan.drivers;

import ipcsh.os.AtExit;
import ipcsh.os.FileId;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Socket files the shell's own sockets created: removed when the socket closes, and at exit
 * ({@link AtExit}) for those still open. A socket file is its socket's own: nothing can connect
 * to it once the socket is gone. Each is removed only while the path still names the very file
 * bind made (st_dev and st_ino recorded just after bind): never a file someone put there since.
 */
final class UnixPaths {
    private static final Map<String, FileId> MADE = new ConcurrentHashMap<>();

    private UnixPaths() {}

    static void created(String path) {
        FileId made = FileId.at(path);
        if (made == null) return; // gone at once: there is nothing of ours to remove
        MADE.put(path, made);
        AtExit.removeAtExit(key(path), path, made, () -> unlink(path));
    }

    static void remove(String path) {
        FileId made = MADE.remove(path);
        if (AtExit.cancel(key(path)) && made != null && made.isAt(path)) unlink(path);
    }

    private static String key(String path) {
        return "socket-file:" + path;
    }

    private static void unlink(String path) {
        try {
            LibC.get().unlink(path);
        } catch (OsException ignored) {
            // gone already
        }
    }
}
