package ipcsh.shell;

import ipcsh.IpcException;
import ipcsh.debug.TapExec;
import ipcsh.groups.Debugging;

import java.io.PrintStream;
import java.util.List;

/** ipcsh --tap-stdio LOG -- cmd args...: tap-exec from the command line, exiting as the program did. */
final class TapStdio {
    private TapStdio() {}

    static int run(String log, String format, List<String> argv, PrintStream err) {
        if (argv.isEmpty()) {
            err.println("ipcsh: --tap-stdio " + log + " -- needs a command to run (try --help)");
            return 2;
        }
        Object result;
        try {
            result = TapExec.run(argv, Debugging.logFormat(format, "--tap-stdio"), Debugging.framing(format, "--tap-stdio"), log, false);
        } catch (IpcException e) {
            err.println("ipcsh: --tap-stdio: " + e.getMessage());
            return 127;
        }
        err.flush();
        System.out.flush();
        return TapExec.exitLike(result);
    }
}
