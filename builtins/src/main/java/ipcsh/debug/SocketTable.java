package ipcsh.debug;

import ipcsh.Keyword;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine's sockets as {@code ss} sees them: the kernel's tables in /proc/net/{unix,tcp,
 * tcp6,udp,udp6}, owners from a {@link ProcFds} scan (a socket descriptor reads
 * "socket:[inode]"), and for connected unix sockets the peer's inode from the kernel's
 * sock_diag netlink interface (UNIX_DIAG_PEER; /proc/net/unix does not tell it).
 */
public final class SocketTable {
    private static final String[] TCP_STATES = {null, "established", "syn-sent", "syn-recv", "fin-wait1", "fin-wait2",
            "time-wait", "close", "close-wait", "last-ack", "listen", "closing", "new-syn-recv"};

    private SocketTable() {}

    /** Every socket row, filtered by {:path :pid :port :listening :kind} (null values: no filter). */
    public static List<Map<String, Object>> list(String path, Long pid, Long port, boolean listening, String kind) {
        ProcFds procs = ProcFds.scan();
        Map<Long, List<Map<String, Object>>> owners = new HashMap<>();
        for (ProcFds.Fd f : procs.fds()) {
            String t = f.target();
            if (!t.startsWith("socket:[")) continue;
            long ino = Long.parseLong(t.substring(8, t.length() - 1));
            List<Map<String, Object>> l = owners.computeIfAbsent(ino, k -> new ArrayList<>());
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("pid", f.pid());
            o.put("command", f.command());
            if (l.stream().noneMatch(x -> x.get("pid").equals(f.pid()))) l.add(o);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        if (kind == null || kind.equals("unix")) unix(rows, owners);
        for (String k : new String[] {"tcp", "tcp6", "udp", "udp6"}) {
            if (kind == null || kind.equals(k) || kind.equals(k.substring(0, 3))) inet(k, rows);
        }
        String note = procs.note();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            List<Map<String, Object>> own = owners.getOrDefault((Long) r.get("inode"), List.of());
            r.put("owners", own);
            if (r.containsKey("peer-inode")) {
                List<Map<String, Object>> po = owners.getOrDefault((Long) r.get("peer-inode"), List.of());
                r.put("peer-owners", po);
            }
            if (own.isEmpty() && note != null) r.put("note", note);
            if (path != null && !path.equals(r.get("path"))) continue;
            if (listening && !Keyword.of("listen").equals(r.get("state"))) continue;
            if (pid != null && own.stream().noneMatch(o -> pid.equals(o.get("pid")))) continue;
            if (port != null && !port.equals(r.get("port")) && !port.equals(r.get("peer-port"))) continue;
            out.add(r);
        }
        return out;
    }

    private static List<String> lines(String file) {
        try {
            List<String> l = Files.readAllLines(Path.of("/proc/net", file));
            return l.isEmpty() ? l : l.subList(1, l.size());
        } catch (IOException e) {
            return List.of(); // no IPv6 on this machine, or /proc/net hidden
        }
    }

    private static void unix(List<Map<String, Object>> rows, Map<Long, List<Map<String, Object>>> owners) {
        Map<Long, Long> peers = unixPeers();
        for (String line : lines("unix")) {
            String[] f = line.trim().split("\\s+", 8);
            if (f.length < 7) continue;
            int flags = Integer.parseInt(f[3], 16);
            int type = Integer.parseInt(f[4], 16);
            int st = Integer.parseInt(f[5], 16);
            long ino = Long.parseLong(f[6]);
            String p = f.length > 7 ? f[7] : null;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", Keyword.of("unix"));
            m.put("type", Keyword.of(switch (type) {
                case 1 -> "stream";
                case 2 -> "dgram";
                case 5 -> "seqpacket";
                default -> "type" + type;
            }));
            boolean listen = (flags & 0x10000) != 0;
            m.put("state", Keyword.of(listen ? "listen" : switch (st) {
                case 1 -> "unconnected";
                case 2 -> "connecting";
                case 3 -> "connected";
                case 4 -> "disconnecting";
                default -> "state" + st;
            }));
            m.put("path", p);
            m.put("inode", ino);
            Long peer = peers.get(ino);
            if (peer != null && peer != 0) m.put("peer-inode", peer);
            rows.add(m);
        }
    }

