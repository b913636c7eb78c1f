package ipcsh.chan;

import ipcsh.IpcException;

import java.util.Map;

/** A blocking verb gave up after the channel's {@code :timeout}. */
public final class TimeoutError extends IpcException {
    public TimeoutError(String what, long ms) {
        super(what + ": timed out after " + ms + " ms", Map.of("timeout", ms, "errno", "ETIMEDOUT"));
    }
}
