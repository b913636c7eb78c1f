package ipcsh.lang.js;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The console: console.log → the shell's stdout (Clojure's *out*), console.error → the
 * session's stderr; whole lines.
 */
final class ConsoleStream extends OutputStream {
    private final boolean err;
    private final Supplier<PrintStream> stderr;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    /** stderr: where console.error goes outside a repl-server session, asked at each line. */
    ConsoleStream(boolean err, Supplier<PrintStream> stderr) {
        this.err = err;
        this.stderr = stderr;
    }

    @Override
    public void write(int b) {
        buf.write(b);
        if (b == '\n') flush();
    }

    @Override
    public void write(byte[] b, int off, int len) {
        buf.write(b, off, len);
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                flush();
                return;
            }
        }
    }

    @Override
    public void flush() {
        if (buf.size() == 0) return;
        String s = buf.toString(StandardCharsets.UTF_8);
        buf.reset();
        if (err && ipcsh.Console.inSession()) {
            ipcsh.Console.printErr(s); // console.error in a repl-server session: the session's
        } else if (err) {
            PrintStream e = stderr.get();
            e.print(s);
            e.flush();
        } else {
            try {
                // Clojure's *out*: a repl-server session binds it; a run without Clojure has the root's writer
                Writer w = ipcsh.lang.clj.ClojureRuntime.installed() ? (Writer) clojure.lang.RT.OUT.deref() : ipcsh.lang.Stdout.writer();
                w.write(s);
                w.flush();
            } catch (IOException e) {
                // stdout gone (a closed pipe): nothing left to tell
            }
        }
    }
}
