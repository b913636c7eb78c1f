package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.drivers.EventfdDriver;
import ipcsh.chan.drivers.SocketPair;
import ipcsh.os.LibC;
import ipcsh.registry.Args;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;
import ipcsh.shm.Memfds;
import ipcsh.shm.Segment;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Kernel objects with no name, shared by handing their descriptor to another process: socketpair, eventfd, memfd. */
public final class Descriptors implements Registry.Group {
    @Override
    public String title() {
        return "Descriptors";
    }

    @Override
    public void register(Registry r) {
        r.add("socketpair", "([] [opts])", """
                Two connected unix stream sockets with no name (socketpair(2)), as a vector of two \
                channels [a b]: what is written to one is read from the other, both ways, and \
                (close a :write) gives b end of stream. {:type :dgram} makes them datagram sockets \
                (one message per send, as unix-dgram). Channel options (:timeout, :encoding…) apply to both. Give one end to a child with spawn's :fds \
                ({:fds {3 b}}: the child's descriptor 3): it is handed over (closed here), so the \
                child's end is the only one and its exit is your end of stream.""",
                a -> {
                    a.arity(0, 1);
                    Options o = a.options(0);
                    Channel.checkOptions("socketpair", o.map(), "type");
                    String type = o.word("type", "stream");
                    if (!type.equals("stream") && !type.equals("dgram")) {
                        throw new IpcException("socketpair: :type must be :stream or :dgram, not :" + type);
                    }
                    Channel[] ends = SocketPair.open(type.equals("dgram"));
                    try {
                        PipesAndFiles.configureRest(ends[0], o, "type");
                    } catch (RuntimeException e) {
                        ends[1].close();
                        throw e;
                    }
                    PipesAndFiles.configureRest(ends[1], o, "type");
                    return List.of(ends);
                }).returns("[Channel, Channel]");
        r.add("eventfd", "([] [opts])", """
                A counter in the kernel that processes holding its descriptor add to (eventfd(2)), as a \
                channel that is readable while the counter is not zero: a cheap wake-up across \
                processes (on-readable, wait-for, expect). (write e n) adds n (a whole number, 0 to \
                2^64 - 2; a string holding one does too); (read e) takes the counter and leaves 0, \
                returning it as a number (a non-blocking channel returns nil when it is 0; a blocking \
                one waits). gets and recv return it as text. Options: :initial (0 to 4294967295; 0), \
                :semaphore true (each read takes 1 and returns 1), and channel options. Give it to a child with spawn's \
                :fds; Python's os.eventfd_write(3, 1) adds there.""",
                a -> {
                    a.arity(0, 1);
                    Options o = a.options(0);
                    Channel.checkOptions("eventfd", o.map(), "initial", "semaphore");
                    long initial = o.count("initial", 0, 0, 0xffffffffL);
                    boolean semaphore = o.flag("semaphore", false);
                    return PipesAndFiles.configureRest(EventfdDriver.open(initial, semaphore), o, "initial", "semaphore");
                }).returns("Channel");
        r.add("memfd", "([name] [name opts])", """
                Anonymous shared memory (memfd_create(2)): a segment the shm- verbs work on, with no \
                name in any directory (name shows only in /proc/PID/fd as memfd:name); it lives while a \
                descriptor or mapping of it does. Share it by giving it to a child with spawn's :fds \
                (Python: mmap.mmap(3, n)). Options: :size (bytes, required), :data (a string or bytes \
                written at its start first), :seal, a vector of seals that then bind every descriptor \
                of it, here and in the child: :shrink and :grow (its size is fixed), :write (nobody \
                may write it any more, this shell neither: the segment is mapped read-only, so put \
                the contents in with :data), :future-write (nobody who maps or writes it from now on \
                may write, while this shell's mapping stays writable; Linux 5.1), :seal (no more \
                seals). A sealed-against-writing memfd is how a process hands another data it cannot \
                change: the receiver can check the seals (fcntl F_GET_SEALS) instead of trusting. \
                (segments) lists it with its :fd and :seals; (close m) unmaps it and closes the \
                descriptor.""",
                a -> {
                    a.arity(1, 2);
                    String name = a.string(0, "a name");
                    Options o = a.options(1).only("size", "data", "seal");
                    if (!o.has("size")) throw new IpcException("memfd \"" + name + "\": :size (bytes) is required");
                    long size = o.size("size", -1, 1, Long.MAX_VALUE);
                    Object d = o.get("data");
                    byte[] data = d == null ? null : d instanceof byte[] b ? b
                            : d instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : null;
                    if (d != null && data == null) throw new IpcException("memfd: :data must be a string or bytes, not " + Args.describe(d));
                    int seals = o.has("seal") ? Memfds.seals(Watches.words(o.get("seal"), "memfd", ":seal")) : 0;
                    return Memfds.create(name, size, data, seals);
                }).returns("any");
    }

