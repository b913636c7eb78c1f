package ipcsh.lang;

import ipcsh.ExitRequest;
import ipcsh.lang.clj.ClojureRuntime;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The shell's standard output, ending the shell when nobody reads it any more. The JVM ignores
 * SIGPIPE, and PrintStream swallows the EPIPE that comes instead, so {@code ipcsh … | head}
 * would print into the void for ever; here the first failed write ends the shell as SIGPIPE
 * ends {@code yes}: status 141 (128 + SIGPIPE) for a closed pipe, 1 for any other failure.
 * The exit is an {@link ExitRequest}, an Error, so a script's {@code (catch Exception e)} does
 * not swallow it and AtExit still runs.
 */
public final class Stdout {
    /** 128 + SIGPIPE: what a shell reports for a process that SIGPIPE ended. */
    public static final int BROKEN_PIPE = 141;
    private static volatile boolean installed;
    private static volatile int failed;
    private static volatile java.io.Writer writer;

    private Stdout() {}

    /** Replaces System.out and Clojure's *out* root (console.log writes there too). */
    public static synchronized void install() {
        if (installed) return;
        // flushed on println and every write, as the JDK's own System.out, so output keeps its
        // order with what children write to the same descriptor
        PrintStream out = new PrintStream(new BufferedOutputStream(new Guard(new FileOutputStream(FileDescriptor.out)), 8192),
                true, StandardCharsets.UTF_8);
        System.setOut(out);
        writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        ClojureRuntime.stdout(writer);
        installed = true;
    }

    /**
     * Where console.log writes while no Clojure runtime is made (a JavaScript run): what
     * Clojure's *out* root is once it is, a writer over System.out.
     */
    public static java.io.Writer writer() {
        java.io.Writer w = writer;
        return w != null ? w : new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
    }

    /**
     * The ExitRequest normally unwinds to the shell's exit; code that catches Throwable and
     * writes on would spin, so the shell also ends after a moment, as SIGPIPE would end it.
     */
    private static void exitSoon(int status) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException ignored) {
                // exit now then
            }
            System.exit(status);
        }, "ipcsh-stdout-closed");
        t.setDaemon(true);
        t.start();
    }

    /** The status the shell ends with since standard output failed, or 0 while it works. */
    public static int failed() {
        return failed;
    }

    private static final class Guard extends OutputStream {
        private final OutputStream fd;

        Guard(OutputStream fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (failed != 0) throw new ExitRequest(failed);
            try {
                fd.write(b, off, len);
            } catch (IOException e) {
                failed = "Broken pipe".equals(e.getMessage()) ? BROKEN_PIPE : 1;
                if (failed == 1) System.err.println("ipcsh: cannot write to standard output: " + e.getMessage());
                exitSoon(failed);
                throw new ExitRequest(failed);
            }
        }

        @Override
        public void flush() {
            if (failed != 0) throw new ExitRequest(failed);
        }
    }
}
