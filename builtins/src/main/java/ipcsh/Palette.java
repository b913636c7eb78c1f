package ipcsh;

/**
 * The colours of what the shell prints for people: error blocks, dumps, tap logs. The builtins
 * only say what a piece of text is; the shell installs an implementation on Jansi's ANSI
 * helpers when the output is a terminal and neither NO_COLOR nor --no-color says otherwise
 * (this module has no terminal library, and must not depend on the shell).
 */
public interface Palette {
    /** No colour at all: files, pipes, NO_COLOR. */
    Palette PLAIN = new Palette() {};

    /** Text sent from client to server (c->s), or written. */
    default String outbound(String s) { return s; }

    /** Text sent from server to client (s->c), or read. */
    default String inbound(String s) { return s; }

    /** Offsets, times and other framing around the data. */
    default String dim(String s) { return s; }

    /** A control character made visible (\r, \x07). */
    default String control(String s) { return s; }

    /** The heading of an error. */
    default String error(String s) { return s; }

    default boolean plain() { return true; }
}
