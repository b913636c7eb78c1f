package ipcsh.lock;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.os.FileId;
import ipcsh.os.ProcFiles;
import ipcsh.os.ProcessCommand;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who holds locks on a file, from /proc/locks: one row per lock, matched by the file's device
 * (major:minor, in hex there) and inode. An OFD lock belongs to an open file description, not a
 * process, so /proc/locks gives its pid as -1; the processes that have that description open are
 * found in /proc/PID/fdinfo/FD, whose "lock:" lines list the locks set through that descriptor.
 */
public final class LockTable {
    private LockTable() {}

    /** The rows for the file at path (followed if a link: the file a lock would be on). */
    public static List<Map<String, Object>> of(String verb, String path) {
        FileId id;
        try {
            Map<String, Object> a = Files.readAttributes(Path.of(path), "unix:dev,ino");
            id = new FileId((Long) a.get("dev"), (Long) a.get("ino"));
        } catch (IOException | RuntimeException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "No such file or directory (ENOENT)"
                    : e instanceof java.nio.file.AccessDeniedException ? "Permission denied (EACCES)" : String.valueOf(e.getMessage());
            throw new IpcException(verb + " \"" + path + "\": " + why, Map.of("path", path));
        }
        return rows(id);
    }

    /** "pid 1234 (flock /x sleep 9), pid 99 (python3 …)": for an error that says why a wait failed (fd: ours, open on the file). */
    static String holdersText(int fd) {
        FileId id = FileId.of(fd);
        long me = ProcessHandle.current().pid();
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : rows(id)) {
            if (Boolean.TRUE.equals(r.get("waiting"))) continue;
            Object pid = r.get("pid");
            String who = pid == null ? "an unknown process" : "pid " + pid + (pid.equals(me) ? " (this shell)" : " (" + r.get("command") + ")");
            if (!out.contains(who)) out.add(who);
        }
        return out.isEmpty() ? "nobody now" : String.join(", ", out);
    }

    private static List<Map<String, Object>> rows(FileId id) {
        String key = String.format("%02x:%02x:%d", major(id.dev()), minor(id.dev()), id.ino());
        String text;
        try {
            text = ProcFiles.read("/proc/locks");
        } catch (IOException e) {
            throw new IpcException("locks: cannot read /proc/locks: " + e.getMessage());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        boolean ofd = false;
        for (String line : text.split("\n")) {
            // "1: POSIX  ADVISORY  WRITE 1234 fe:00:2146592 0 EOF", a waiter: "1: -> POSIX ..."
            String[] f = line.trim().split("\\s+");
            boolean waiting = f.length > 1 && f[1].equals("->");
            int i = waiting ? 2 : 1;
            if (f.length < i + 7 || !f[i + 4].equals(key)) continue;
            long pid = Long.parseLong(f[i + 3]);
            if (f[i].equals("OFDLCK") && !waiting) {
                ofd = true; // its holders come from fdinfo below
                continue;
            }
            out.add(row(pid > 0 ? pid : null, f[i], f[i + 2], f[i + 5], f[i + 6], waiting));
        }
        if (ofd) out.addAll(0, ofdRows(key));
        return out;
    }

    private static Map<String, Object> row(Long pid, String type, String mode, String start, String end, boolean waiting) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("pid", pid);
        row.put("command", pid == null ? null : ProcessCommand.of(pid));
        row.put("type", Keyword.of(switch (type) {
            case "POSIX" -> "posix";
            case "OFDLCK" -> "ofd";
            case "FLOCK" -> "flock";
            default -> type.toLowerCase(java.util.Locale.ROOT);
        }));
        row.put("mode", Keyword.of(switch (mode) {
            case "READ" -> "shared";
            case "WRITE" -> "exclusive";
            default -> mode.toLowerCase(java.util.Locale.ROOT);
        }));
        row.put("start", Long.parseLong(start));
        row.put("end", end.equals("EOF") ? null : Long.parseLong(end));
        row.put("waiting", waiting);
        return row;
    }

    /**
     * The OFD locks on the file as the descriptors that carry them show them (/proc/PID/fdinfo/FD
     * "lock:" lines, the format of /proc/locks'): one row per process that has the open file
     * description, so a forked child that shares it shows too. Processes whose descriptors we
     * may not read (another user's, without privilege) are missed.
     */
    private static List<Map<String, Object>> ofdRows(String key) {
        List<Map<String, Object>> out = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fdinfo"))) {
                    for (Path fdinfo : fds) {
                        String info;
                        try {
                            info = ProcFiles.read(fdinfo.toString());
                        } catch (IOException gone) {
                            continue;
                        }
                        if (!info.contains(key)) continue;
                        for (String l : info.split("\n")) {
                            if (!l.startsWith("lock:")) continue;
                            String[] f = l.substring(5).trim().split("\\s+");
                            if (f.length < 8 || !f[1].equals("OFDLCK") || !f[5].equals(key)) continue;
                            out.add(row(pid, f[1], f[3], f[6], f[7], false));
                        }
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended, or its descriptors are not ours to read
                }
            }
        } catch (IOException e) {
            throw new IpcException("locks: cannot list /proc: " + e.getMessage());
        }
        return out;
    }

    /** gnu_dev_major and gnu_dev_minor of glibc's dev_t encoding. */
    static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }
}
