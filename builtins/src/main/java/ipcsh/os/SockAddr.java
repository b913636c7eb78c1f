package ipcsh.os;

import ipcsh.IpcException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * struct sockaddr as bytes, the form {@link LibC}'s socket calls take and return:
 * sockaddr_un (a path, or an abstract name written "@name"), sockaddr_in and sockaddr_in6.
 * Building and reading them is plain Java; only the kernel sees them natively.
 */
public final class SockAddr {
    /** sun_path is 108 bytes; a path needs its NUL, an abstract name its leading NUL. */
    public static final int SUN_PATH_MAX = 107;

    private SockAddr() {}

    public static int family(byte[] addr) {
        return addr.length < 2 ? LibC.AF_UNSPEC : (addr[0] & 0xff) | (addr[1] & 0xff) << 8;
    }

    /**
     * A unix socket address: a path, or "@name" for Linux's abstract namespace (a leading NUL
     * byte). Fails naming {@code call} when the name does not fit sun_path.
     */
    public static byte[] unix(String name, String call) {
        if (name.isEmpty()) throw new IpcException(call + ": empty unix socket path");
        boolean abstractName = name.startsWith("@");
        // a path is a C string in sun_path: a NUL would end it (an abstract name is counted, not ended)
        if (!abstractName) ipcsh.ArgCheck.noNul(call, "unix socket path", name);
        byte[] body = (abstractName ? name.substring(1) : name).getBytes(StandardCharsets.UTF_8);
        if (body.length > SUN_PATH_MAX) {
            throw new IpcException(call + " \"" + name + "\": path too long for a unix socket address ("
                    + body.length + " bytes; sun_path holds at most " + SUN_PATH_MAX + ") (ENAMETOOLONG)",
                    Map.of("call", call, "path", name, "errno", "ENAMETOOLONG"));
        }
        byte[] a = new byte[2 + 1 + body.length];
        a[0] = (byte) LibC.AF_UNIX;
        // a path is followed by its NUL, an abstract name preceded by one: the same length
        System.arraycopy(body, 0, a, abstractName ? 3 : 2, body.length);
        return a;
    }

    /** The 2-byte address that makes bind(2) pick a fresh abstract name (Linux autobind). */
    public static byte[] unixAutobind() {
        return new byte[] {(byte) LibC.AF_UNIX, 0};
    }

    /** An IPv4 or IPv6 address from getaddrinfo with the port set. */
    public static byte[] withPort(byte[] addr, int port) {
        byte[] a = Arrays.copyOf(addr, addr.length);
        a[2] = (byte) (port >> 8);
        a[3] = (byte) port;
        return a;
    }

    /** The wildcard address of a family, port included. */
    public static byte[] any(int family, int port) {
        byte[] a = new byte[family == LibC.AF_INET6 ? 28 : 16];
        a[0] = (byte) family;
        return withPort(a, port);
    }

    public static int port(byte[] addr) {
        int f = family(addr);
        if (f != LibC.AF_INET && f != LibC.AF_INET6) return -1;
        return (addr[2] & 0xff) << 8 | (addr[3] & 0xff);
    }

    /** The numeric host of an IP address ("127.0.0.1", "::1"), or null for another family. */
    public static String host(byte[] addr) {
        int f = family(addr);
        try {
            if (f == LibC.AF_INET) return InetAddress.getByAddress(Arrays.copyOfRange(addr, 4, 8)).getHostAddress();
            if (f == LibC.AF_INET6) return InetAddress.getByAddress(Arrays.copyOfRange(addr, 8, 24)).getHostAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
        return null;
    }

    /** A unix address's path or "@name"; "" for an unnamed socket; null for another family. */
    public static String path(byte[] addr) {
        if (family(addr) != LibC.AF_UNIX) return null;
        if (addr.length <= 2) return "";
        if (addr[2] == 0) return "@" + new String(addr, 3, addr.length - 3, StandardCharsets.UTF_8);
        int end = 2;
        while (end < addr.length && addr[end] != 0) end++;
        return new String(addr, 2, end - 2, StandardCharsets.UTF_8);
    }

    /** For messages: "127.0.0.1:5000", "[::1]:5000", "/run/x.sock", "@name", "" (unnamed). */
    public static String format(byte[] addr) {
        int f = family(addr);
        if (f == LibC.AF_INET) return host(addr) + ":" + port(addr);
        if (f == LibC.AF_INET6) return "[" + host(addr) + "]:" + port(addr);
        if (f == LibC.AF_UNIX) return path(addr);
        return "(address family " + f + ")";
    }
}
