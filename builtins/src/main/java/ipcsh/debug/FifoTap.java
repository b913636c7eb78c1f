package ipcsh.debug;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.drivers.FifoDriver;
import ipcsh.loop.Copy;
import ipcsh.loop.EventLoop;
import ipcsh.loop.Reactor;
import ipcsh.os.AtExit;
import ipcsh.os.Errno;
import ipcsh.os.FileId;
import ipcsh.os.OsException;
import ipcsh.Callback;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tap on a FIFO two other programs share. The original is renamed aside (atomically, so
 * nobody ever finds the path missing) and a new FIFO takes its place; the tap relays between
 * the two and logs. Which way depends on who already holds the original: a reader that has it
 * open stays on it, and writers that open the path from now on write to the tap, which passes
 * the bytes on; a writer that has it open (with no reader) stays on it, and readers that open
 * the path read from the tap. The original goes back on close and at the shell's exit
 * (Ctrl-C, SIGTERM), replacing the tap's FIFO in one rename.
 */
public final class FifoTap implements Closeable {
    private final String path;
    private final Path original, aside;
    private final TapLog log;
    private final Callback onChunk;
    private final EventLoop loop = Reactor.get().loop();
    private final boolean writersComeToTap;
    private Channel from, to;
    private Copy copy;
    private long offset;
    private FileId originalId;
    private boolean closed;

    private FifoTap(String path, TapLog log, Callback onChunk, boolean writersComeToTap) {
        this.path = path;
        this.original = Path.of(path);
        this.aside = original.resolveSibling("." + original.getFileName() + ".ipcsh-tap-" + ProcessHandle.current().pid());
        this.log = log;
        this.onChunk = onChunk;
        this.writersComeToTap = writersComeToTap;
    }

    public static FifoTap start(String path, LogFormat format, String logFile, boolean logOff, Callback onChunk) {
        Path p = Path.of(path);
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (!ipcsh.os.FileType.is(mode, ipcsh.os.LibC.S_IFIFO)) {
                throw new IpcException("fifo-tap \"" + path + "\": is not a FIFO (it is a " + ipcsh.os.FileType.name(mode) + ")",
                        Map.of("call", "fifo-tap", "path", path));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IpcException("fifo-tap \"" + path + "\": No such file or directory (ENOENT)",
                    Map.of("call", "fifo-tap", "path", path, "errno", "ENOENT"));
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IpcException("fifo-tap \"" + path + "\": Permission denied (EACCES)",
                    Map.of("call", "fifo-tap", "path", path, "errno", "EACCES"));
        } catch (IOException e) {
            throw new IpcException("fifo-tap \"" + path + "\": " + e.getMessage(), Map.of("call", "fifo-tap", "path", path));
        }
        // A reader blocked in open(2) holds no descriptor yet, but the kernel counts it: a
        // non-blocking open for writing succeeds exactly when some reader is there.
        Channel toReader = null;
        try {
            toReader = FifoDriver.open(path, "write", false, 0, true, -1);
        } catch (OsException e) {
            if (e.errno() != Errno.ENXIO) throw e;
        }
        if (toReader == null && Holders.whoHas(path).stream().noneMatch(h -> h.get("mode") != null && !Keyword.of("read").equals(h.get("mode")))) {
            throw new IpcException("fifo-tap \"" + path + "\": nobody has the FIFO open (start the reader or the writer first)",
                    Map.of("call", "fifo-tap", "path", path, "errno", "ENXIO"));
        }
        TapLog log;
        try {
            log = logOff ? null : new TapLog(format, logFile);
        } catch (RuntimeException e) {
            if (toReader != null) toReader.close();
            throw e;
        }
        FifoTap t = new FifoTap(path, log, onChunk, toReader != null);
        t.to = toReader;
        try {
            t.swap();
        } catch (RuntimeException e) {
            if (log != null) log.close();
            throw e;
        }
        return t;
    }

    private void swap() {
        originalId = FileId.at(path);
        try {
            Files.move(original, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IpcException("fifo-tap \"" + path + "\": cannot move it aside: " + e.getMessage(),
                    Map.of("call", "fifo-tap", "path", path));
        }
        AtExit.register(this, this::restore);
        try {
            // not :temp: the original is renamed back over it, on close and at exit
            FifoDriver.make(path, 0600 | permissions(), false);
            // rw ends never see "no writer"/"no reader": the relay outlives each program's open and close
            if (writersComeToTap) {
                from = FifoDriver.open(path, "rw", false, 0, true, -1);
            } else {
                from = FifoDriver.open(aside.toString(), "read", false, 0, true, -1);
                to = FifoDriver.open(path, "rw", false, 0, true, -1);
            }
            copy = Copy.start(from, to, -1, false, this::finished, log != null || onChunk != null ? this::chunk : null);
        } catch (RuntimeException e) {
            closeChannels();
            restore();
            AtExit.cancel(this);
            throw e;
        }
        event("fifo-tap " + path + ": " + (writersComeToTap ? "writers now write to the tap, which passes on to the reader"
                : "the writer's bytes pass through the tap to readers that open the path"));
    }

    private int permissions() {
        try {
            return (Integer) Files.getAttribute(aside, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0777;
        } catch (IOException e) {
            return 0600;
        }
    }

    private void chunk(byte[] b, int off, int len) {
        long now = System.currentTimeMillis();
        byte[] data = Arrays.copyOfRange(b, off, off + len);
        if (log != null) log.add(new TapLog.Entry(1, true, now, data, offset, null, null));
        offset += len;
        if (onChunk == null) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("conn", 1L);
        m.put("dir", Keyword.of("c->s"));
        m.put("time", now);
        m.put("data", new String(data, StandardCharsets.UTF_8));
        m.put("len", (long) len);
        loop.post(() -> onChunk.call(m));
    }

    private void finished(Object result) {
        if (result instanceof Throwable t) event("relay stopped: " + t.getMessage());
        else event("the writer closed; end of stream passed on (" + offset + " bytes)");
        closeChannels();
    }

    private void event(String text) {
        if (log != null) log.add(new TapLog.Entry(1, true, System.currentTimeMillis(), null, 0, null, text));
    }

    private void closeChannels() {
        for (Channel ch : new Channel[] {from, to}) {
            if (ch == null) continue;
            try {
                ch.close();
            } catch (RuntimeException ignored) {
                // a reader gone away: nothing to pass on any more
            }
        }
    }

    /** Puts the original FIFO back in one rename (over the tap's own). */
    private void restore() {
        // only the very FIFO moved aside goes back: not a file someone renamed to the aside name since
        if (originalId == null || !originalId.isAt(aside.toString())) return;
        try {
            Files.move(aside, original, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ignored) {
            // already back, or the directory went away
        }
    }

    /** Stops relaying, puts the original back, writes out the log. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (copy != null) copy.cancel();
        closeChannels();
        restore();
        AtExit.cancel(this);
        if (log != null) log.close();
    }

    @Override
    public String toString() {
        return "#<fifo-tap " + path + (closed ? " closed" : " " + offset + " bytes") + ">";
    }
}
