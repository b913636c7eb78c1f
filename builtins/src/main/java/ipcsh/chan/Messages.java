package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.util.Arrays;
import java.util.Map;

/**
 * Message I/O for drivers that move whole messages (datagrams, queues): each read takes one
 * message, sized by the driver first so nothing is cut, and a message over :max-frame is taken
 * and dropped and reported once; each write sends one, whole or not at all.
 */
final class Messages {
    private final Channel ch;
    private final ChannelOptions opt;
    /**
     * Kept between messages: allocating (and zeroing) an upper bound for each one cost more than
     * the message itself.
     */
    private byte[] buffer;

    Messages(Channel ch, ChannelOptions opt) {
        this.ch = ch;
        this.opt = opt;
    }

    /**
     * The size of the next message without taking it, or WOULD_BLOCK when none is waiting. One
     * whose exact size is over :max-frame is taken here, dropped and reported.
     */
    int nextSize(String verb) {
        Driver driver = ch.driver();
        while (true) {
            int size;
            try {
                size = driver.nextMessageSize();
            } catch (OsException e) {
                throw ch.failure(e, verb, null);
            }
            if (size == LibC.WOULD_BLOCK || size <= opt.maxFrame || !driver.messageSizeExact()) return size;
            int dropped = ch.driverRead(new byte[1], 0, 0, verb);
            if (dropped == LibC.WOULD_BLOCK) continue; // another reader took it
            throw ch.framer.tooLong("message", Math.max(dropped, size), verb, "");
        }
    }

    /** Reads the next message, sized at size, into b at off: its length, or WOULD_BLOCK. */
    int read(byte[] b, int off, int size, String verb) {
        int n = ch.driverRead(b, off, size, verb);
        if (n > size) {
            throw new IpcException(verb + " " + ch.describe() + ": message of " + n + " bytes was cut to "
                    + size + " bytes (MSG_TRUNC)", Map.of("channel", ch.id(), "errno", "EMSGSIZE"));
        }
        return n;
    }

    /** recv and read: one message's data (bytes on a binary channel, text not translated); null when a non-blocking wait found none. */
    Object recv(String verb, long ms, boolean nonblock) {
        byte[] m = receive(verb, ms, nonblock);
        if (m == null || opt.charset == null) return m;
        ch.input.frameOffset = 0;
        return Decoding.decode(m, 0, m.length, opt.charset, opt.strict, 0, verb, ch);
    }

    /**
     * One whole message, waiting at most ms unless nonblock; null when a non-blocking channel
     * has none. What expect left in the read buffer comes first.
     */
    byte[] receive(String verb, long ms, boolean nonblock) {
        InputBuffer in = ch.input;
        if (in.available() > 0) return in.take(in.available());
        long dl = Waiter.deadline(ms);
        while (true) {
            int size = nextSize(verb);
            int n = size;
            if (size != LibC.WOULD_BLOCK) {
                if (buffer == null || buffer.length < size) buffer = new byte[size];
                n = read(buffer, 0, size, verb);
            }
            if (n == LibC.WOULD_BLOCK) {
                // none waiting, or none after all (a kind that only knows an upper bound, another reader)
                if (nonblock) {
                    ch.blocked = true;
                    return null;
                }
                ch.awaitReadable(dl, verb, ms);
                continue;
            }
            if (n > opt.maxFrame) throw ch.framer.tooLong("message", n, verb, "");
            return Arrays.copyOf(buffer, n);
        }
    }

    /** Sends one message to target (null: the connected peer); a blocking channel waits for room. */
    void send(byte[] b, String verb, String target) {
        send(b, verb, target, null);
    }

    /** The same with descriptors (null: none) sent with the message. */
    void send(byte[] b, String verb, String target, int[] fds) {
        long dl = Waiter.deadline(opt.timeoutMs);
        while (true) {
            if (ch.driverWrite(b, 0, b.length, fds, verb, target) >= 0) return;
            if (!opt.blocking) {
                throw new OsException(verb + " " + ch.id(), ch.subject(target), Errno.EAGAIN,
                        "the socket's send buffer is full; the message was not sent");
            }
            if (!ch.awaitOutput(dl, verb)) {
                throw new TimeoutError(verb + " " + ch.describe(), opt.timeoutMs);
            }
        }
    }
}
