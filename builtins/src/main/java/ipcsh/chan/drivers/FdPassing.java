package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.FdMessage;
import ipcsh.os.LibC;
import ipcsh.os.Received;

import java.util.ArrayList;
import java.util.List;

/**
 * Descriptor passing over unix sockets (SCM_RIGHTS) for any module: bytes sent with
 * descriptors, bytes received with the descriptors that came with them, and a received
 * descriptor made a channel of its kind ({@link ReceivedFd}). Channels pass descriptors through
 * their drivers ({@link SocketFdDriver}, on {@link Channel}'s read and write funnels); a module
 * with a socket of its own (D-Bus's unix fd type) calls {@link #send} and {@link #receive}.
 */
public final class FdPassing {
    private FdPassing() {}

    /**
     * sendmsg of b[off, off+len) with fds (at most {@link LibC#SCM_MAX_FD}) on socket sock:
     * bytes sent, the descriptors with them, or WOULD_BLOCK when neither went. On a stream
     * socket descriptors need at least one byte to travel with.
     */
    public static int send(int sock, byte[] b, int off, int len, int[] fds, String verb) {
        checkCount(fds.length, verb);
        return LibC.get().sendmsg(sock, b, off, len, fds, 0, null);
    }

    /**
     * recvmsg into b[off, off+len) with room for every descriptor a message carries: what came
     * (the caller owns its descriptors, close-on-exec), or null when nothing waits on a
     * non-blocking socket. Control data cut on the way (MSG_CTRUNC) closes every descriptor
     * that did arrive and is an error naming verb.
     */
    public static Received receive(int sock, byte[] b, int off, int len, String verb) {
        Received r = LibC.get().recvmsg(sock, b, off, len, LibC.SCM_MAX_FD, 0, false);
        if (r != null && r.controlCut()) throw FdMessage.cut(verb, r.fds());
        return r;
    }

    /** The one-line error for more descriptors than one message carries, before anything is sent. */
    public static void checkCount(int n, String verb) {
        if (n > LibC.SCM_MAX_FD) {
            throw new IpcException(verb + ": " + n + " descriptors in one message; the kernel takes at most "
                    + LibC.SCM_MAX_FD + " (SCM_MAX_FD)");
        }
    }

    /** Closes descriptors received and not wanted (null: none). */
    public static void close(int[] fds) {
        FdMessage.close(fds);
    }

    /** Received descriptors as channels, in order; if one cannot be made, every one is closed first. */
    public static List<Channel> channels(int[] fds) {
        List<Channel> out = new ArrayList<>(fds.length);
        for (int i = 0; i < fds.length; i++) {
            try {
                out.add(ReceivedFd.channel(fds[i]));
            } catch (RuntimeException e) {
                out.forEach(Channel::close);
                close(java.util.Arrays.copyOfRange(fds, i, fds.length));
                throw e;
            }
        }
        return out;
    }
}
