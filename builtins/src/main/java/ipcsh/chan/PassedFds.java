package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.os.Errno;
import ipcsh.os.OsException;
import ipcsh.os.Received;

import java.util.ArrayDeque;
import java.util.Map;

/**
 * Descriptors that travel with a unix socket's bytes (SCM_RIGHTS), on the channel's side: sent
 * by send's :fds, kept from every read until recv's :fds takes them, closed when nobody asked.
 *
 * <p>Every read of such a channel takes what came with its bytes ({@link Channel#driverRead}).
 * A message's descriptors belong to it: recv with :fds takes them, any other read closes them
 * at once. On a stream they are tied to the last byte of the read that brought them: Linux ends
 * a read within the bytes sent with descriptors (after the first part of that send) and never
 * reads past them, so recv with :fds returns the buffered bytes up to that byte, with them;
 * bytes after it come in the next recv. Descriptors tied to bytes another verb took (gets,
 * read, expect) are closed by the next read verb or the channel's close.
 */
final class PassedFds {
    private static final int[] NONE = new int[0];

    /** Descriptors that came with a stream's bytes, tied to end (stream offset after the read's last byte); cut: MSG_CTRUNC. */
    private record Arrival(long end, int[] fds, boolean cut) {}

    private final Channel ch;
    private final ArrayDeque<Arrival> stream = new ArrayDeque<>();
    /** Bytes the stream's reads gave, all verbs together. */
    private long readTotal;
    /** recv with :fds is taking a message: what comes with it is kept in {@link #message}. */
    private boolean wanted;
    private Arrival message;

    PassedFds(Channel ch) {
        this.ch = ch;
    }

    /** From the read funnel: a read gave n bytes (or WOULD_BLOCK, 0) and r besides (null: nothing). */
    void read(int n, Received r) {
        if (ch.messages) {
            if (r == null) return;
            if (!wanted) {
                FdMessage.close(r.fds()); // nobody asked
                return;
            }
            if (message != null) FdMessage.close(message.fds);
            message = new Arrival(0, r.fds(), r.controlCut());
            return;
        }
        if (n > 0) readTotal += n;
        if (r != null) stream.add(new Arrival(readTotal, r.fds(), r.controlCut()));
    }

    /** Closes what came with bytes a verb other than recv with :fds has taken. */
    void dropConsumed() {
        long consumed = readTotal - ch.input.available();
        for (Arrival a = stream.peek(); a != null && a.end <= consumed; a = stream.peek()) {
            stream.poll();
            FdMessage.close(a.fds);
        }
    }

    /** recv with :fds; null at end of stream or when a non-blocking wait found nothing. */
    FdMessage recv(String verb, long ms, boolean nonblock) {
        if (ch.messages) return recvMessage(verb, ms, nonblock);
        dropConsumed();
        InputBuffer in = ch.input;
        if (in.available() == 0) {
            int r = in.readMore(nonblock ? System.nanoTime() : Waiter.deadline(ms), verb);
            if (r < 0) {
                if (nonblock) {
                    ch.blocked = true;
                    return null;
                }
                throw new TimeoutError(verb + " " + ch.describe(), ms);
            }
            if (r == 0) return null;
        }
        int take = in.available();
        Arrival a = stream.peek();
        long consumed = readTotal - take;
        if (a != null && a.end - consumed <= take) {
            stream.poll();
            take = (int) (a.end - consumed);
        } else {
            a = null;
        }
        byte[] data = in.take(take);
        if (a != null && a.cut) throw FdMessage.cut(verb + " " + ch.describe(), a.fds);
        return new FdMessage(decoded(data, verb), a == null ? NONE : a.fds);
    }

    private FdMessage recvMessage(String verb, long ms, boolean nonblock) {
        drop();
        Object data;
        wanted = true;
        try {
            data = ch.msg.recv(verb, ms, nonblock);
        } catch (RuntimeException e) {
            drop();
            throw e;
        } finally {
            wanted = false;
        }
        Arrival a = message;
        message = null;
        if (data == null) {
            if (a != null) FdMessage.close(a.fds);
            return null;
        }
        if (a != null && a.cut) throw FdMessage.cut(verb + " " + ch.describe(), a.fds);
        return new FdMessage(data, a == null ? NONE : a.fds);
    }

    private Object decoded(byte[] b, String verb) {
        if (ch.opt.charset == null) return b;
        return Decoding.decode(b, 0, b.length, ch.opt.charset, ch.opt.strict, 0, verb, ch);
    }

    private void drop() {
        if (message != null) FdMessage.close(message.fds);
        message = null;
    }

    /** The channel closes: whatever nobody took. */
    void closeAll() {
        drop();
        for (Arrival a; (a = stream.poll()) != null;) FdMessage.close(a.fds);
    }

    /**
     * send with :fds: one message with them, or on a stream the bytes with them, after what is
     * buffered and queued (a non-blocking channel whose queue cannot be written now refuses the
     * send whole). A stream needs a byte for them to travel with.
     */
    void send(byte[] b, int[] fds, String verb, String target) {
        if (ch.messages) {
            ch.msg.send(b, verb, target, fds);
            return;
        }
        if (b.length == 0) {
            throw new IpcException(verb + " " + ch.describe() + ": descriptors travel with bytes on a stream socket; send at least one byte with them");
        }
        ChannelOptions opt = ch.opt;
        ch.output.flushBuffered(verb);
        long dl = Waiter.deadline(opt.timeoutMs);
        if (opt.blocking) {
            if (!ch.queue.isEmpty()) ch.output.drainQueue(dl, verb);
        } else if (!ch.queue.isEmpty()) {
            if (!ch.queue.writeOut(verb)) {
                throw new IpcException(verb + " " + ch.describe() + ": output is queued for a slow reader and descriptors go only"
                        + " after it; nothing of this send was written (try again once it is written)",
                        Map.of("channel", ch.id(), "errno", "EAGAIN"));
            }
            ch.queue.emptied();
        }
        while (true) {
            int n = ch.driverWrite(b, 0, b.length, fds, verb, target);
            if (n >= 0) {
                if (n < b.length) {
                    ch.output.write(b, n, b.length - n, verb); // the descriptors went with the first part
                    ch.output.flushBuffered(verb);
                }
                return;
            }
            if (!opt.blocking) {
                throw new OsException(verb + " " + ch.id(), ch.subject(target), Errno.EAGAIN,
                        "the socket's send buffer is full; nothing was sent, descriptors neither");
            }
            if (!ch.awaitOutput(dl, verb)) throw new TimeoutError(verb + " " + ch.describe(), opt.timeoutMs);
        }
    }
}
