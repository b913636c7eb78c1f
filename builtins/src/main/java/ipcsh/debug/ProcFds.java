package ipcsh.debug;

import ipcsh.Keyword;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass over {@code /proc/*}{@code /fd}: every open descriptor of every process this user may
 * see, with what it points at ("/tmp/x.fifo", "socket:[1234]", "pipe:[99]") and its access mode
 * from {@code fdinfo}'s flags. Processes whose fd directory cannot be read are kept by pid
 * and command (ps shows them too) so listings can say what they could not look into.
 */
public final class ProcFds {
    /** One open descriptor. mode is "read", "write" or "rw"; target as readlink gives it. */
    public record Fd(long pid, String command, int fd, String target, String mode) {}

    private final List<Fd> fds = new ArrayList<>();
    private final Map<Long, String> hidden = new LinkedHashMap<>();
    private final Map<Long, String> commands = new LinkedHashMap<>();

    private ProcFds() {}

    /** Reads the descriptor table of every process now. */
    public static ProcFds scan() {
        ProcFds s = new ProcFds();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : procs) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                s.scanProcess(Long.parseLong(name), p);
            }
        } catch (IOException e) {
            // /proc itself unreadable: nothing to list, which the listings show as empty
        }
        return s;
    }

    private void scanProcess(long pid, Path dir) {
        String cmd = ipcsh.os.ProcessCommand.of(pid);
        if (cmd == null) return; // the process ended while we looked
        commands.put(pid, cmd);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve("fd"))) {
            for (Path f : ds) {
                String n = f.getFileName().toString();
                String target;
                try {
                    target = Files.readSymbolicLink(f).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                int fd = Integer.parseInt(n);
                fds.add(new Fd(pid, cmd, fd, target, mode(dir, n)));
            }
        } catch (IOException | SecurityException e) {
            if (Files.exists(dir)) hidden.put(pid, cmd);
        }
    }

    private static String mode(Path dir, String fd) {
        try {
            for (String line : Files.readAllLines(dir.resolve("fdinfo").resolve(fd))) {
                if (line.startsWith("flags:")) {
                    int flags = Integer.parseInt(line.substring(6).trim(), 8);
                    return switch (flags & 3) {
                        case 0 -> "read";
                        case 1 -> "write";
                        default -> "rw";
                    };
                }
            }
        } catch (IOException | RuntimeException e) {
            // fdinfo unreadable or gone: the mode stays unknown
        }
        return null;
    }

    public List<Fd> fds() {
        return fds;
    }

    /** Processes (pid → command) whose descriptors this user may not read. */
    public Map<Long, String> hidden() {
        return hidden;
    }

    /** The descriptors whose target is exactly target. */
    public List<Fd> holding(String target) {
        List<Fd> out = new ArrayList<>();
        for (Fd f : fds) if (f.target().equals(target)) out.add(f);
        return out;
    }

    /** A note for listings when some processes could not be looked into, else null. */
    public String note() {
        if (hidden.isEmpty()) return null;
        return hidden.size() + " process" + (hidden.size() == 1 ? "" : "es") + " not readable (permission denied): "
                + "their descriptors are not listed";
    }

    /** {:pid :command :fd :mode} for one descriptor. */
    public static Map<String, Object> holder(Fd f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", f.pid());
        m.put("command", f.command());
        m.put("fd", (long) f.fd());
        m.put("mode", f.mode() == null ? null : Keyword.of(f.mode()));
        return m;
    }
}
