package ipcsh.ipc;

import ipcsh.Keyword;
import ipcsh.os.IpcNames;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every kernel IPC object this shell can see, as data: POSIX queues (/dev/mqueue), POSIX
 * segments and semaphores (/dev/shm), System V segments, queues and semaphore sets
 * (/proc/sysvipc), each with the processes that hold it. Holders come from /proc/PID/fd
 * (open queues, segments) and /proc/PID/maps (mapped segments and semaphores; System V
 * segments map as "/SYSV<key>" with the segment id as inode). Processes this user may not
 * look into are skipped, as ipcs does.
 */
public final class Ipcs {
    private static final String MQUEUE = "/dev/mqueue", SHM = "/dev/shm";

    private Ipcs() {}

    /** Every object, filtered by kind (null: all) and name (null: all; a POSIX name or a key). */
    public static List<Map<String, Object>> list(String kind, Object name) {
        Holders holders = Holders.scan();
        List<Map<String, Object>> out = new ArrayList<>();
        if (kind == null || kind.equals("mq")) posixQueues(out, holders);
        if (kind == null || kind.equals("shm") || kind.equals("sem")) posixShm(out, holders, kind);
        if (kind == null || kind.equals("sysv-shm")) sysvKind(out, "shm", holders);
        if (kind == null || kind.equals("sysv-mq")) sysvKind(out, "msg", holders);
        if (kind == null || kind.equals("sysv-sem")) sysvKind(out, "sem", holders);
        if (name == null) return out;
        out.removeIf(m -> !matches(m, name));
        return out;
    }

    private static boolean matches(Map<String, Object> m, Object name) {
        if (name instanceof Number n) return IpcNames.hexKey(n.longValue()).equals(m.get("key"));
        return name.equals(m.get("name")) || name instanceof String s && s.equalsIgnoreCase((String) m.get("key"));
    }

    private static void posixQueues(List<Map<String, Object>> out, Holders holders) {
        for (Path p : entries(MQUEUE)) {
            String name = "/" + p.getFileName();
            Map<String, Object> m = object("mq", p);
            m.put("name", name);
            m.put("size", qsize(p));
            owner(m, p);
            m.put("holders", holders.of("mq " + name));
            out.add(m);
        }
    }

    private static Long qsize(Path p) {
        try {
            String s = ipcsh.os.ProcFiles.read(p.toString());
            int i = s.indexOf("QSIZE:");
            if (i < 0) return null;
            return Long.parseLong(s.substring(i + 6).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void posixShm(List<Map<String, Object>> out, Holders holders, String kind) {
        for (Path p : entries(SHM)) {
            String file = p.getFileName().toString();
            boolean sem = file.startsWith("sem.");
            if (kind != null && !kind.equals(sem ? "sem" : "shm")) continue;
            Map<String, Object> m = object(sem ? "sem" : "shm", p);
            m.put("name", "/" + (sem ? file.substring(4) : file));
            try {
                if (!sem) m.put("size", Files.size(p));
            } catch (IOException e) {
                m.put("size", null);
            }
            owner(m, p);
            m.put("holders", holders.of("shm-ino " + inode(p)));
            out.add(m);
        }
    }

    private static long inode(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static Map<String, Object> object(String kind, Path p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", Keyword.of(kind));
        return m;
    }

    private static void owner(Map<String, Object> m, Path p) {
        try {
            m.put("owner", Files.getOwner(p).getName());
            m.put("mode", String.format("%04o", (Integer) Files.getAttribute(p, "unix:mode") & 07777));
        } catch (IOException | RuntimeException e) {
            m.put("owner", null);
            m.put("mode", null);
        }
    }

    private static List<Path> entries(String dir) {
        List<Path> l = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(dir))) {
            for (Path p : ds) if (Files.isRegularFile(p)) l.add(p);
        } catch (IOException e) {
            // not mounted (a container without /dev/mqueue): nothing to list there
        }
        l.sort(null);
        return l;
    }

    /** The rows of /proc/sysvipc/{shm,msg,sem} as maps of column name to value. */
    static List<Map<String, Object>> sysv(String table) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> lines;
        try {
            lines = List.of(ipcsh.os.ProcFiles.read("/proc/sysvipc/" + table).split("\n"));
        } catch (IOException e) {
            return rows;
        }
        if (lines.isEmpty()) return rows;
        String[] head = lines.get(0).trim().split("\\s+");
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.trim().split("\\s+");
            if (v.length < head.length) continue;
            Map<String, Object> m = new HashMap<>();
            for (int i = 0; i < head.length; i++) {
                String h = head[i].equals("shmid") || head[i].equals("msqid") || head[i].equals("semid") ? "id" : head[i];
                m.put(h, h.equals("perms") ? v[i] : Long.parseLong(v[i]));
            }
            rows.add(m);
        }
        return rows;
    }

