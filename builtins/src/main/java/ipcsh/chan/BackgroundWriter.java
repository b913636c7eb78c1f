package ipcsh.chan;

/**
 * Writes a non-blocking channel's queued output when its descriptor has room, later, on the
 * interpreter thread: the event loop's job, a layer above this one, so it is found as a
 * service ({@code ipcsh.loop.BackgroundWrites}). Without one, queued output goes out with the
 * next write, flush or close of the channel, and at exit.
 */
public interface BackgroundWriter {
    /** Starts writing ch's queue in the background, unless that runs already. */
    void start(Channel ch);

    /** ch's queue was written outside the event loop (during a blocking wait): stop watching it and finish its close. */
    void finished(Channel ch);
}
