package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.drivers.StdioDriver;
import ipcsh.os.LibC;
import ipcsh.registry.Registry;

/** The shell's own standard input, output and error as channels (socat's "-"). */
public final class StdStreams implements Registry.Group {
    private static volatile boolean lineEditor;

    /** The REPL's line editor reads the terminal: (stdin) there would steal its keys. */
    public static void lineEditorOwnsTerminal(boolean on) {
        lineEditor = on;
    }

    @Override
    public String title() {
        return "Standard streams";
    }

    @Override
    public void register(Registry r) {
        r.add("stdin", "([])", """
                The shell's standard input (fd 0) as a read channel, of kind pipe, file, terminal or \
                socket as fstat(2) and isatty(3) say: (gets (stdin)), (read (stdin)), \
                (copy (stdin) sock) (socat's -), (on-readable (stdin) f). The same channel each time \
                until it is closed; closing it points fd 0 at /dev/null (the writer then gets EPIPE). \
                fd 0 itself is not made non-blocking (the channel reads through a descriptor of its \
                own), so the parent's terminal or pipe is left as it was. Do not mix it with \
                Clojure's *in* (read-line), which reads ahead into a buffer of its own. In the REPL the \
                terminal belongs to the line editor, and (stdin) on a terminal is an error; it works in \
                scripts, -e and with piped input. JS: ipc.stdin (or ipc.stdin()).""",
                a -> {
                    a.arity(0, 0);
                    if (lineEditor && LibC.get().isatty(0)) {
                        throw new IpcException("stdin: the REPL's line editor reads the terminal; use (stdin) in scripts or piped input");
                    }
                    return StdioDriver.of(0);
                }).returns("Channel");
        r.add("stdout", "([])", """
                The shell's standard output (fd 1) as a write channel (kind pipe, file, terminal or \
                socket): (puts (stdout) x), (write (stdout) bytes), (copy (stdin) (stdout)). It is \
                unbuffered (:buffering :none) and flushes Clojure's *out* before each write, so \
                println and writes through the channel appear in the order they ran. Closing it \
                flushes, then points fd 1 at /dev/null: a reader sees end of stream (unless a child \
                inherited fd 1), and later println output is discarded. In the REPL it writes straight \
                to the terminal, not above the prompt as println does. JS: ipc.stdout (or ipc.stdout()).""",
                a -> {
                    a.arity(0, 0);
                    return StdioDriver.of(1);
                }).returns("Channel");
        r.add("stderr", "([])", """
                The shell's standard error (fd 2) as a write channel, as stdout is for fd 1: unbuffered, \
                ordered with *out*; closing it points fd 2 at /dev/null (error messages are then \
                lost). JS: ipc.stderr (or ipc.stderr()).""",
                a -> {
                    a.arity(0, 0);
                    return StdioDriver.of(2);
                }).returns("Channel");
    }
}