    private static void inet(String file, List<Map<String, Object>> rows) {
        boolean tcp = file.startsWith("tcp");
        for (String line : lines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10) continue;
            String[] local = address(f[1]), remote = address(f[2]);
            int st = Integer.parseInt(f[3], 16);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", Keyword.of(file));
            String state;
            if (tcp) state = st < TCP_STATES.length ? TCP_STATES[st] : "state" + st;
            else state = st == 1 ? "connected" : "unconnected";
            m.put("state", Keyword.of(state));
            m.put("local", local[0] + ":" + local[1]);
            m.put("port", Long.parseLong(local[1]));
            boolean hasPeer = !remote[1].equals("0");
            m.put("peer", hasPeer ? remote[0] + ":" + remote[1] : null);
            if (hasPeer) m.put("peer-port", Long.parseLong(remote[1]));
            m.put("uid", Long.parseLong(f[7]));
            m.put("inode", Long.parseLong(f[9]));
            rows.add(m);
        }
    }

    /** "0100007F:1F90" → {"127.0.0.1", "8080"}; IPv6 in 4 little-endian words, printed in short form. */
    static String[] address(String s) {
        int colon = s.indexOf(':');
        String hex = s.substring(0, colon);
        String port = String.valueOf(Integer.parseInt(s.substring(colon + 1), 16));
        byte[] b = new byte[hex.length() / 2];
        for (int w = 0; w < b.length / 4; w++) {
            for (int k = 0; k < 4; k++) {
                b[w * 4 + k] = (byte) Integer.parseInt(hex.substring(w * 8 + (3 - k) * 2, w * 8 + (3 - k) * 2 + 2), 16);
            }
        }
        String host;
        try {
            host = java.net.InetAddress.getByAddress(b).getHostAddress();
            if (host.indexOf(':') >= 0) host = "[" + host + "]";
        } catch (java.net.UnknownHostException e) {
            host = hex;
        }
        return new String[] {host, port};
    }

    /**
     * inode → peer inode for every unix socket, from one sock_diag dump (what ss -x uses).
     * Empty when the kernel refuses (no sock_diag module): the rows then go without peers.
     */
    static Map<Long, Long> unixPeers() {
        Map<Long, Long> peers = new HashMap<>();
        LibC c = LibC.get();
        int fd;
        try {
            fd = c.socket(16 /* AF_NETLINK */, 2 /* SOCK_DGRAM */ | LibC.SOCK_CLOEXEC, 4 /* NETLINK_SOCK_DIAG */);
        } catch (OsException e) {
            return peers;
        }
        try {
            ByteBuffer req = ByteBuffer.allocate(16 + 24).order(ByteOrder.nativeOrder());
            req.putInt(40).putShort((short) 20 /* SOCK_DIAG_BY_FAMILY */).putShort((short) (1 | 0x300) /* REQUEST|DUMP */)
                    .putInt(1).putInt(0);
            req.put((byte) LibC.AF_UNIX).put((byte) 0).putShort((short) 0).putInt(-1 /* all states */).putInt(0)
                    .putInt(4 /* UDIAG_SHOW_PEER */).putInt(-1).putInt(-1);
            byte[] kernel = new byte[12];
            ByteBuffer.wrap(kernel).order(ByteOrder.nativeOrder()).putShort((short) 16);
            c.sendto(fd, req.array(), 0, 40, 0, kernel);
            byte[] buf = new byte[65536];
            while (true) {
                int n = c.recvfrom(fd, buf, 0, buf.length, 0, null);
                if (n <= 0) return peers;
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n).order(ByteOrder.nativeOrder());
                int pos = 0;
                while (pos + 16 <= n) {
                    int len = b.getInt(pos);
                    int type = b.getShort(pos + 4);
                    if (type == 3 /* NLMSG_DONE */ || type == 2 /* NLMSG_ERROR */) return peers;
                    if (len < 16) return peers;
                    long ino = Integer.toUnsignedLong(b.getInt(pos + 16 + 4));
                    int a = pos + 16 + 16;
                    while (a + 4 <= pos + len) {
                        int alen = b.getShort(a) & 0xffff;
                        int atype = b.getShort(a + 2);
                        if (alen < 4) break;
                        if (atype == 2 /* UNIX_DIAG_PEER */) peers.put(ino, Integer.toUnsignedLong(b.getInt(a + 4)));
                        a += (alen + 3) & ~3;
                    }
                    pos += (len + 3) & ~3;
                }
            }
        } catch (OsException e) {
            return peers;
        } finally {
            c.close(fd);
        }
    }
}
