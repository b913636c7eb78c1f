/**
 * D-Bus: bus connections whose messages reach the interpreter thread as data; calls, properties,
 * signals, exported objects and a monitor channel on top. dbus-java does the wire format and
 * authentication; nothing here is loaded until a D-Bus builtin is first called.
 */
package ipcsh.dbus;
