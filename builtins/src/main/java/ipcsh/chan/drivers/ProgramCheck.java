package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.os.Errno;
import ipcsh.os.OsException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What posix_spawnp would refuse, found before any child starts: a pipeline whose third program
 * is missing must not have run the first two. The program is looked up as posix_spawnp does,
 * in the shell's own PATH (not the child's :env), and the working directory is checked so the
 * error names it rather than the program (the child's chdir fails with the same ENOENT).
 */
final class ProgramCheck {
    private static final String DEFAULT_PATH = "/bin:/usr/bin";

    private ProgramCheck() {}

    /** Fails naming verb unless every stage's program can be found and dir (when given) can be entered. */
    static void check(String verb, List<List<String>> stages, String dir) {
        if (dir != null) directory(verb, dir);
        for (int i = 0; i < stages.size(); i++) {
            List<String> argv = stages.get(i);
            if (argv.isEmpty()) throw new IpcException(verb + ": stage " + (i + 1) + " has no command");
            program(verb, argv.getFirst());
        }
    }

    static void directory(String verb, String dir) {
        Path p = Path.of(dir);
        int errno = !Files.exists(p) ? Errno.ENOENT
                : !Files.isDirectory(p) ? Errno.ENOTDIR
                : !Files.isExecutable(p) ? Errno.EACCES : 0;
        if (errno != 0) throw new OsException(verb + " :dir", dir, errno);
    }

    private static void program(String verb, String program) {
        if (program.contains("/")) {
            if (runnable(Path.of(program))) return;
        } else {
            String path = System.getenv("PATH");
            for (String d : (path == null ? DEFAULT_PATH : path).split(":", -1)) {
                if (runnable(Path.of(d.isEmpty() ? "." : d, program))) return;
            }
        }
        throw noSuchProgram(verb, program);
    }

    private static boolean runnable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    static IpcException noSuchProgram(String verb, String program) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("call", verb);
        data.put("path", program);
        data.put("errno", Errno.name(Errno.ENOENT));
        return new IpcException(verb + ": no such program \"" + program + "\"" + (program.contains("/") ? "" : " in PATH"), data);
    }
}
