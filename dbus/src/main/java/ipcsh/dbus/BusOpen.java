package ipcsh.dbus;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.os.AtExit;
import ipcsh.os.LibC;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** (dbus), (dbus :system), (dbus "unix:path=…"): the address, then a connection or a one-line why not. */
final class BusOpen {
    /** Buses open now, closed at exit by the shell's end (the bus then releases their names). */
    static final List<Bus> OPEN = new ArrayList<>();

    private BusOpen() {}

    static Bus open(String who, Object which) {
        String address = address(who, which);
        precheck(who, address);
        DivertingSocketProvider.Inbox inbox = new DivertingSocketProvider.Inbox();
        DivertingSocketProvider.OPENING.set(inbox);
        DBusConnection conn;
        try {
            // dbus-java's JDK-socket transport says it has no unix fd support, so it would not ask
            // the bus for it; DivertingSocketProvider passes them, so the SASL step asks (NEGOTIATE_UNIX_FD)
            conn = DBusConnectionBuilder.forAddress(address).withShared(false).transportConfig()
                    .withPreConnectCallback(t -> t.getTransportConfig().getSaslConfig().setFileDescriptorSupport(true)).back()
                    .build();
        } catch (Exception e) {
            throw new IpcException(who + ": cannot connect to " + address + ": " + reason(e));
        } finally {
            DivertingSocketProvider.OPENING.remove();
        }
        Bus bus = new Bus(conn, address, inbox);
        inbox.bus = bus;
        synchronized (OPEN) {
            OPEN.add(bus);
        }
        // dbus-java's reader waits in a native read, which would hold the JVM's exit 300 ms
        AtExit.register(BusOpen.class, BusOpen::wakeReadersAtExit);
        return bus;
    }

    static String address(String who, Object which) {
        if (which == null) {
            String a = System.getenv("DBUS_SESSION_BUS_ADDRESS");
            if (a == null || a.isBlank()) {
                throw new IpcException(who + ": no session bus: DBUS_SESSION_BUS_ADDRESS is not set (give an address: (dbus \"unix:path=…\"))");
            }
            return a;
        }
        if (which instanceof Keyword || (which instanceof String s && s.startsWith(":"))) {
            String w = Keyword.word(which);
            if (w.equals("session")) return address(who, null);
            if (w.equals("system")) {
                String a = System.getenv("DBUS_SYSTEM_BUS_ADDRESS");
                return a == null || a.isBlank() ? "unix:path=/var/run/dbus/system_bus_socket" : a;
            }
            throw new IpcException(who + ": :" + w + " is not a bus; use :session, :system or an address such as \"unix:path=/run/user/1000/bus\"");
        }
        if (which instanceof String s) {
            if (!s.matches("[a-z]+:.*")) {
                throw new IpcException(who + ": \"" + s + "\" is not a D-Bus address (unix:path=…, unix:abstract=…, tcp:host=…,port=…)");
            }
            return s;
        }
        throw new IpcException(who + ": the bus must be :session, :system or an address string, not " + ToWire.describe(which));
    }

    /** The common failure, a socket file that is not there or not ours to open, said before dbus-java tries. */
    private static void precheck(String who, String address) {
        String first = address.split(";")[0];
        if (first.startsWith("unix:abstract=")) {
            throw new IpcException(who + ": cannot connect to " + address + ": abstract unix sockets are not supported by this build's transport (use unix:path=)");
        }
        if (first.startsWith("tcp:") || first.startsWith("nonce-tcp:")) {
            throw new IpcException(who + ": cannot connect to " + address + ": tcp buses are not supported by this build's transport (use unix:path=)");
        }
        if (!first.startsWith("unix:")) return;
        String path = null;
        for (String kv : first.substring(5).split(",")) {
            if (kv.startsWith("path=")) path = kv.substring(5);
        }
        if (path == null) return;
        Path p = Path.of(path);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.exists(p)) {
            throw new IpcException(who + ": cannot connect to " + address + ": " + path + ": no such file or directory");
        }
        if (!Files.isReadable(p) || !Files.isWritable(p)) {
            throw new IpcException(who + ": cannot connect to " + address + ": " + path + ": permission denied");
        }
    }

    private static String reason(Throwable e) {
        String last = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) last = t.getMessage();
            if (t instanceof java.net.ConnectException || t instanceof org.freedesktop.dbus.exceptions.AuthenticationException) {
                break;
            }
        }
        String why = last == null ? e.getClass().getSimpleName() : last.replace('\n', ' ');
        if (why.contains("Connection refused")) return "connection refused (nothing listens on it)";
        if (why.toLowerCase().contains("auth")) return "authentication rejected (" + why + ")";
        return why;
    }

    /** Whether dest names a connection of this shell's (its unique name or a name it owns): its calls are served by the thread that would wait. */
    static boolean servedHere(String dest) {
        synchronized (OPEN) {
            for (Bus b : OPEN) {
                if (dest.equals(b.uniqueName) || b.ownedNames.contains(dest)) return true;
            }
        }
        return false;
    }

    /**
     * Shuts every open connection's socket down: its reader sees the end and leaves its read.
     * Not a disconnect, which may wait on a bus that does not read: an exit action must not block.
     */
    private static void wakeReadersAtExit() {
        List<Bus> all;
        synchronized (OPEN) {
            all = new ArrayList<>(OPEN);
        }
        for (Bus b : all) {
            int fd = b.inbox.fd;
            if (fd >= 0 && !b.closed()) LibC.get().shutdown(fd, LibC.SHUT_RDWR);
        }
    }
}
