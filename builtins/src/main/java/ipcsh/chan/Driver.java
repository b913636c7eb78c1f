package ipcsh.chan;

import java.util.List;
import java.util.Map;

/**
 * The raw operations of one kind of channel (Tcl's Tcl_ChannelType): read into and write
 * from a buffer, half-close, close, hand out descriptors, report its own options.
 * No buffering, charsets or framing: {@link Channel} owns those once for every kind.
 */
public interface Driver {
    /** Short kind name: pipe, fifo, file, process, tcp, unix, udp... */
    String kind();

    /** What the channel is connected to, for listings and messages (a path, a command, a peer). */
    String name();

    /** Descriptor to read from, -1 when the channel cannot read. Non-blocking. */
    int readFd();

    /** Descriptor to write to, -1 when the channel cannot write. Non-blocking. */
    int writeFd();

    /**
     * Bytes read, 0 at end of stream, {@link ipcsh.os.LibC#WOULD_BLOCK} when none are ready.
     * A message driver takes one whole message and returns its real length, which is more
     * than len when the message did not fit (the rest is lost, as with MSG_TRUNC).
     */
    int read(byte[] buf, int off, int len);

    /** Bytes written or {@link ipcsh.os.LibC#WOULD_BLOCK}. */
    int write(byte[] buf, int off, int len);

    /** Stop reading (shutdown or close of the read side). */
    void closeRead();

    /** Stop writing; the peer sees end of stream. */
    void closeWrite();

    /** Release everything; may report the outcome (a process's exit status) by throwing. */
    void close();

    /** The kind's own options, read-only (path, fd, pid, peer...). */
    Map<String, Object> options();

    /**
     * Sets one of the kind's own options (a pty's :rows); false when key is not one it can set,
     * and {@link Channel#configure} then says the option is read-only or unknown.
     */
    default boolean set(String key, Object value) {
        return false;
    }

    /** Whether key is one of the kind's own options that {@link #set} takes (asked before any option is set). */
    default boolean settable(String key) {
        return false;
    }

    /**
     * Whether the other end is a terminal (a child on a pty): it has a window size to set, and a
     * person's Enter there is a carriage return (interact, send-line).
     */
    default boolean terminal() {
        return false;
    }

    /** Message channels (datagrams, queues) move whole messages: one read is one message. Fixed for a driver (asked once). */
    default boolean messages() {
        return false;
    }

    /**
     * Message drivers: the size of the next message without taking it (a read of that many
     * bytes gets it whole), or {@link ipcsh.os.LibC#WOULD_BLOCK} when none is waiting. A kind
     * that cannot tell the size in advance returns an upper bound.
     */
    default int nextMessageSize() {
        return Channel.DEFAULT_BUFFER;
    }

    /**
     * Message drivers that receive each message into an array of their own (ZeroMQ's): then a
     * receive takes it with {@link #readMessage} instead of sizing it and copying it out with
     * {@link #read}. Fixed for a driver.
     */
    default boolean handsOverMessages() {
        return false;
    }

    /**
     * A driver that {@link #handsOverMessages}: the next whole message as an array the caller
     * keeps (nobody else writes to it), or null when none is waiting; its frames as
     * {@link #lastFrames} says.
     */
    default byte[] readMessage() {
        throw new UnsupportedOperationException(kind() + " does not hand over its messages");
    }

    /** Whether {@link #nextMessageSize} is the next message's own size (a datagram's), not an upper bound. */
    default boolean messageSizeExact() {
        return false;
    }

    /**
     * Whether the read descriptor only says that something changed (ZeroMQ's, edge-triggered in
     * meaning) rather than that a read would find data: then a wake-up is a reason to ask
     * {@link #holdsInput} and {@link #writeReady}, and a readable handler runs only when the
     * driver holds a message. Fixed for a driver.
     */
    default boolean signalsChange() {
        return false;
    }

    /** A driver that keeps messages of its own, behind its descriptor: whether one is waiting now. */
    default boolean holdsInput() {
        return false;
    }

    /** {@link #signalsChange} drivers: whether a message could be sent now without waiting. */
    default boolean writeReady() {
        return true;
    }

    /**
     * Message drivers whose messages are made of frames (ZeroMQ's multipart): the frames of the
     * message read last, when it had several (or always, as the driver was told); null for a
     * message of one frame, which {@link #read} returned whole.
     */
    default List<byte[]> lastFrames() {
        return null;
    }

    /**
     * Sends one message of several frames, whole or not at all: its length in bytes, or
     * {@link ipcsh.os.LibC#WOULD_BLOCK}. Only for drivers whose {@link #lastFrames} can answer.
     */
    default int writeFrames(List<byte[]> frames) {
        throw new UnsupportedOperationException(kind() + " messages have one frame");
    }

    /** Whether {@link #writeFrames} is supported: a list sent on such a channel is a message of frames. */
    default boolean frames() {
        return false;
    }

    /** Whether this kind carries descriptors with its bytes (unix sockets, SCM_RIGHTS). Fixed for a driver (asked once). */
    default boolean passesFds() {
        return false;
    }

    /**
     * A kind that {@link #passesFds}: {@link #read} that also takes the descriptors that came
     * with the bytes, kept for {@link #takeReceived}. {@link Channel}'s read funnel reads with
     * this; a byte relay (copy, tap) reads with {@link #read}, and the kernel drops descriptors
     * a plain read does not ask for, so none is installed in this process.
     */
    default int readWithFds(byte[] buf, int off, int len) {
        return read(buf, off, len);
    }

    /** {@link #write} with fds sent along with the bytes (WOULD_BLOCK: neither went); for a kind that {@link #passesFds}. */
    default int write(byte[] buf, int off, int len, int[] fds) {
        throw new UnsupportedOperationException(kind() + " does not pass descriptors");
    }

    /**
     * A kind that {@link #passesFds}: what the last read brought besides its bytes, handed to
     * the caller (who closes the descriptors); null when it brought no descriptors and no
     * MSG_CTRUNC.
     */
    default ipcsh.os.Received takeReceived() {
        return null;
    }
}
