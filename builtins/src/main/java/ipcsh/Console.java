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

    private Console() {}

    public static void install(Writer w) {
        out = w;
    }

    public static void palette(Palette p) {
        palette = p == null ? Palette.PLAIN : p;
    }

    public static Palette palette() {
        return palette;
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
        Writer w = out;
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
