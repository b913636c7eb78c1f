package ipcsh.os;

/**
 * What one recvmsg(2) brought ({@link LibC#recvmsg}): the length (the datagram's real one with
 * MSG_TRUNC, so more than asked for when it was cut), the descriptors of its SCM_RIGHTS control
 * messages (close-on-exec, now this process's to close), msg_flags, and the sender's address (null unless asked for).
 */
public record Received(int length, int[] fds, int flags, byte[] from) {
    /** Control data did not fit (MSG_CTRUNC): descriptors were sent that did not arrive. */
    public boolean controlCut() {
        return (flags & LibC.MSG_CTRUNC) != 0;
    }
}
