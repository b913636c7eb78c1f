package ipcsh.groups;

import ipcsh.chan.drivers.Sockets;

/** A child JVM for {@link SocketFileCleanupTest}: listens on a unix path, says so, waits to be killed. */
public final class ListenUntilKilled {
    private ListenUntilKilled() {}

    public static void main(String[] args) throws Exception {
        Sockets.listenUnix(args[0], 8);
        System.out.println("listening");
        System.out.flush();
        Thread.sleep(30_000);
    }
}
