package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

/** What recv with :fds gives: the data (bytes, or text on a text channel) and the descriptors that came with it, now the caller's. */
public record FdMessage(Object data, int[] fds) {
    /** Closes descriptors received and not wanted (null: none). */
    public static void close(int[] fds) {
        if (fds == null) return;
        for (int fd : fds) {
            try {
                LibC.get().close(fd);
            } catch (OsException e) {
                // already gone: nothing leaks
            }
        }
    }

    /** MSG_CTRUNC: the descriptors that did arrive are closed, and this is the error to raise. */
    public static IpcException cut(String verb, int[] arrived) {
        close(arrived);
        int n = arrived == null ? 0 : arrived.length;
        return new IpcException(verb + ": descriptors sent with this message were cut on the way (MSG_CTRUNC: this "
                + "process may be out of descriptors, see ulimit -n); the " + n + " that arrived were closed");
    }
}
