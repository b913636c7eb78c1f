package ipcsh.debug;

import ipcsh.IpcException;
import ipcsh.Keyword;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Who holds a file open (lsof PATH) and the FIFOs of a directory with their readers and writers. */
public final class Holders {

    private Holders() {}

    /**
     * Every descriptor open on path: a FIFO, a regular file, a /dev/shm segment (also when only
     * mapped: fd :mem), or a unix socket file (matched through the kernel's socket table, since
     * a socket descriptor names its inode, not the file).
     */
    public static List<Map<String, Object>> whoHas(String path) {
        Path p = Path.of(path);
        int mode;
        String real;
        try {
            mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            real = p.toRealPath().toString();
        } catch (NoSuchFileException e) {
            throw new IpcException("who-has \"" + path + "\": No such file or directory (ENOENT)",
                    Map.of("call", "who-has", "path", path, "errno", "ENOENT"));
        } catch (IOException e) {
            throw new IpcException("who-has \"" + path + "\": " + e.getMessage(), Map.of("call", "who-has", "path", path));
        }
        ProcFds procs = ProcFds.scan();
        List<Map<String, Object>> out = new ArrayList<>();
        if (ipcsh.os.FileType.is(mode, ipcsh.os.LibC.S_IFSOCK)) {
            for (Map<String, Object> s : SocketTable.list(real, null, null, false, "unix")) {
                for (ProcFds.Fd f : procs.holding("socket:[" + s.get("inode") + "]")) {
                    Map<String, Object> m = ProcFds.holder(f);
                    m.put("state", s.get("state"));
                    out.add(m);
                }
            }
        } else {
            for (ProcFds.Fd f : procs.holding(real)) out.add(ProcFds.holder(f));
            if (real.startsWith("/dev/shm/")) mapped(real, procs, out);
        }
        note(out, procs);
        return out;
    }

    /** Processes that mapped the segment (it stays in use after the descriptor is closed). */
    private static void mapped(String real, ProcFds procs, List<Map<String, Object>> out) {
        Map<Long, String> seen = new LinkedHashMap<>();
        for (ProcFds.Fd f : procs.fds()) seen.putIfAbsent(f.pid(), f.command());
        for (Map.Entry<Long, String> e : seen.entrySet()) {
            try (Stream<String> lines = Files.lines(Path.of("/proc", e.getKey().toString(), "maps"))) {
                String perms = lines.filter(l -> l.endsWith(" " + real)).map(l -> l.split("\\s+")[1]).findFirst().orElse(null);
                if (perms == null) continue;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pid", e.getKey());
                m.put("command", e.getValue());
                m.put("fd", Keyword.of("mem"));
                m.put("mode", Keyword.of(perms.charAt(1) == 'w' ? "rw" : "read"));
                out.add(m);
            } catch (IOException | RuntimeException ignored) {
                // the process ended or hides its maps
            }
        }
    }

    private static void note(List<Map<String, Object>> out, ProcFds procs) {
        String note = procs.note();
        if (note == null) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", null);
        m.put("command", null);
        m.put("fd", null);
        m.put("mode", null);
        m.put("note", note);
        out.add(m);
    }

    /** The FIFOs under dir (and its subdirectories when recursive): {:path :readers :writers :holders}. */
    public static List<Map<String, Object>> fifos(String dir, boolean recursive) {
        Path d = Path.of(dir);
        if (!Files.isDirectory(d)) {
            String why = Files.exists(d) ? "is not a directory (ENOTDIR)" : "No such file or directory (ENOENT)";
            throw new IpcException("fifos \"" + dir + "\": " + why, Map.of("call", "fifos", "path", dir));
        }
        List<Path> found = new ArrayList<>();
        try {
            // a directory like /tmp changes while it is walked: a file or directory gone (or not
            // readable) by the time it is looked at is skipped, never the whole listing's failure
            Files.walkFileTree(d, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class), recursive ? Integer.MAX_VALUE : 1,
                    new java.nio.file.SimpleFileVisitor<>() {
                        @Override
                        public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
                            if (a.isOther() && isFifo(f)) found.add(f);
                            return java.nio.file.FileVisitResult.CONTINUE;
                        }

                        @Override
                        public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) {
                            return java.nio.file.FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new IpcException("fifos \"" + dir + "\": " + e.getMessage(), Map.of("call", "fifos", "path", dir));
        }
        found.sort(null);
        ProcFds procs = found.isEmpty() ? null : ProcFds.scan();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Path f : found) {
            String real;
            try {
                real = f.toRealPath().toString();
            } catch (IOException e) {
                continue; // removed while we looked
            }
            List<Long> readers = new ArrayList<>(), writers = new ArrayList<>();
            List<Map<String, Object>> holders = new ArrayList<>();
            for (ProcFds.Fd h : procs.holding(real)) {
                holders.add(ProcFds.holder(h));
                if (!"write".equals(h.mode()) && !readers.contains(h.pid())) readers.add(h.pid());
                if (!"read".equals(h.mode()) && !writers.contains(h.pid())) writers.add(h.pid());
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", f.toString());
            m.put("readers", readers);
            m.put("writers", writers);
            m.put("holders", holders);
            if (procs.note() != null) m.put("note", procs.note());
            out.add(m);
        }
        return out;
    }

    private static boolean isFifo(Path p) {
        try {
            return ipcsh.os.FileType.is((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS), ipcsh.os.LibC.S_IFIFO);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
