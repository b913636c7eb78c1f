/**
 * ZeroMQ sockets as message channels (JeroMQ, pure Java): a {@code Driver} per socket under the
 * generic channel; nothing here is loaded until a ZeroMQ builtin is first called.
 */
package ipcsh.zeromq;
