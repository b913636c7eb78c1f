package ipcsh;

/**
 * A function from the script's language, called on the interpreter thread. A builtin offers a
 * callback what it is about (the channel, the signal's map, the chunk's map); the language
 * binding passes a function written with fewer parameters only the leading arguments, so a
 * zero-argument function always works.
 */
@FunctionalInterface
public interface Callback {
    Object call(Object... args);
}
