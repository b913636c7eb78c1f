package ipcsh.loop;

/**
 * How a trapped signal reaches {@link Traps}: {@link SigInfoForwarding} (the sender known) where
 * ipcsh has a native handler for the machine, {@link JvmSignalDispatch} elsewhere. Either one
 * hands each arrival to {@link Traps#arrived} on the interpreter thread. Called on the
 * interpreter thread only.
 */
interface SignalWay {
    /** Makes sig arrive at {@link Traps#arrived}; fails with the reason when sig cannot be caught. */
    void handle(int sig);

    /** Makes sig ignored (SIG_IGN). */
    void ignore(int sig);

    /** Puts back the action sig had before the first {@link #handle} or {@link #ignore}. */
    void restore(int sig);
}
