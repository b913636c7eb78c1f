package ipcsh.registry;

/** A function from the script's language, called on the interpreter thread. */
@FunctionalInterface
public interface Callback {
    Object call(Object... args);
}
