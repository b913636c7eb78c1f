package ipcsh.dbus;

import ipcsh.Console;
import ipcsh.chan.Driver;
import ipcsh.chan.MapMessages;
import ipcsh.os.LibC;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * (dbus-monitor bus): every message a monitor connection sees, as a message channel. The reader
 * thread queues each one (map and line) and wakes the channel through an eventfd, its readFd;
 * gets and expect read the line, recv the map. The queue is bounded: past it messages are
 * counted as dropped, and the count is a message of its own when there is room again.
 */
final class MonitorDriver implements Driver, MapMessages {
    static final long QUEUE_MAX = 100_000;
    private record Entry(Map<String, Object> map, byte[] line) {}

    private final Bus bus;
    private final int efd;
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private final boolean print;
    private final long max;
    private final BufferedWriter log;
    private long dropped;
    private Map<String, Object> lastEvent;
    private volatile boolean closed;
    private static final byte[] ONE = {1, 0, 0, 0, 0, 0, 0, 0};

    private final Pcap pcap;

    MonitorDriver(Bus bus, boolean print, String logPath, String pcapPath, long max) throws IOException {
        this.bus = bus;
        this.max = max;
        this.print = print;
        // a path the user names, maybe in a shared directory: never through a symbolic link
        this.log = logPath == null ? null : new BufferedWriter(new java.io.OutputStreamWriter(Files.newOutputStream(
                java.nio.file.Path.of(logPath), StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS), StandardCharsets.UTF_8));
        this.pcap = pcapPath == null ? null : new Pcap(pcapPath);
        this.efd = LibC.get().eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
    }

    /** On the reader thread. */
    void offer(Map<String, Object> m, byte[] raw) {
        if (closed) return;
        if (pcap != null && raw != null) pcap.write(raw);
        String line = MonitorLine.of(m);
        if (log != null) {
            try {
                log.write(line);
                log.write('\n');
                log.flush();
            } catch (IOException e) {
                // the channel still has the message; the log says no more
            }
        }
        if (print) Console.print(line + "\n");
        synchronized (queue) {
            if (queue.size() >= max) {
                dropped++;
                return;
            }
            noteDropped();
            queue.add(new Entry(m, (line + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        LibC.get().write(efd, ONE, 0, 8);
    }

    /** Under the queue's lock, with room in it: the count of messages dropped since the last such note, as a message. */
    private void noteDropped() {
        if (dropped == 0) return;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("type", ipcsh.Keyword.of("dropped"));
        d.put("count", dropped);
        queue.add(new Entry(d, (MonitorLine.of(d) + "\n").getBytes(StandardCharsets.UTF_8)));
        dropped = 0;
    }

    private Entry take() {
        synchronized (queue) {
            Entry e = queue.pollFirst();
            if (e != null) noteDropped(); // taking one made room for the note
            if (queue.isEmpty()) {
                byte[] b = new byte[8];
                LibC.get().read(efd, b, 0, 8);
            }
            return e;
        }
    }

    @Override public String kind() { return "dbus-monitor"; }
    @Override public String name() { return bus.address; }
    @Override public int readFd() { return efd; }
    @Override public int writeFd() { return -1; }
    @Override public boolean messages() { return true; }
    @Override public boolean messageSizeExact() { return true; }

    @Override
    public int nextMessageSize() {
        synchronized (queue) {
            Entry e = queue.peekFirst();
            if (e == null) return closed ? 0 : LibC.WOULD_BLOCK;
            return e.line.length;
        }
    }

    @Override
    public int read(byte[] buf, int off, int len) {
        Entry e = take();
        if (e == null) return closed ? 0 : LibC.WOULD_BLOCK;
        lastEvent = e.map;
        System.arraycopy(e.line, 0, buf, off, Math.min(len, e.line.length));
        return e.line.length;
    }

    @Override
    public Map<String, Object> pollReady() {
        Entry e = take();
        return e == null ? null : e.map;
    }

    @Override
    public Map<String, Object> takeLastEvent() {
        Map<String, Object> m = lastEvent;
        lastEvent = null;
        return m;
    }

    @Override
    public Object parse(Object text) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("line", String.valueOf(text).stripTrailing());
        return m;
    }

    @Override public int write(byte[] buf, int off, int len) { return LibC.WOULD_BLOCK; }
    @Override public void closeRead() { close(); }
    @Override public void closeWrite() {}

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        bus.close();
        long lost;
        synchronized (queue) {
            lost = dropped;
        }
        if (lost > 0) Console.print("dbus-monitor " + bus.address + ": " + lost + " messages dropped (the script did not keep up)\n");
        if (pcap != null) pcap.close();
        try {
            if (log != null) log.close();
        } catch (IOException e) {
            // nothing more to write
        }
        LibC.get().close(efd);
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", bus.address);
        synchronized (queue) {
            m.put("queued", (long) queue.size());
            m.put("dropped", dropped);
        }
        return m;
    }
}
