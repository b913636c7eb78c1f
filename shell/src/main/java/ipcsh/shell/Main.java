package ipcsh.shell;

import ipcsh.lang.Session;
import ipcsh.lang.Stdout;
import ipcsh.os.LibC;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The ipcsh command line. */
public final class Main {
    static final String USAGE = """
            Usage: ipcsh [options] [FILE.ipcs | FILE.js | - [ARGS...]]
                   ipcsh [options] -e FORM [ARGS...]

            A Clojure-style shell for inter-process communication: pipes, FIFOs, sockets,
            processes and more as channels with the same verbs (gets, puts, read, write...).

            With no FILE, starts the interactive REPL (Ctrl-D exits, Ctrl-C interrupts) when
            standard input is a terminal, else runs standard input as a script. FILE is run as
            a script with *command-line-args* bound to ARGS; after its top level it keeps
            serving events while servers, watchers or timers are registered. FILE - is
            standard input (in the --lang language; errors name <stdin>:line:col).

            Options:
              -e, --eval FORM   evaluate FORM, print its value (unless nil) and exit
              --lang clj|js     the language of -e and the REPL (clj; :js and :clj switch in the REPL)
              --js-jit          run JavaScript with Truffle's optimizing compiler (the ipcsh launcher
                                sets it up when the js-jit jars are there, else says how to get them)
              --repl-server PATH  serve REPL sessions for this shell on a unix socket at PATH (0600;
                                only this user may attach); the script still ends when its work does
              --attach PATH     attach a line-editing REPL to the shell serving PATH (Ctrl-C interrupts
                                the remote form, Ctrl-D detaches and leaves the shell running); PORT or
                                HOST:PORT for a tcp repl-server, with --token-file FILE
              --tap-stdio LOG -- CMD ARGS...
                                run CMD with its stdin, stdout and stderr relayed and logged to LOG as a
                                tap logs them (--tap-format text|hex|FRAMING, e.g. content-length);
                                exits as CMD did (tap-exec in the shell)
              --print-types     print the TypeScript declarations of the JavaScript API (ipc, channels)
              --strict          end a script at once, with status 1, when a callback fails (by default
                                the error is reported, the script goes on and ends with status 1)
              --debug           show Java stack traces with errors
              -q, --quiet       no greeting line when the REPL starts
              --no-color        no colours, even on a terminal (so does the NO_COLOR variable)
              -h, --help        show this help
              -v, --version     show the version

            Exit status: the script's (exit n), 0 at the end, 1 after an uncaught error or a failed callback,
            141 when standard output was closed (a reader such as head went away).
            Documentation: (doc name) in the shell; MANUAL
            """;

    private Main() {}

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        boolean debug = false, quiet = false, strict = false, noColor = false;
        String lang = "clj";
        String expr = null;
        String file = null;
        String replServer = null, attach = null, tokenFile = null, tapLog = null, tapFormat = "text";
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (file != null || expr != null) {
                rest.add(a);
                continue;
            }
            switch (a) {
                case "-h", "--help" -> {
                    out.print(USAGE.replace("MANUAL", String.join(", ", ipcsh.lang.HelpBuiltins.manCommands())));
                    return 0;
                }
                case "-v", "--version" -> {
                    out.println("ipcsh " + Version.TEXT);
                    return 0;
                }
                case "--print-types" -> {
                    out.print(TypeScript.generate(ipcsh.registry.Registry.standard()));
                    return 0;
                }
                case "--debug" -> debug = true;
                case "-q", "--quiet" -> quiet = true;
                case "--strict" -> strict = true;
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
                case "--attach", "--repl-server" -> {
                    if (i + 1 >= argv.length) {
                        err.println("ipcsh: " + a + " needs a socket path (try --help)");
                        return 2;
                    }
                    if (a.equals("--attach")) attach = argv[++i];
                    else replServer = argv[++i];
                }
                case "--token-file" -> {
                    if (i + 1 >= argv.length) {
                        err.println("ipcsh: --token-file needs a file (try --help)");
                        return 2;
                    }
                    tokenFile = argv[++i];
                }
                case "--tap-stdio", "--tap-format" -> {
                    if (i + 1 >= argv.length) {
                        err.println("ipcsh: " + a + " needs " + (a.equals("--tap-stdio") ? "a log file" : "a format") + " (try --help)");
                        return 2;
                    }
                    if (a.equals("--tap-stdio")) tapLog = argv[++i];
                    else tapFormat = argv[++i];
                }
                case "--" -> {
                    if (tapLog != null) return TapStdio.run(tapLog, tapFormat, List.of(argv).subList(i + 1, argv.length), err);
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
        // a script or -e in JavaScript: its engine is made on the other core while the shell starts
        if (attach == null && (expr != null || file != null) && runsJs(expr, file, lang)) ipcsh.lang.js.Js.startEarly(debug);
        ipcsh.Console.palette(AnsiPalette.forFd(1, noColor));
        ipcsh.Console.errorPalette(AnsiPalette.forFd(2, noColor));
        if (attach != null) return ipcsh.shell.repl.Attach.run(attach, tokenFile, err);
        if (replServer != null) {
            try {
                ipcsh.lang.ReplServer.start(replServer, false).holdsLoop(false);
            } catch (ipcsh.IpcException e) {
                err.println("ipcsh: --repl-server: " + e.getMessage());
                return 2;
            }
        }
        if (expr == null && file == null) {
            if (LibC.get().isatty(0)) return ipcsh.shell.repl.Repl.start(debug, lang, quiet);
            file = "-"; // piped input is a script: no prompts, and its errors set the status
        }
        boolean js = runsJs(expr, file, lang);
        if (js) ipcsh.lang.js.Js.startEarly(debug);
        if (expr == null && !file.equals("-")) ipcsh.os.LinkAhead.forScript(file, ipcsh.os.LinkAhead.SPAWN, ipcsh.shm.RingWarmUp.AHEAD);
        Session session = js ? Session.forJavaScript(debug, err) : new Session(debug, err);
        session.language(lang);
        session.strict(strict);
        if (out == System.out) {
            Stdout.install();
            out = System.out;
        }
        if (expr != null) return session.evalAndPrint(expr, rest, out);
        if (file.equals("-")) return session.runStdin(rest);
        return session.runScript(Path.of(file), rest);
    }

    /** Whether -e's form or the script file (- for standard input) is JavaScript. */
    private static boolean runsJs(String expr, String file, String lang) {
        return expr != null || file.equals("-") ? lang.equals("js") : file.endsWith(".js") || file.endsWith(".mjs");
    }
}
