package ipcsh.shell.repl;

import ipcsh.chan.Interrupts;
import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;

import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * The REPL's *out*: whole lines go above the prompt while the user is typing (JLine's
 * printAbove), straight to the terminal otherwise, so callback output never breaks the
 * line being edited.
 */
final class PrintAboveWriter extends Writer {
    private final LineReader reader;
    private final Terminal terminal;
    private final StringBuilder pending = new StringBuilder();
    /** An entry is running: Ctrl-C stops its output (a print loop computes nothing else that could be interrupted). */
    private volatile boolean interruptible;

    PrintAboveWriter(LineReader reader, Terminal terminal) {
        this.reader = reader;
        this.terminal = terminal;
    }

    void interruptible(boolean on) {
        interruptible = on;
    }

    @Override
    public synchronized void write(char[] cbuf, int off, int len) {
        if (interruptible && Interrupts.pending()) throw new Interrupts.InterruptedError("printing");
        pending.append(cbuf, off, len);
        int nl = pending.lastIndexOf("\n");
        if (nl >= 0) {
            emit(pending.substring(0, nl));
            pending.delete(0, nl + 1);
        }
    }

    private void emit(String text) {
        if (reader.isReading()) {
            reader.printAbove(text);
        } else {
            terminal.writer().println(text);
            terminal.writer().flush();
        }
    }

    @Override
    public synchronized void flush() {
        if (pending.length() > 0) {
            if (reader.isReading()) {
                reader.printAbove(pending.toString());
            } else {
                terminal.writer().print(pending);
                terminal.writer().flush();
            }
            pending.setLength(0);
        }
        terminal.writer().flush();
    }

    @Override
    public void close() {
        flush();
    }

    /** The same for byte output (System.err). */
    static final class Stream extends OutputStream {
        private final PrintAboveWriter w;

        Stream(PrintAboveWriter w) {
            this.w = w;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            w.write(new String(b, off, len, StandardCharsets.UTF_8).toCharArray(), 0, new String(b, off, len, StandardCharsets.UTF_8).length());
        }

        @Override
        public void flush() {
            w.flush();
        }
    }
}
