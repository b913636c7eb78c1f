package ipcsh.debug;

/** How a tap or dump shows bytes: text with visible control characters, xxd-style hex, or decoded frames. */
public enum LogFormat { TEXT, HEX, FRAMES }
