package ipcsh.groups;

import ipcsh.chan.Channel;
import ipcsh.chan.drivers.FifoDriver;
import ipcsh.chan.drivers.FileDriver;
import ipcsh.chan.drivers.PipeDriver;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;

import java.util.List;

/** Anonymous pipes, named pipes (FIFOs) and plain files. */
public final class PipesAndFiles implements Registry.Group {
    @Override
    public String title() {
        return "Pipes, FIFOs and files";
    }

    @Override
    public void register(Registry r) {
        r.add("pipe", "([])", """
                Makes an anonymous pipe and returns [r w]: a read channel and a write channel. What is \
                written to w is read from r; closing w gives r end of stream.""",
                a -> {
                    a.arity(0, 0);
                    Channel[] p = PipeDriver.open();
                    return List.of(p[0], p[1]);
                }).returns("[Channel, Channel]");
        r.add("mkfifo", "([path] [path opts])", """
                Creates a FIFO (named pipe) at path; options: :mode (permission bits, default 0600, before \
                the umask), :temp true (remove it when the shell exits, SIGTERM, SIGINT and SIGHUP included, \
                if the path still names the FIFO this call made). Returns path. Like mkfifo(1), the FIFO stays \
                after the shell exits unless :temp. A FIFO of this user's already there is fine; another user's \
                FIFO there is refused (its owner could read what is written to it), and so is any other file.""",
                a -> {
                    String path = a.arity(1, 2).string(0, "a path");
                    Options o = a.options(1).only("mode", "temp");
                    int mode = o.mode("mode", 0600);
                    FifoDriver.make(path, mode, o.flag("temp", false));
                    return path;
                }).returns("string");
        r.add("fifo", "([path mode] [path mode opts])", """
                Opens the FIFO at path for :read, :write or :rw, creating it first (:mode 0600) when nothing is \
                there unless {:create false}; a FIFO it made stays after the shell exits unless :temp true, as with \
                mkfifo. A FIFO already there is opened whoever owns it (that is how one talks to another user's \
                program; mkfifo refuses another user's FIFO). Every open refuses a symbolic link and checks the \
                descriptor is the FIFO the path named when the call began: a file renamed into its place gets \
                no byte. Like open(2) it waits for the other side: a reader until a writer has \
                written (or come and gone), a writer until a reader has opened; :rw does not wait. The wait is \
                bounded by :timeout (ms, 0 to 2147483647, which then stays set on the channel) and Ctrl-C. \
                Every argument and option is checked before the FIFO is made or opened. \
                With {:nonblock true} it returns at once: a writer with no reader fails with ENXIO, a reader \
                sees end of stream until a writer comes. Other options are set on the channel \
                (:buffering, :encoding, :framing...).""",
                a -> {
                    String path = a.arity(2, 3).string(0, "a path");
                    String mode = a.word(1, ":read, :write or :rw");
                    if (!List.of("read", "write", "rw").contains(mode)) throw a.wrongType(1, ":read, :write or :rw");
                    Options o = a.options(2);
                    Channel.checkOptions("fifo", o.map(), "create", "mode", "nonblock", "temp");
                    boolean create = o.flag("create", true), temp = o.flag("temp", false);
                    if (temp && !create) throw new ipcsh.IpcException("fifo: :temp is for a FIFO this call creates; drop {:create false}");
                    Channel ch = FifoDriver.open(path, mode, create, o.mode("mode", 0600), temp,
                            o.flag("nonblock", false), o.duration("timeout", -1));
                    return configureRest(ch, o, "create", "mode", "nonblock", "temp");
                }).returns("Channel");
        r.add("open-file", "([path] [path mode] [path mode opts])", """
                Opens a plain file (or a device such as /dev/null) as a channel. mode: :read (default), \
                :write (create, truncate), :append (create) or :rw (create). Options: :mode (permission \
                bits for a new file, default 0644), and any channel option.""",
                a -> {
                    String path = a.arity(1, 3).string(0, "a path");
                    String mode = a.has(1) ? a.word(1, ":read, :write, :append or :rw") : "read";
                    if (!List.of("read", "write", "append", "rw").contains(mode)) {
                        throw a.wrongType(1, ":read, :write, :append or :rw");
                    }
                    Options o = a.options(2);
                    Channel.checkOptions("open-file", o.map(), "mode");
                    Channel ch = FileDriver.open(path, mode, o.mode("mode", 0644));
                    return configureRest(ch, o, "mode");
                }).returns("Channel");
    }

    /** Applies the options a builtin did not consume itself as channel options (checked before opening by {@link Channel#checkOptions}). */
    static Channel configureRest(Channel ch, Options o, String... consumed) {
        java.util.Map<String, Object> rest = new java.util.LinkedHashMap<>(o.map());
        for (String k : consumed) rest.remove(k);
        if (!rest.isEmpty()) {
            try {
                ch.configure(rest);
            } catch (RuntimeException e) {
                ch.close();
                throw e;
            }
        }
        return ch;
    }
}
