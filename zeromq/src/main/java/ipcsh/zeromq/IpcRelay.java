package ipcsh.zeromq;

import ipcsh.IpcException;
import ipcsh.os.AtExit;
import ipcsh.os.FileId;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ipc:// as libzmq means it: a unix socket file. JeroMQ's own ipc:// is a loopback TCP port
 * named by a hash of the path, which no libzmq program (pyzmq, C) can reach and which leaves
 * no file. So for ipc://path this relays the real socket file to a loopback TCP port JeroMQ
 * uses: a bound socket gets a unix listener at path whose connections are carried to
 * JeroMQ's tcp://127.0.0.1:port; a connecting socket connects JeroMQ to a loopback listener of
 * this relay, whose connections are carried to path (a refused one is closed, and JeroMQ
 * reconnects after :reconnect-ivl as it would).
 *
 * <p>ZMTP is the same over both, so the relay only copies bytes, on threads of its own (two per
 * connection, blocking; they never touch a JeroMQ socket). The loopback port is reachable by
 * every local user, unlike a socket file with its permissions: on a shared machine use CURVE.
 */
final class IpcRelay implements Runnable {
    private final ServerSocketChannel listener;
    private final List<SocketChannel> conns = new ArrayList<>();
    private final String path;
    private final Object atExitKey = new Object();
    private volatile boolean closed;

    private IpcRelay(ServerSocketChannel listener, String path) {
        this.listener = listener;
        this.path = path;
    }

    static String pathOf(String endpoint) {
        return endpoint.substring("ipc://".length());
    }

    /** A unix listener at the endpoint's path, relayed to tcpPort (where JeroMQ listens); removed at close and exit. */
    static IpcRelay bind(String endpoint, int tcpPort) {
        String path = pathOf(endpoint);
        ServerSocketChannel l;
        try {
            l = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new IpcException("zmq: bind \"" + endpoint + "\": " + e.getMessage());
        }
        try {
            l.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            close(l);
            String why = Files.exists(Path.of(path), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    ? "Address already in use (EADDRINUSE): the path exists; remove it or choose another"
                    : e.getMessage();
            throw new IpcException("zmq: bind \"" + endpoint + "\": " + why);
        }
        IpcRelay r = new IpcRelay(l, path);
        r.made = FileId.at(path);
        if (r.made != null) AtExit.removeAtExit(r.atExitKey, path, r.made, () -> r.unlink(r.made));
        r.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), tcpPort);
        r.toUnix = false;
        r.start();
        return r;
    }

    /** A loopback listener whose connections go to the endpoint's path; its port is where JeroMQ connects. */
    static IpcRelay connect(String endpoint) {
        ServerSocketChannel l;
        try {
            l = ServerSocketChannel.open();
            l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new IpcException("zmq: connect \"" + endpoint + "\": cannot listen on loopback for the relay: " + e.getMessage());
        }
        IpcRelay r = new IpcRelay(l, null);
        r.unixTarget = UnixDomainSocketAddress.of(pathOf(endpoint));
        r.toUnix = true;
        r.start();
        return r;
    }

    /** The socket file this relay made (only that file is removed). */
    private FileId made;
    private InetSocketAddress target;
    private UnixDomainSocketAddress unixTarget;
    private boolean toUnix;

    int port() {
        try {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IpcException("zmq: relay: " + e.getMessage());
        }
    }

    private void start() {
        Thread t = new Thread(this, "ipcsh-zmq-ipc " + (path != null ? path : unixTarget.getPath()));
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        while (!closed) {
            SocketChannel in;
            try {
                in = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            SocketChannel out;
            try {
                out = toUnix ? SocketChannel.open(unixTarget) : SocketChannel.open(target);
            } catch (IOException e) {
                close(in); // the peer is not there (yet): JeroMQ or the peer reconnects
                continue;
            }
            synchronized (conns) {
                if (closed) {
                    close(in);
                    close(out);
                    return;
                }
                conns.add(in);
                conns.add(out);
            }
            pump(in, out);
            pump(out, in);
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
            try {
                while (from.read(b) >= 0) {
                    b.flip();
                    while (b.hasRemaining()) to.write(b);
                    b.clear();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                close(from);
                close(to);
            }
        }, "ipcsh-zmq-ipc-pump");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Stops accepting and removes the file at once; connections are cut after graceMs, so that
     * what the socket's :linger lets it still send gets through the relay first.
     */
    void close(long graceMs) {
        closed = true;
        close(listener);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(Math.max(0, graceMs));
            } catch (InterruptedException ignored) {
                // cut now
            }
            synchronized (conns) {
                conns.forEach(IpcRelay::close);
                conns.clear();
            }
        }, "ipcsh-zmq-ipc-close");
        t.setDaemon(true);
        t.start();
        if (path != null && made != null && AtExit.cancel(atExitKey)) unlink(made);
    }

    private void unlink(FileId made) {
        try {
            if (made.isAt(path)) Files.deleteIfExists(Path.of(path));
        } catch (IOException ignored) {
            // gone already, or not ours to remove
        }
    }

    private static void close(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
