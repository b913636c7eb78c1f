package ipcsh.debug;

import ipcsh.Console;
import ipcsh.IpcException;
import ipcsh.Palette;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A tap's log, written by a thread of its own so forwarding never waits for it. To a file it
 * is complete (forwarding is held back only when more than {@link #FILE_BACKLOG} bytes wait,
 * i.e. when the disk is slower than the traffic); to the terminal it drops entries while
 * {@link #TERMINAL_BACKLOG} are waiting, and counts them.
 */
final class TapLog {
    static final long FILE_BACKLOG = 64L << 20;
    static final int TERMINAL_BACKLOG = 512;

    /** One thing to log: data (raw chunk, offset = stream position), a decoded frame, or an event line. */
    record Entry(long conn, boolean toServer, long time, byte[] data, long offset, Object frame, String event) {}

    private static final Entry END = new Entry(0, false, 0, null, 0, null, null);
    private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final LogFormat format;
    private final OutputStream file;
    private final String fileName;
    private final Palette palette;
    private final Thread thread;
    /** With a bound: add never waits, the caller asks {@link #full} and hears of room through onDrained. */
    private final long bound;
    private final Runnable onDrained;

    /** fileName null: the terminal (Console). add waits while more than FILE_BACKLOG bytes wait for a file. */
    TapLog(LogFormat format, String fileName) {
        this(format, fileName, 0, null);
    }

    /**
     * A log whose writer never waits in {@link #add}: it stops adding while {@link #full} and
     * onDrained runs (on the log's thread) when the backlog fell back to bound bytes.
     */
    TapLog(LogFormat format, String fileName, long bound, Runnable onDrained) {
        this.bound = bound;
        this.onDrained = onDrained;
        this.format = format;
        this.fileName = fileName;
        if (fileName != null) {
            try {
                file = new FileOutputStream(fileName);
            } catch (IOException e) {
                throw new IpcException("tap: cannot open log \"" + fileName + "\": " + e.getMessage(),
                        java.util.Map.of("call", "tap", "path", fileName));
            }
            palette = Palette.PLAIN;
        } else {
            file = null;
            palette = Console.palette();
        }
        thread = new Thread(this::run, "ipcsh-tap-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues an entry; called by one thread at a time. */
    void add(Entry e) {
        long size = size(e);
        if (file == null) {
            if (queue.size() >= TERMINAL_BACKLOG && e.event == null) {
                dropped.incrementAndGet();
                return;
            }
        } else if (onDrained == null) {
            while (pending.get() > FILE_BACKLOG && thread.isAlive()) LockSupport.parkNanos(200_000);
        }
        pending.addAndGet(size);
        queue.add(e);
    }

    /** Writes what is queued, stops the thread; returns how many entries the terminal dropped. */
    long close() {
        queue.add(END);
        try {
            thread.join(file == null ? 2000 : 60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return dropped.get();
    }

    long dropped() {
        return dropped.get();
    }

    /** More than the bound waits to be written to the file (a terminal log drops instead, so it is never full). */
    boolean full() {
        return file != null && thread.isAlive() && pending.get() > bound;
    }

    private static long size(Entry e) {
        return e.data == null ? 64 : e.data.length;
    }

    private void run() {
        Dumps.Out out = new Dumps.Out();
        try {
            while (true) {
                Entry e = queue.take();
                boolean end = e == END;
                if (!end) {
                    format(e, out);
                    long size = size(e);
                    long left = pending.addAndGet(-size);
                    if (onDrained != null && file != null && left <= bound && left + size > bound) onDrained.run();
                }
                if (end || queue.isEmpty() || out.length() > (1 << 20)) {
                    write(out);
                    out.reset();
                }
                if (end) break;
            }
        } catch (InterruptedException ignored) {
            // the shell is ending
        } catch (IOException ex) {
            Console.print("tap: log \"" + fileName + "\" failed: " + ex.getMessage() + "; logging stopped\n");
            while (queue.poll() != null) pending.set(0);
        } finally {
            if (file != null) {
                try {
                    file.close();
                } catch (IOException ignored) {
                    // the log already said what it could
                }
            }
        }
    }

    private void write(Dumps.Out out) throws IOException {
        if (out.length() == 0) return;
        if (file != null) file.write(out.array(), 0, out.length());
        else Console.print(out.toString());
    }

    private void format(Entry e, Dumps.Out out) {
        String dir = e.toServer ? "c->s" : "s->c";
        String head = time(e.time) + " #" + e.conn + " ";
        if (e.event != null) {
            out.add(palette.dim(head + e.event) + "\n");
            return;
        }
        String d = e.toServer ? palette.outbound(dir) : palette.inbound(dir);
        if (e.frame != null || format == LogFormat.FRAMES) {
            out.add(palette.dim(head) + d + " " + Dumps.value(e.frame, palette) + "\n");
        } else if (format == LogFormat.HEX) {
            out.add(palette.dim(head) + d + " " + e.data.length + " bytes\n");
            Dumps.hex(e.data, 0, e.data.length, e.offset, "  ", palette, out);
        } else {
            out.add(palette.dim(head) + d + " " + e.data.length + " bytes\n  "
                    + Dumps.text(e.data, 0, e.data.length, "  ", palette) + "\n");
        }
    }

    private static String time(long ms) {
        LocalTime t = LocalTime.ofInstant(Instant.ofEpochMilli(ms), ZoneId.systemDefault());
        return String.format("%02d:%02d:%02d.%03d", t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1_000_000);
    }
}
