package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.io.PrintStream;

/**
 * Expect's interact: the user's terminal talks to a channel directly until the channel ends or
 * the escape key is typed. The terminal is put in raw mode meanwhile, so every key (Ctrl-C
 * too) goes to the child as typed, and restored after.
 */
public final class Interact {
    private Interact() {}

    /** Returns :eof when the channel ended, :escape when the user typed the escape byte. */
    public static Keyword run(Channel ch, byte escape) {
        String what = "interact " + ch.describe();
        if (ch.isClosed()) throw new IpcException(what + ": channel is closed");
        LibC c = LibC.get();
        byte[] saved = null;
        try {
            saved = c.tcgetattr(0);
        } catch (OsException e) {
            // stdin is not a terminal: copy it as it comes, without a terminal mode to set
        }
        if (saved != null) {
            if (ch.driver().terminal()) {
                try {
                    int[] rc = c.getWindowSize(0);
                    ch.configure(java.util.Map.of("rows", (long) rc[0], "cols", (long) rc[1]));
                } catch (OsException ignored) {
                    // a terminal without a size: the child keeps its own
                }
            }
            byte[] raw = saved.clone();
            c.cfmakeraw(raw);
            c.tcsetattr(0, LibC.TCSANOW, raw);
        }
        PrintStream out = System.out;
        try {
            byte[] buf = new byte[4096];
            int[] fds = {0, ch.readFd()};
            short[] ev = {LibC.POLLIN, LibC.POLLIN};
            short[] rev = new short[2];
            while (true) {
                drain(ch, out);
                Waiter.awaitAny(fds, ev, rev, Long.MAX_VALUE, what);
                if (rev[1] != 0) {
                    if (ch.readMore(Waiter.deadline(0), what) == 0 && ch.bufferedBytes() == 0) return Keyword.of("eof");
                    drain(ch, out);
                }
                if (fds[0] >= 0 && rev[0] != 0) {
                    int n = c.read(0, buf, 0, buf.length);
                    if (n <= 0) {
                        fds[0] = -1; // our input ended: keep showing the child's output until it ends
                        continue;
                    }
                    int cut = ByteScan.indexOf(buf, 0, n, escape);
                    if (cut != 0) {
                        ch.write(java.util.Arrays.copyOf(buf, cut < 0 ? n : cut));
                        ch.flush();
                    }
                    if (cut >= 0) return Keyword.of("escape");
                }
            }
        } finally {
            if (saved != null) {
                c.tcsetattr(0, LibC.TCSANOW, saved);
                out.print("\r\n"); // the child's last line (a prompt, often) is not the shell's
            }
            out.flush();
        }
    }

    private static void drain(Channel ch, PrintStream out) {
        if (ch.bufferedBytes() == 0) return;
        byte[] b = ch.takeBuffered(Integer.MAX_VALUE);
        out.write(b, 0, b.length);
        out.flush();
    }
}
