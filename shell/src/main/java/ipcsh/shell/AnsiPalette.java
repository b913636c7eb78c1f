package ipcsh.shell;

import ipcsh.Palette;
import org.jline.jansi.Ansi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The builtins' colours on a terminal, through Jansi's ANSI helpers (in the JLine jar). */
final class AnsiPalette implements Palette {
    @Override public String outbound(String s) { return Ansi.ansi().fgCyan().a(s).reset().toString(); }
    @Override public String inbound(String s) { return Ansi.ansi().fgMagenta().a(s).reset().toString(); }
    @Override public String dim(String s) { return Ansi.ansi().a(Ansi.Attribute.INTENSITY_FAINT).a(s).reset().toString(); }
    @Override public String control(String s) { return Ansi.ansi().fgYellow().a(s).reset().toString(); }
    @Override public String error(String s) { return Ansi.ansi().fgRed().bold().a(s).reset().toString(); }
    @Override public boolean plain() { return false; }

    /**
     * The palette for descriptor fd (1 stdout, 2 stderr): colours only on a terminal, never
     * with NO_COLOR set (https://no-color.org) or --no-color.
     */
    static Palette forFd(int fd, boolean noColorOption) {
        String env = System.getenv("NO_COLOR");
        if (noColorOption || (env != null && !env.isEmpty()) || !terminal(fd)) return Palette.PLAIN;
        return new AnsiPalette();
    }

    private static boolean terminal(int fd) {
        try {
            String t = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
