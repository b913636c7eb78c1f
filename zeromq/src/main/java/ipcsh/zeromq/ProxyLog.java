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
    private long count;

    ProxyLog(String format, String file) {
        this.hex = format.equals("hex");
        this.file = file;
        if (file != null) {
            try (FileOutputStream out = new FileOutputStream(file, true)) {
                out.flush(); // opened once here, so a bad path fails before the proxy starts
            } catch (IOException e) {
                throw new IpcException("zmq-proxy: :log \"" + file + "\": " + e.getMessage());
            }
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
        if (file == null) {
            Console.printErr(sb.toString());
            return;
        }
        try (FileOutputStream out = new FileOutputStream(file, true)) {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IpcException("zmq-proxy: :log \"" + file + "\": " + e.getMessage());
        }
    }
}
