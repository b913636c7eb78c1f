package ipcsh;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * Where the builtins print for the person at the shell (tap logs, dumps) and in which colours.
 * Plain System.out until the shell installs its own: the REPL's writer prints above the prompt
 * so a line being edited is never broken, from any thread.
 */
public final class Console {
    private static volatile Writer out = new PrintWriter(System.out);
    private static volatile Palette palette = Palette.PLAIN;
    private static volatile Palette errorPalette = Palette.PLAIN;
    /**
     * A REPL session's own output on the thread running its form (the interpreter thread, only
     * while the form runs): what the form prints goes to the session, not to the shell's stdout.
     */
    private static final ThreadLocal<Writer[]> SESSION = new ThreadLocal<>();

    private Console() {}

    public static void install(Writer w) {
        out = w;
    }

    public static void palette(Palette p) {
        palette = p == null ? Palette.PLAIN : p;
    }

    /** Plain inside a session: its client (socat, --attach, an editor) may not be a terminal. */
    public static Palette palette() {
        return SESSION.get() != null ? Palette.PLAIN : palette;
    }

    /**
     * Sends what this thread prints through {@link #print} and {@link #printErr} to out and err
     * until {@link #endSession}; a REPL session calls it around each form it runs.
     */
    public static void session(Writer out, Writer err) {
        SESSION.set(new Writer[] {out, err});
    }

    public static void endSession() {
        SESSION.remove();
    }

    /** Whether this thread prints into a REPL session (see {@link #session}). */
    public static boolean inSession() {
        return SESSION.get() != null;
    }

    /** Colours for stderr (error blocks), which may be a terminal when stdout is not, or the other way round. */
    public static void errorPalette(Palette p) {
        errorPalette = p == null ? Palette.PLAIN : p;
    }

    public static Palette errorPalette() {
        return errorPalette;
    }

    /** Prints text (which ends with a newline) at once; safe from any thread. */
    public static void print(String text) {
        Writer[] s = SESSION.get();
        write(s != null ? s[0] : out, text);
    }

    /** Prints a diagnostic line (expect's log, say) on stderr, or on the session's *err* inside a session. */
    public static void printErr(String text) {
        Writer[] s = SESSION.get();
        if (s == null) {
            System.err.print(text);
            System.err.flush();
        } else {
            write(s[1], text);
        }
    }

    private static void write(Writer w, String text) {
        synchronized (w) {
            try {
                w.write(text);
                w.flush();
            } catch (IOException e) {
                // stdout gone (a closed pipe): nobody is reading the log
            }
        }
    }
}
