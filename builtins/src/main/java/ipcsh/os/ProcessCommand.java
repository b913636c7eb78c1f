package ipcsh.os;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A process's command as listings show it (who-has, fifos, sockets, ipcs): its command line from
 * /proc/PID/cmdline with spaces, "[comm]" for a kernel thread, and an ipcsh shell as
 * "ipcsh SCRIPT ARGS" rather than the 2.5 KB java command line its launcher runs. An ipcsh is
 * recognised by the launcher's main class ({@value #MAIN}) or jar (ipcsh.jar) as java's first
 * non-option argument.
 */
public final class ProcessCommand {
    static final String MAIN = "ipcsh.shell.Main";
    /** java's options that take the next argument as their value (so it is not the main class). */
    private static final List<String> WITH_VALUE = List.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--upgrade-module-path", "--add-modules", "--add-opens", "--add-exports", "--add-reads", "--enable-native-access",
            "--limit-modules", "--patch-module");

    private ProcessCommand() {}

    /** The command of pid, or null when the process is gone. */
    public static String of(long pid) {
        String cmdline;
        try {
            cmdline = ProcFiles.read("/proc/" + pid + "/cmdline");
        } catch (IOException e) {
            return null;
        }
        if (cmdline.isEmpty()) {
            try {
                return "[" + ProcFiles.read("/proc/" + pid + "/comm").strip() + "]";
            } catch (IOException e) {
                return null;
            }
        }
        List<String> argv = new ArrayList<>(List.of(cmdline.split("\0", -1)));
        if (argv.getLast().isEmpty()) argv.removeLast();
        // ProcFiles reads bytes as ISO-8859-1; arguments are UTF-8 text as far as a listing can tell
        argv.replaceAll(a -> new String(a.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), java.nio.charset.StandardCharsets.UTF_8));
        return shown(argv);
    }

    /** argv as a listing shows it: "ipcsh ARGS" for an ipcsh shell, else the words joined by spaces. */
    static String shown(List<String> argv) {
        if (!argv.isEmpty() && (argv.getFirst().equals("java") || argv.getFirst().endsWith("/java"))) {
            for (int i = 1; i < argv.size(); i++) {
                String a = argv.get(i);
                if (a.equals("-jar")) {
                    if (i + 1 < argv.size() && (argv.get(i + 1).equals("ipcsh.jar") || argv.get(i + 1).endsWith("/ipcsh.jar"))) {
                        return ipcsh(argv.subList(i + 2, argv.size()));
                    }
                    break;
                }
                if (WITH_VALUE.contains(a)) {
                    i++;
                } else if (!a.startsWith("-")) {
                    if (a.equals(MAIN)) return ipcsh(argv.subList(i + 1, argv.size()));
                    break; // another main class: another java program
                }
            }
        }
        return String.join(" ", argv);
    }

    private static String ipcsh(List<String> args) {
        return args.isEmpty() ? "ipcsh" : "ipcsh " + String.join(" ", args);
    }
}