    private static void sysvKind(List<Map<String, Object>> out, String table, Holders holders) {
        for (Map<String, Object> r : sysv(table)) {
            Map<String, Object> m = new LinkedHashMap<>();
            // named as the builtin that opens it (sysv-shm, sysv-mq), the key as ipcs prints it
            m.put("kind", Keyword.of(table.equals("msg") ? "sysv-mq" : "sysv-" + table));
            m.put("key", IpcNames.hexKey(((Number) r.get("key")).longValue()));
            m.put("id", r.get("id"));
            switch (table) {
                case "shm" -> m.put("size", r.get("size"));
                case "msg" -> {
                    m.put("messages", r.get("qnum"));
                    m.put("size", r.get("cbytes"));
                }
                default -> m.put("semaphores", r.get("nsems"));
            }
            m.put("owner", userName(((Number) r.get("uid")).intValue()));
            m.put("mode", String.format("%04o", Integer.parseInt((String) r.get("perms"), 8) & 0777));
            if (table.equals("shm")) {
                m.put("creator-pid", r.get("cpid"));
                m.put("attached", r.get("nattch"));
                m.put("holders", holders.of("sysv-shm " + r.get("id")));
            } else if (table.equals("msg")) {
                m.put("last-send-pid", r.get("lspid"));
                m.put("last-recv-pid", r.get("lrpid"));
                m.put("holders", List.of());
            } else {
                m.put("holders", List.of());
            }
            out.add(m);
        }
    }

    private static final Map<Integer, String> USERS = new HashMap<>();

    private static synchronized String userName(int uid) {
        return USERS.computeIfAbsent(uid, u -> {
            try {
                for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                    String[] f = line.split(":");
                    if (f.length > 2 && f[2].equals(String.valueOf(u))) return f[0];
                }
            } catch (IOException e) {
                // no passwd: the number will do
            }
            return String.valueOf(u);
        });
    }

    /** Which processes hold which objects, from one pass over /proc. Keys: "mq /name", "shm-ino 1234" (a /dev/shm inode), "sysv-shm id". */
    private static final class Holders {
        private final Map<String, Set<Long>> byObject = new HashMap<>();
        private final Map<Long, String> commands = new HashMap<>();

        static Holders scan() {
            Holders h = new Holders();
            Set<String> queues = new java.util.HashSet<>();
            for (Path p : entries(MQUEUE)) queues.add("/" + p.getFileName());
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                for (Path proc : procs) h.scanProcess(proc, queues);
            } catch (IOException e) {
                // no /proc: no holders
            }
            return h;
        }

        private void scanProcess(Path proc, Set<String> queues) {
            long pid;
            try {
                pid = Long.parseLong(proc.getFileName().toString());
            } catch (NumberFormatException e) {
                return;
            }
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                for (Path fd : fds) {
                    String target;
                    try {
                        target = Files.readSymbolicLink(fd).toString();
                    } catch (IOException | RuntimeException e) {
                        continue;
                    }
                    // an open queue's link is its bare name ("/jobs"), like no file path of a real file under /
                    if (queues.contains(target)) add("mq " + target, pid);
                    else if (target.startsWith(SHM + "/")) add("shm-ino " + inode(fd), pid);
                }
            } catch (IOException | RuntimeException e) {
                // gone, or not ours to look at
            }
            try {
                // as bytes, not UTF-8: a mapped file's name may be any bytes, and one bad one must not hide the rest
                String maps = ipcsh.os.ProcFiles.read(proc.resolve("maps").toString());
                for (String line : maps.split("\n")) {
                    // by inode, not name: sem_open maps a temporary file before linking it to its name
                    boolean shm = line.contains(SHM + "/"), sysv = !shm && line.contains("/SYSV");
                    if (!shm && !sysv) continue;
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 5) add((shm ? "shm-ino " : "sysv-shm ") + f[4], pid);
                }
            } catch (IOException | RuntimeException e) {
                // gone, or not ours to look at
            }
        }

        private void add(String object, long pid) {
            byObject.computeIfAbsent(object, k -> new TreeSet<>()).add(pid);
        }

        List<Map<String, Object>> of(String object) {
            List<Map<String, Object>> l = new ArrayList<>();
            for (long pid : byObject.getOrDefault(object, Set.of())) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pid", pid);
                m.put("command", commands.computeIfAbsent(pid, ipcsh.os.ProcessCommand::of));
                l.add(m);
            }
            return l;
        }
    }
}
