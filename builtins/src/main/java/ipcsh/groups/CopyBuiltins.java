package ipcsh.groups;

import ipcsh.RegisteredAt;
import ipcsh.chan.Channel;
import ipcsh.loop.CallbackError;
import ipcsh.loop.Copy;
import ipcsh.Callback;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;

/** copy: moving a stream from one channel to another, zero-copy where the kernel allows. */
public final class CopyBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "Copying";
    }

    @Override
    public void register(Registry r) {
        r.add("copy", "([from to] [from to opts])", """
                Copies bytes from channel from to channel to until from's end of stream, and returns how \
                many (Tcl's fcopy). What from had already buffered goes first; the rest moves below the \
                channel buffers, as raw bytes (no encoding or framing), with splice(2) (zero-copy) when \
                one side is a pipe, FIFO or process, straight from or into the shared memory when one side is a \
                shm-ring and the other a pipe, FIFO, process or file, otherwise through a 256 KiB buffer. Neither channel is \
                closed. Options: :size n copies at most n bytes (0 or more; nil: to the end); :progress true prints bytes and rate to \
                stderr on a terminal for copies longer than a second. With :on-done f the copy runs in \
                the background, served by the event loop, and returns a handle for cancel; (f n) runs on \
                the interpreter thread with the byte count when it ends, or with the error when it \
                fails. During a background copy, do not read from or write to the two channels.""",
                a -> {
                    a.arity(2, 3);
                    Channel from = a.channel(0);
                    if (!(a.get(1) instanceof Channel to)) throw a.wrongType(1, "a channel");
                    Options o = a.options(2).only("size", "on-done", "progress");
                    long size = o.size("size", -1, 0, Long.MAX_VALUE);
                    boolean progress = o.flag("progress", false);
                    Object done = o.get("on-done");
                    if (done == null) return Copy.run(from, to, size, progress);
                    if (!(done instanceof Callback f)) {
                        throw new ipcsh.IpcException("copy: option :on-done must be a function, not " + ipcsh.registry.Args.describe(done));
                    }
                    Throwable at = RegisteredAt.here("copy :on-done");
                    String what = "copy :on-done callback (" + from.id() + " to " + to.id() + ")";
                    return Copy.start(from, to, size, progress, result -> {
                        try {
                            f.call(result);
                        } catch (ipcsh.ExitRequest e) {
                            throw e;
                        } catch (Throwable t) {
                            throw new CallbackError(what, t, at);
                        }
                    });
                }).returns("any");
    }

}
