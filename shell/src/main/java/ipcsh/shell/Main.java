package ipcsh.shell;

import ipcsh.lang.Session;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The ipcsh command line. */
public final class Main {
    public static final String VERSION = "0.1.0";

    static final String USAGE = """
            Usage: ipcsh [options] [FILE.ipcs | FILE.js [ARGS...]]
                   ipcsh [options] -e FORM [ARGS...]

            A Clojure-style shell for inter-process communication: pipes, FIFOs, sockets,
            processes and more as channels with the same verbs (gets, puts, read, write...).

            With no FILE, starts the interactive REPL (Ctrl-D exits, Ctrl-C interrupts).
            FILE is run as a script with *command-line-args* bound to ARGS; after its top
            level it keeps serving events while servers, watchers or timers are registered.

            Options:
              -e, --eval FORM   evaluate FORM, print its value (unless nil) and exit
              --lang clj|js     the language of -e and the REPL (clj; :js and :clj switch in the REPL)
              --js-jit          run JavaScript with Truffle's optimizing compiler (the ipcsh launcher
                                sets it up when the js-jit jars are there, else says how to get them)
              --debug           show Java stack traces with errors
              --no-color        no colours, even on a terminal (so does the NO_COLOR variable)
              -h, --help        show this help
              -v, --version     show the version

            Exit status: the script's (exit n), 0 at the end, 1 after an uncaught error.
            Documentation: (doc name) in the shell, man ipcsh, man ipcsh-builtins.
            """;

    private Main() {}

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        boolean debug = false;
        boolean noColor = false;
        String lang = "clj";
        String expr = null;
        String file = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (file != null || expr != null) {
                rest.add(a);
                continue;
            }
            switch (a) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "-v", "--version" -> {
                    out.println("ipcsh " + VERSION);
                    return 0;
                }
                case "--debug" -> debug = true;
                case "--no-color" -> noColor = true;
                case "--lang" -> {
                    if (i + 1 >= argv.length || !(argv[i + 1].equals("clj") || argv[i + 1].equals("js"))) {
                        err.println("ipcsh: --lang takes clj or js (try --help)");
                        return 2;
                    }
                    lang = argv[++i];
                }
                case "-e", "--eval" -> {
                    if (i + 1 >= argv.length) {
                        err.println("ipcsh: " + a + " needs a form to evaluate (try --help)");
                        return 2;
                    }
                    expr = argv[++i];
                }
                case "--" -> {
                    if (i + 1 < argv.length) file = argv[++i];
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        err.println("ipcsh: unknown option " + a + " (try --help)");
                        return 2;
                    }
                    file = a;
                }
            }
        }
        ipcsh.Console.palette(AnsiPalette.forFd(1, noColor));
        ipcsh.Console.errorPalette(AnsiPalette.forFd(2, noColor));
        if (expr == null && file == null) {
            return ipcsh.shell.repl.Repl.start(debug, lang);
        }
        Session session = new Session(debug, err);
        session.language(lang);
        if (expr != null) return session.evalAndPrint(expr, rest, out);
        return session.runScript(Path.of(file), rest);
    }
}
