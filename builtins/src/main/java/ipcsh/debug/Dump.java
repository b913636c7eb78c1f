package ipcsh.debug;

import ipcsh.Console;
import ipcsh.Keyword;
import ipcsh.Palette;
import ipcsh.chan.Channel;
import ipcsh.chan.Framing;
import ipcsh.chan.Interrupts;
import ipcsh.chan.Waiter;
import ipcsh.os.LibC;

import java.util.HashMap;
import java.util.Map;

/** (dump ch): prints what a channel delivers as it arrives, until end of stream or Ctrl-C. */
public final class Dump {
    private Dump() {}

    /** Returns the bytes read, or the frames when framing is given. The channel's options are restored. */
    public static long run(Channel ch, boolean hex, Framing framing) {
        Map<String, Object> before = ch.configure();
        Map<String, Object> change = new HashMap<>();
        change.put("blocking", false);
        if (framing != null) change.put("framing", Keyword.of(framing.keyword()));
        else change.put("encoding", Keyword.of("binary"));
        ch.configure(change);
        Palette p = Console.palette();
        long count = 0;
        try {
            while (true) {
                Object x = framing != null ? ch.gets() : ch.read(65536);
                if (x == null) {
                    if (ch.eof()) break;
                    if (ch.blocked()) Waiter.await(ch.readFd(), LibC.POLLIN, Long.MAX_VALUE, "dump " + ch.id());
                    continue;
                }
                if (framing != null) {
                    Console.print(Dumps.value(x, p) + "\n");
                    count++;
                    continue;
                }
                byte[] b = (byte[]) x;
                if (b.length == 0) break;
                if (hex) {
                    Dumps.Out out = new Dumps.Out();
                    Dumps.hex(b, 0, b.length, count, "", p, out);
                    Console.print(out.toString());
                } else {
                    Console.print(Dumps.text(b, 0, b.length, "", p) + (b[b.length - 1] == '\n' ? "\n" : ""));
                }
                count += b.length;
            }
        } catch (Interrupts.InterruptedError e) {
            // Ctrl-C ends a dump; what was read is the result
        } finally {
            if (!ch.isClosed()) {
                Map<String, Object> restore = new HashMap<>();
                for (String k : new String[] {"blocking", "framing", "encoding"}) restore.put(k, before.get(k));
                ch.configure(restore);
            }
        }
        return count;
    }
}
