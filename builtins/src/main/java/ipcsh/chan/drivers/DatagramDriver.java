package ipcsh.chan.drivers;

import ipcsh.os.LibC;

/**
 * A datagram socket: udp or unix datagram. One read is one whole datagram (recvfrom(2), the
 * sender's address kept for {@link #lastFrom}); one write is one datagram to the connected peer,
 * or to the address given for this send by {@link #sendingTo}.
 */
public final class DatagramDriver extends SocketFdDriver {
    private byte[] nextTo;
    private byte[] lastFrom;

    DatagramDriver(int fd, String kind, String name, String createdPath) {
        super(fd, kind, name, createdPath);
    }

    @Override public boolean messages() { return true; }

    /** The socket's address family (AF_INET, AF_INET6, AF_UNIX). */
    public int family() {
        return ipcsh.os.SockAddr.family(LibC.get().getsockname(fd));
    }

    /** MSG_TRUNC: the datagram's real length even when it did not fit, so a cut never goes unnoticed. */
    @Override
    public int read(byte[] buf, int off, int len) {
        byte[][] from = new byte[1][];
        int n = LibC.get().recvfrom(rfd, buf, off, len, LibC.MSG_TRUNC, from);
        if (n >= 0) lastFrom = from[0];
        return n;
    }

    /** A unix datagram with the descriptors that came with it; MSG_TRUNC as {@link #read}. */
    @Override
    public int readWithFds(byte[] buf, int off, int len) {
        int n = receive(buf, off, len, LibC.MSG_TRUNC, true);
        if (n >= 0) lastFrom = from;
        return n;
    }

    /** The next datagram's length, peeked (MSG_PEEK | MSG_TRUNC: Linux gives the real length, unix sockets since 3.4). */
    @Override
    public int nextMessageSize() {
        return LibC.get().recvfrom(rfd, PEEK, 0, 0, LibC.MSG_PEEK | LibC.MSG_TRUNC, null);
    }

    private static final byte[] PEEK = new byte[0];

    @Override
    public boolean messageSizeExact() {
        return true;
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        return LibC.get().sendto(wfd, buf, off, len, 0, nextTo);
    }

    @Override
    public int write(byte[] buf, int off, int len, int[] fds) {
        return LibC.get().sendmsg(wfd, buf, off, len, fds, 0, nextTo);
    }

    /** The sender of the datagram read last, as struct sockaddr bytes (empty: unnamed), or null. */
    public byte[] lastFrom() {
        return lastFrom;
    }

    /** Runs send (a channel write) with its datagram going to addr instead of the connected peer. */
    public void sendingTo(byte[] addr, Runnable send) {
        nextTo = addr;
        try {
            send.run();
        } finally {
            nextTo = null;
        }
    }
}
