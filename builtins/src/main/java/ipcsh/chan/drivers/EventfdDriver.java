package ipcsh.chan.drivers;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.FdDriver;
import ipcsh.os.LibC;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An eventfd(2): a 64-bit counter in the kernel that another process holding the descriptor
 * adds to, readable while it is not zero. As a message channel each message is the counter in
 * decimal: a write adds the number it says, a read takes the counter and leaves zero (with
 * semaphore, takes 1). The channel verbs read and write also take and give plain numbers.
 */
public final class EventfdDriver extends FdDriver {
    /** The largest count the counter holds (2^64 - 2), as text. */
    private static final String MAX = Long.toUnsignedString(-2L);
    private final boolean semaphore;
    private final byte[] word = new byte[8];

    private EventfdDriver(int fd, boolean semaphore) {
        super(fd, fd);
        this.semaphore = semaphore;
    }

    /** A new counter starting at initial (0 to 2^32 - 1, as eventfd(2) takes it). */
    public static Channel open(long initial, boolean semaphore) {
        int flags = LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC | (semaphore ? EFD_SEMAPHORE : 0);
        return new Channel(new EventfdDriver(LibC.get().eventfd((int) initial, flags), semaphore));
    }

    private static final int EFD_SEMAPHORE = 1;

    /** A received eventfd (non-blocking already), as {@link ReceivedFd} found it. */
    static EventfdDriver adopt(int fd, boolean semaphore) {
        return new EventfdDriver(fd, semaphore);
    }

    @Override public String kind() { return "eventfd"; }
    @Override public String name() { return semaphore ? "semaphore" : "counter"; }
    @Override public boolean messages() { return true; }

    /** An upper bound: the counter's longest decimal form. */
    @Override
    public int nextMessageSize() {
        return 20;
    }

    @Override
    public int read(byte[] buf, int off, int len) {
        int n = LibC.get().read(rfd, word, 0, 8);
        if (n == LibC.WOULD_BLOCK) return n;
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | (word[i] & 0xff);
        byte[] text = Long.toUnsignedString(v).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, buf, off, Math.min(len, text.length));
        return text.length;
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        long v = count(new String(buf, off, len, StandardCharsets.UTF_8).trim());
        for (int i = 0; i < 8; i++) word[i] = (byte) (v >>> (8 * i));
        int n = LibC.get().write(wfd, word, 0, 8);
        return n == LibC.WOULD_BLOCK ? n : len;
    }

    /** What a write adds: a whole number from 0 to 2^64 - 2, or an error naming what was given. */
    public static long count(String s) {
        try {
            long v = Long.parseUnsignedLong(s);
            if (v != -1L) return v;
        } catch (NumberFormatException e) {
            // below, with what was given
        }
        throw new IpcException("write eventfd: the counter takes a whole number from 0 to " + MAX + ", not \"" + s + "\"");
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = super.options();
        m.put("semaphore", semaphore);
        return m;
    }
}
