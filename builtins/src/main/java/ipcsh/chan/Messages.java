package ipcsh.chan;

import ipcsh.IpcException;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    /** The frames of the message receive returned last, when the driver said it had several. */
    private List<byte[]> frames;

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
        if (m == null) return null;
        if (frames != null) return decoded(m, verb, false);
        if (opt.charset == null) return m;
        ch.input.frameOffset = 0;
        return Decoding.decode(m, 0, m.length, opt.charset, opt.strict, 0, verb, ch);
    }

    /**
     * One whole message, waiting at most ms unless nonblock; null when a non-blocking channel
     * has none. What expect left in the read buffer comes first.
     */
    byte[] receive(String verb, long ms, boolean nonblock) {
        InputBuffer in = ch.input;
        frames = null;
        if (in.available() > 0) return in.take(in.available());
        long dl = Waiter.deadline(ms);
        Driver driver = ch.driver();
        // a driver whose messages are arrays of their own hands them over: no copy in and out of buffer
        boolean whole = driver.handsOverMessages() && !ch.passesFds();
        while (true) {
            byte[] m = null;
            int n;
            if (whole) {
                try {
                    m = driver.readMessage();
                } catch (OsException e) {
                    throw ch.failure(e, verb, null);
                }
                n = m == null ? LibC.WOULD_BLOCK : m.length;
            } else {
                n = nextSize(verb);
                if (n != LibC.WOULD_BLOCK) {
                    if (buffer == null || buffer.length < n) buffer = new byte[n];
                    n = read(buffer, 0, n, verb);
                }
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
            frames = driver.lastFrames();
            return m != null ? m : Arrays.copyOf(buffer, n);
        }
    }

    /**
     * The message receive returned last as a read verb gives it: a list of frames when the driver
     * said it had several (each decoded as gets decodes a message when asGets, else as recv does).
     */
    Object decoded(byte[] m, String verb, boolean asGets) {
        if (frames == null) return asGets ? ch.framer.decode(m, verb) : m;
        List<Object> parts = new ArrayList<>(frames.size());
        for (byte[] f : frames) {
            if (opt.framing == Framing.JSON_LINES) parts.add(ch.framer.decode(f, verb));
            else if (asGets && (opt.charset == null || isText(f))) parts.add(ch.framer.decode(f, verb));
            else if (asGets) parts.add(f);
            else if (opt.charset == null || !isText(f)) parts.add(f);
            else parts.add(Decoding.decode(f, 0, f.length, opt.charset, opt.strict, 0, verb, ch));
        }
        return parts;
    }

    /**
     * Whether a frame is valid in the channel's encoding. One that is not (a ROUTER's generated
     * peer identity) stays bytes in a text channel's vector, so that sending the vector back
     * reaches the same peer; replacing its bytes would address nobody.
     */
    private boolean isText(byte[] f) {
        if (ByteScan.asciiEnd(f, 0, f.length) == f.length) return true;
        try {
            opt.charset.newDecoder().decode(java.nio.ByteBuffer.wrap(f));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** Sends one message of several frames, whole; waits for room as {@link #send} does. */
    void sendFrames(List<byte[]> parts, String verb, String target) {
        long dl = Waiter.deadline(opt.timeoutMs);
        while (true) {
            int r;
            try {
                r = ch.driver().writeFrames(parts);
            } catch (OsException e) {
                throw ch.failure(e, verb, target);
            }
            if (r >= 0) return;
            waitForRoom(dl, verb, target);
        }
    }

    private void waitForRoom(long dl, String verb, String target) {
        if (!opt.blocking) {
            throw new OsException(verb + " " + ch.id(), ch.subject(target), Errno.EAGAIN,
                    "the socket's send buffer is full; the message was not sent");
        }
        if (!ch.awaitOutput(dl, verb)) {
            throw new TimeoutError(verb + " " + ch.describe(), opt.timeoutMs);
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
