package ipcsh.zeromq;

import ipcsh.Console;
import ipcsh.IpcException;
import ipcsh.Palette;
import ipcsh.debug.Dumps;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.util.List;

/** zmq-proxy's capture: one header line per message and a line per frame, as tap shows chunks (:text or :hex). */
final class ProxyLog {
    private final boolean hex;
    private final String file;
    /** Opened once, before the proxy starts (a bad path fails first), and closed when it ends: never re-opened by name. */
    private final FileOutputStream out;
    private long count;

    ProxyLog(String format, String file) {
        this.hex = format.equals("hex");
        this.file = file;
        try {
            this.out = file == null ? null : new FileOutputStream(file, true);
        } catch (IOException e) {
            throw new IpcException("zmq-proxy: :log \"" + file + "\": " + e.getMessage());
        }
    }

    void close() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException ignored) {
            // every entry was written when it was made (the stream is unbuffered)
        }
    }

    void message(String side, List<byte[]> frames) {
        count++;
        StringBuilder sb = new StringBuilder();
        sb.append(LocalTime.now()).append(' ').append(side.equals("front") ? "front -> back" : "back -> front")
                .append(" #").append(count).append(' ').append(frames.size()).append(frames.size() == 1 ? " frame\n" : " frames\n");
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            sb.append("  [").append(i).append("] ").append(f.length).append(" bytes");
            if (hex) sb.append('\n').append(Dumps.hex(f, Palette.PLAIN));
            else sb.append(": ").append(Dumps.text(f, 0, f.length, "    ", Palette.PLAIN)).append('\n');
        }
        if (out == null) {
            Console.printErr(sb.toString());
            return;
        }
        try {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IpcException("zmq-proxy: :log \"" + file + "\": " + e.getMessage());
        }
    }
}
