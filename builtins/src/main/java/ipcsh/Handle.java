package ipcsh;

/**
 * Something a builtin of a module above builtins returns for the script to hold and hand back
 * (a D-Bus bus, a signal watch, an export): the languages print it as its toString, as they
 * print channels and timers, not as a Java object.
 */
public interface Handle {}
