package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.drivers.PathWait;
import ipcsh.chan.drivers.WatchDriver;
import ipcsh.chan.drivers.WatchEvents;
import ipcsh.registry.Args;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;

import java.util.ArrayList;
import java.util.List;

/** Being told when files change (inotify) instead of looking again and again. */
public final class Watches implements Registry.Group {
    @Override
    public String title() {
        return "Watches";
    }

    @Override
    public void register(Registry r) {
        r.add("watch", "([path] [path opts])", """
                Watches the file or directory at path (inotify) and returns a watch channel: each event \
                is one message, and (recv w) returns it as a map {:event :create :path "/d/a.txt" :name \
                "a.txt" :dir? false :cookie 0}. :path is the file the event is about (the watched path \
                itself when :name is nil), :dir? whether it is a directory. Options: :events, a vector \
                of :create :delete :modify :move (both :moved-from and :moved-to) :moved-from :moved-to \
                :close-write :close-nowrite :attrib :open :access :delete-self :move-self (default: \
                :create :delete :modify :move :close-write :attrib :delete-self :move-self), and \
                :recursive true, which watches every directory below path too and each one made or \
                moved in later (a directory's contents made before its watch took are not reported). \
                A rename is two events with the same non-zero :cookie, :moved-from (old path) then \
                :moved-to (new path); one whose other half is outside the watch comes alone. The \
                kernel queues at most fs.inotify.max_queued_events events (16384 by default) \
                while nobody reads: past that it drops them and says so, and so does the watch: \
                {:event :overflow} (then look at the directory again). {:event :ignored} says the \
                watched path is gone (deleted, or its file system unmounted), and {:event :error \
                :error "…"} that a new directory could not be watched (the error names the kernel's \
                limit, fs.inotify.max_user_watches, when that is why). It is a channel like any other: \
                on-readable, wait-for, expect and gets work on it; gets, read and expect see each \
                event as its line of JSON text ({"event":"create","path":…}), and {:framing \
                :json-lines} makes gets return maps with string values. (close w) removes the watch. \
                Fails at once for a path that is not there, and when the watch limit is reached \
                (naming fs.inotify.max_user_watches or max_user_instances).""",
                a -> {
                    a.arity(1, 2);
                    String path = a.string(0, "a file or directory path");
                    Options o = a.options(1).only("events", "recursive");
                    List<String> events = o.has("events") ? words(o.get("events"), "watch", ":events") : WatchEvents.DEFAULT;
                    boolean recursive = o.flag("recursive", false);
                    WatchEvents.mask(events); // checked before anything is made
                    return WatchDriver.open(path, events, recursive);
                }).returns("Channel");
        r.add("wait-for-path", "([path] [path opts])", """
                Waits until path exists and returns path, told by inotify, not by looking again and \
                again: a watch on its directory (on the nearest one that exists when that is still \
                to be made), and a look at path after each change there. Options: :type, what it must \
                be (:any default, :file, :dir, :fifo, :socket: a path of another type is waited past, \
                as until it is replaced), :timeout ms (0 to 2147483647; nil: none), after which a \
                timeout error is raised. With :type :socket it returns once a socket listens there: \
                its file appears at bind(2), a moment before listen(2), and a connect in between \
                would be refused; a socket file no process has bound (left by a server that died) is \
                waited past until one binds it again. Ctrl-C interrupts the wait. (connect :unix \
                (wait-for-path "/run/app.sock" {:type :socket :timeout 5000})) waits for a service, \
                then talks to it.""",
                a -> {
                    a.arity(1, 2);
                    String path = a.string(0, "a path");
                    Options o = a.options(1).only("type", "timeout");
                    String type = o.word("type", "any");
                    long timeout = o.duration("timeout", -1);
                    return PathWait.await(path, type, timeout);
                }).returns("string");
    }

    /** A vector of keywords (or strings) as their names. */
    static List<String> words(Object v, String builtin, String what) {
        if (!(v instanceof List<?> l)) throw new IpcException(builtin + ": " + what + " must be a vector of keywords, not " + Args.describe(v));
        List<String> out = new ArrayList<>();
        for (Object x : l) {
            String w = Keyword.word(x);
            if (w != null) out.add(w);
            else throw new IpcException(builtin + ": " + what + " must be a vector of keywords, not " + Args.describe(v));
        }
        return out;
    }
}
