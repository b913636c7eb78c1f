package ipcsh;

/**
 * A handle that (cancel h) ends, from a module above builtins (a D-Bus signal watch): cancel
 * knows timers and copies itself, and anything else that can be cancelled by this.
 */
public interface Cancellable {
    /** Stops it; a second call does nothing. */
    void cancel();
}
