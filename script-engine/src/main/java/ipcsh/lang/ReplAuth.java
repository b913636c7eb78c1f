package ipcsh.lang;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.Semaphore;

/**
 * The tcp repl-server's first step: the client's token line, read from a peer nobody has
 * vouched for yet, so bounded in size ({@link #MAX_LINE} bytes), in time (the deadline,
 * {@code :auth-timeout}) and in number ({@link #MAX_PENDING} connections at once; more are
 * refused at accept, before any byte is read). A refused client gets one line
 * "refused: REASON" and the connection closes; the refusal is logged on stderr.
 */
final class ReplAuth {
    /** The longest token line: a token is at most {@link TokenFile#MAX} characters. */
    static final int MAX_LINE = 1024;
    /** Connections that have not sent their token yet, at most. */
    static final int MAX_PENDING = 8;
    static final long DEFAULT_DEADLINE_MS = 10_000;
    /** After a refusal, what is still read and dropped so the reason is not lost to a tcp reset. */
    private static final int LINGER_BYTES = 65536;
    private static final long LINGER_MS = 1000;

    private final byte[] token;
    private final long deadlineMs;
    private final String where;
    private final Semaphore pending = new Semaphore(MAX_PENDING);

    ReplAuth(byte[] token, long deadlineMs, String where) {
        this.token = token;
        this.deadlineMs = deadlineMs;
        this.where = where;
    }

    /**
     * On the accept thread: whether the new connection may try to authenticate. When
     * {@link #MAX_PENDING} others are still at it, this one is told so and closed at once.
     */
    boolean admit(ReplConn c) {
        if (pending.tryAcquire()) return true;
        refuse(c, "too many connections waiting to authenticate (" + MAX_PENDING + "); try again later", false);
        return false;
    }

    /**
     * On the session's thread, after {@link #admit}: reads the token line. Returns the bytes the
     * client sent after it (the start of its first entry), or null when it was refused or went
     * away (then the connection is closed).
     */
    ByteBuffer authenticate(ReplConn c) {
        long deadline = System.nanoTime() + deadlineMs * 1_000_000;
        try {
            ByteBuffer buf = ByteBuffer.allocate(MAX_LINE);
            while (true) {
                int n = c.read(buf, deadline);
                if (n == ReplConn.TIMED_OUT) {
                    refuse(c, "no token line within " + deadlineMs + " ms", false);
                    return null;
                }
                if (n < 0) {
                    c.close();
                    return null;
                }
                int nl = indexOf(buf, (byte) '\n');
                if (nl < 0 && buf.hasRemaining()) continue;
                if (nl < 0) {
                    refuse(c, "the token line is longer than " + MAX_LINE + " bytes", true);
                    return null;
                }
                String typed = new String(buf.array(), 0, nl, StandardCharsets.UTF_8).strip();
                if (!MessageDigest.isEqual(typed.getBytes(StandardCharsets.UTF_8), token)) {
                    refuse(c, "wrong token", true);
                    return null;
                }
                buf.flip().position(nl + 1);
                return buf.slice();
            }
        } finally {
            pending.release();
        }
    }

    /**
     * Logs, says why in one line, closes. With linger (a client that sent more than was read:
     * the attach client sends its first entry with the token), the server first ends its side
     * and reads and drops what comes for a moment: closing with unread bytes makes tcp reset
     * the connection, and the client would lose the reason.
     */
    private void refuse(ReplConn c, String why, boolean linger) {
        System.err.println("ipcsh: repl-server " + where + ": refused a connection: " + why);
        try {
            c.write(ReplConn.REFUSED + why + "\n");
            if (linger) {
                c.shutdownOutput();
                long until = System.nanoTime() + LINGER_MS * 1_000_000;
                ByteBuffer drop = ByteBuffer.allocate(8192);
                for (long n = 0; n < LINGER_BYTES; ) {
                    drop.clear();
                    int r = c.read(drop, until);
                    if (r < 0) break;
                    n += r;
                }
            }
        } catch (IOException gone) {
            // it is being refused anyway
        } finally {
            c.close();
        }
    }

    private static int indexOf(ByteBuffer buf, byte b) {
        for (int i = 0; i < buf.position(); i++) if (buf.get(i) == b) return i;
        return -1;
    }
}
