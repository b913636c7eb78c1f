package ipcsh.loop;

import ipcsh.IpcException;

import java.util.Map;

/**
 * A callback (readable/writable, timer, accept, copy completion) failed. The loop removes
 * the callback and reports this once through {@link EventLoop#onError}: the cause, what the
 * callback was ("on-readable callback of tcp3 (127.0.0.1:5000)") and where it was
 * registered, since the stack of a callback run by the loop says nothing about that.
 */
public final class CallbackError extends IpcException {
    private final String description;
    private final Throwable registeredAt;

    public CallbackError(String description, Throwable cause, Throwable registeredAt) {
        super(description + " failed: " + message(cause), Map.of("callback", description), cause);
        this.description = description;
        this.registeredAt = registeredAt;
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getName() : m;
    }

    /** What the callback was. */
    public String description() {
        return description;
    }

    /** Captured when the callback was registered: its stack trace shows where. */
    public Throwable registeredAt() {
        return registeredAt;
    }

    private static volatile java.util.function.Function<Throwable, String> locator = t -> null;

    /** The script's file:line:col a registration trace points at, or null (no language, no user frame). */
    public static String where(Throwable registeredAt) {
        try {
            return locator.apply(registeredAt);
        } catch (RuntimeException e) {
            return null; // a listing must not fail over one location
        }
    }

    /** How the languages find the user's frame in a trace (the error renderer's rule). */
    public static void locator(java.util.function.Function<Throwable, String> f) {
        locator = f;
    }
}