    /**
     * What spawn's :fds gives a child: child fd to our descriptor, and the channels handed over.
     * O_NONBLOCK belongs to the open file, which the child's copy shares, and programs expect
     * blocking descriptors: a channel given (all but an eventfd, which both sides keep) is made
     * blocking for the child and closed here once it runs, since our copy would now block.
     */
    public record Given(Map<Integer, Integer> fds, List<Channel> handedOver) {
        /** Clears O_NONBLOCK on what is handed over, just before the child starts. */
        public void blocking() {
            for (Channel ch : handedOver) setNonBlocking(fdOf(ch), false);
        }

        /** The child did not start: what was handed over is ours again, as it was. */
        public void takeBack() {
            for (Channel ch : handedOver) setNonBlocking(fdOf(ch), true);
        }

        /** The child runs: our channels over what it got are closed. */
        public void handOver() {
            for (Channel ch : handedOver) ch.close();
        }

        private static int fdOf(Channel ch) {
            return ch.readFd() >= 0 ? ch.readFd() : ch.writeFd();
        }

        private static void setNonBlocking(int fd, boolean on) {
            LibC c = LibC.get();
            int fl = c.fcntl(fd, LibC.F_GETFL, 0);
            c.fcntl(fd, LibC.F_SETFL, on ? fl | LibC.O_NONBLOCK : fl & ~LibC.O_NONBLOCK);
        }
    }

    /**
     * spawn's :fds, checked before anything starts: {child-fd thing}, child-fd 3 to 1023, the
     * thing a channel with one descriptor (a socketpair end, an eventfd, a pipe end, a socket)
     * or a memfd segment.
     */
    public static Given childFds(Object spec) {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        List<Channel> handed = new java.util.ArrayList<>();
        if (spec == null) return new Given(out, handed);
        if (!(spec instanceof Map<?, ?> m)) throw new IpcException("spawn: :fds must be a map {3 ch}, not " + Args.describe(spec));
        for (Map.Entry<?, ?> e : m.entrySet()) {
            int target;
            try {
                target = Integer.parseInt(String.valueOf(e.getKey()));
            } catch (NumberFormatException x) {
                throw new IpcException("spawn: :fds keys are the child's descriptor numbers (3 to 1023), not " + e.getKey());
            }
            if (target < 3 || target > 1023) {
                throw new IpcException("spawn: :fds key " + target + " is not 3 to 1023"
                        + (target >= 0 && target < 3 ? " (0, 1 and 2 are :stdin, :stdout and :stderr)" : ""));
            }
            out.put(target, sourceFd(e.getValue(), target));
            if (e.getValue() instanceof Channel ch && !(ch.driver() instanceof EventfdDriver) && !handed.contains(ch)) handed.add(ch);
        }
        return new Given(out, handed);
    }

    private static int sourceFd(Object v, int target) {
        return descriptorOf(v, "spawn: :fds " + target, "give it as :stdin or :stdout instead");
    }

    /**
     * The one descriptor of what is given away (spawn's :fds, send's :fds): an open channel with
     * one descriptor, or a memfd segment; anything else is a one-line error starting with where.
     * Public for protocol modules that pass descriptors too (D-Bus's unix fd type).
     */
    public static int descriptorOf(Object v, String where, String twoFdsHint) {
        if (v instanceof Channel ch) {
            if (ch.isClosed()) throw new IpcException(where + " " + ch.describe() + " is closed");
            if (ch.driver() instanceof ipcsh.chan.drivers.WatchDriver) {
                throw new IpcException(where + " " + ch.describe() + ": a watch cannot be given to another process");
            }
            int r = ch.readFd(), w = ch.writeFd();
            if (r >= 0 && w >= 0 && r != w) {
                throw new IpcException(where + " " + ch.describe() + " has two descriptors (reading and writing); " + twoFdsHint);
            }
            int fd = r >= 0 ? r : w;
            if (fd < 0) throw new IpcException(where + " " + ch.describe() + " has no open descriptor");
            return fd;
        }
        if (v instanceof Segment s) {
            int fd = Memfds.descriptor(s);
            if (fd < 0) {
                throw new IpcException(where + " " + s + " has no descriptor to give (only a memfd keeps one)");
            }
            return fd;
        }
        throw new IpcException(where + " must be a channel or a memfd segment, not " + Args.describe(v));
    }
}
