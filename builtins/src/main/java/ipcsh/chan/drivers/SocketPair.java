package ipcsh.chan.drivers;

import ipcsh.chan.Channel;
import ipcsh.os.LibC;

/** socketpair(2): two connected unix sockets, stream or datagram, neither with a name. */
public final class SocketPair {
    private SocketPair() {}

    /** {one end, the other}: unix stream channels, or unix datagram ones when dgram. */
    public static Channel[] open(boolean dgram) {
        int type = (dgram ? LibC.SOCK_DGRAM : LibC.SOCK_STREAM) | LibC.SOCK_NONBLOCK | LibC.SOCK_CLOEXEC;
        int[] fds = LibC.get().socketpair(LibC.AF_UNIX, type, 0);
        Channel[] ends = new Channel[2];
        for (int i = 0; i < 2; i++) {
            String name = "socketpair end " + (i + 1);
            ends[i] = new Channel(dgram ? new DatagramDriver(fds[i], "unix-dgram", name, null) : new SocketDriver(fds[i], "unix", name));
        }
        return ends;
    }
}
