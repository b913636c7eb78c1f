package ipcsh.groups;

import ipcsh.IpcException;
import ipcsh.chan.Channel;
import ipcsh.chan.drivers.MqDriver;
import ipcsh.ipc.Ipcs;
import ipcsh.ipc.Semaphore;
import ipcsh.ipc.SysvQueue;
import ipcsh.os.IpcNames;
import ipcsh.registry.Args;
import ipcsh.registry.Options;
import ipcsh.registry.Registry;

import java.util.Set;

/** POSIX message queues and semaphores, System V message queues, and (ipcs). */
public final class QueuesAndSemaphores implements Registry.Group {
    private static final Set<String> KINDS = Set.of("mq", "shm", "sem", "sysv-shm", "sysv-mq", "sysv-sem");

    @Override
    public String title() {
        return "Message queues and semaphores";
    }

    @Override
    public void register(Registry r) {
        r.add("mq", "([name] [name opts] [name direction] [name direction opts])", """
                Opens the POSIX message queue name ("/jobs": one leading slash, no other) and returns a \
                message channel, for :read, :write or :rw (the default). puts and gets send and receive \
                one whole message each (text, or bytes on an :encoding :binary channel; :json-lines \
                framing sends each value as one message); (send q data {:priority 5}) sends at a priority \
                (0..32767; higher is received first) and (recv q) returns {:data ... :priority p}. The \
                descriptor is watched by the event loop like a socket: on-readable, on-writable and wait-for \
                work, and :timeout bounds every wait; copy moves messages out of a queue as bytes, and into \
                one sends each read of the source as a message (an error past :msg-size). Options: :create (make it when absent), \
                :exclusive (with :create: fail when it exists, EEXIST), :mode (permission bits of a new \
                queue, default 0600), :max-msgs and :msg-size (a new queue's capacity and largest message; \
                default the system's, /proc/sys/fs/mqueue/msg_default and msgsize_default), :temp (remove \
                the queue when the shell exits if this call created it; without it the queue stays until \
                mq-unlink), and any channel option. (configure q) adds :max-msgs \
                :msg-size and :cur-msgs. When the kernel refuses, the error names the limit and its value \
                (msg_max, msgsize_max, queues_max, RLIMIT_MSGQUEUE). Closing the channel keeps the queue; \
                mq-unlink removes it.""",
                a -> {
                    a.arity(1, 3);
                    String name = IpcNames.posix("mq", a.string(0, "a queue name like \"/jobs\""));
                    String direction = "rw";
                    int oi = 1;
                    if (a.has(1) && !(a.get(1) instanceof java.util.Map<?, ?>) && a.get(1) != null) {
                        direction = a.word(1, ":read, :write or :rw");
                        oi = 2;
                    } else if (a.size() > 2) {
                        throw a.usage();
                    }
                    Options o = a.options(oi);
                    // every option before mq_open: a queue made and then refused would stay behind
                    Channel.checkOptions("mq", o.map(), "create", "exclusive", "mode", "max-msgs", "msg-size", "temp");
                    long maxMsgs = o.count("max-msgs", 0, 1, Integer.MAX_VALUE);
                    long msgSize = o.size("msg-size", 0, 1, Integer.MAX_VALUE);
                    Channel ch = MqDriver.open(name, direction, o.flag("create", false), o.flag("exclusive", false),
                            o.mode("mode", 0600), maxMsgs, msgSize, o.flag("temp", false));
                    return PipesAndFiles.configureRest(ch, o, "create", "exclusive", "mode", "max-msgs", "msg-size", "temp");
                }).returns("Channel");
        r.add("mq-unlink", "([name])", """
                Removes the POSIX message queue name. Processes that have it open keep using it until \
                they close it; a new (mq name {:create true}) makes a new queue. Returns nil.""",
                a -> {
                    MqDriver.unlink(IpcNames.posix("mq-unlink", a.arity(1, 1).string(0, "a queue name")));
                    return null;
                }).returns("void");
        r.add("sem", "([name] [name opts])", """
                Opens the POSIX named semaphore name ("/lock") and returns it. Options: :create (make it \
                when absent), :exclusive (with :create: fail when it exists), :value (a new semaphore's \
                value, default 1: a mutex), :mode (default 0600), :temp (remove the name when the shell \
                exits if this call created it; without it the semaphore stays until sem-unlink). Use it \
                with sem-wait, sem-try, sem-post and sem-value, or the with-sem form: \
                (with-sem s body...) waits, runs body and posts in a finally. (close s) releases this \
                shell's handle; sem-unlink removes the name.""",
                a -> {
                    String name = IpcNames.posix("sem", a.arity(1, 2).string(0, "a semaphore name like \"/lock\""));
                    Options o = a.options(1).only("create", "exclusive", "value", "mode", "temp");
                    long value = o.count("value", 1, 0, Integer.MAX_VALUE);
                    return Semaphore.open(name, o.flag("create", false), o.flag("exclusive", false), o.mode("mode", 0600),
                            value, o.flag("temp", false));
                }).returns("any");
        r.add("sem-wait", "([s] [s opts])", """
                Decrements the semaphore s, waiting while its value is 0. {:timeout ms} bounds the wait \
                (then a timeout error); Ctrl-C breaks it. A semaphore has no descriptor to poll: the wait \
                is sem_timedwait in 50 ms slices with a Ctrl-C check between them (a post wakes it at \
                once). Returns true.""",
                a -> {
                    Semaphore s = sem(a);
                    Options o = a.options(1).only("timeout");
                    s.await(o.duration("timeout", -1));
                    return true;
                }).returns("boolean");
        r.add("sem-try", "([s])", """
                Decrements the semaphore s if its value is above 0 and returns true; returns false at \
                once when it is 0.""",
                a -> sem(a.arity(1, 1)).tryAcquire()).returns("boolean");
        r.add("sem-post", "([s])", """
                Increments the semaphore s, waking one waiter. Returns nil.""",
                a -> {
                    sem(a.arity(1, 1)).post();
                    return null;
                }).returns("void");
        r.add("sem-value", "([s])", """
                The semaphore's current value.""",
                a -> sem(a.arity(1, 1)).value()).returns("number");
        r.add("sem-unlink", "([name])", """
                Removes the POSIX semaphore name; processes that have it open keep using it. Returns nil.""",
                a -> {
                    Semaphore.unlink(IpcNames.posix("sem-unlink", a.arity(1, 1).string(0, "a semaphore name")));
                    return null;
                }).returns("void");
        r.add("sysv-mq", "([key] [key opts])", """
                Opens the System V message queue with key: an integer (0x1234), a key as ipcs and (ipcs) \
                print it ("0x00001234": 0x and eight hex digits), or a path turned into a key as ftok(3) does (with :proj, default 1, so a C program's ftok(path, proj) finds the \
                same queue); or nil and {:id n} to attach by the id ipcs -q shows. (send q data {:type \
                7}) sends a message of type 7 (default 1); (recv q) receives the oldest message, (recv q \
                {:type 7}) the oldest of type 7 (a negative type: the lowest type up to its absolute \
                value, as msgrcv(2)), as {:data ... :type t}. Options: :create, :exclusive, :mode (default \
                0600), :encoding :binary (recv returns bytes; default text, UTF-8), :temp (remove the \
                queue when the shell exits if this call created it; without it the queue stays until \
                sysv-mq-remove). It has no descriptor: a wait retries with IPC_NOWAIT after \
                short sleeps (1 ms doubling to 16 ms), bounded by :timeout and broken by Ctrl-C. \
                sysv-mq-remove removes it.""",
                a -> {
                    a.arity(1, 2);
                    Options o = a.options(1).only("create", "exclusive", "mode", "encoding", "temp", "proj", "id");
                    boolean binary = sysvBinary(o.word("encoding", "utf-8"));
                    if (a.get(0) == null) {
                        if (!o.has("id")) throw a.wrongType(0, "a key (an integer or a path), or nil with {:id n}");
                        return SysvQueue.byId((int) o.count("id", 0, 0, Integer.MAX_VALUE), binary);
                    }
                    int key = IpcNames.sysvKey("sysv-mq", a.get(0) instanceof String ? a.string(0, "a key path") : a.get(0),
                            (int) o.integer("proj", 1));
                    return SysvQueue.open(key, o.flag("create", false), o.flag("exclusive", false), o.mode("mode", 0600),
                            binary, o.flag("temp", false));
                }).returns("any");
        r.add("sysv-mq-remove", "([q])", """
                Removes the System V message queue q (msgctl IPC_RMID) and the messages in it, for every \
                process. Returns nil.""",
                a -> {
                    if (!(a.arity(1, 1).get(0) instanceof SysvQueue q)) throw a.wrongType(0, "a System V queue (from sysv-mq)");
                    q.remove();
                    return null;
                }).returns("void");
        r.add("ipcs", "([] [opts])", """
                Lists the kernel IPC objects that exist, as a vector of maps: POSIX queues (:kind :mq, \
                from /dev/mqueue, :size the bytes queued), POSIX segments and semaphores (:shm, :sem, from \
                /dev/shm) and System V segments, queues and semaphore sets (:sysv-shm, :sysv-mq, \
                :sysv-sem, named as the builtins that open them; from /proc/sysvipc, with :key as ipcs \
                prints it, "0x00001234", :id, :messages, :creator-pid where the kernel keeps them). Each \
                has :owner and :mode, and :holders, the processes that have it open or mapped ([{:pid \
                :command}], from /proc/PID/fd and /proc/PID/maps; an ipcsh process shows as "ipcsh \
                SCRIPT ARGS"; System V queues and semaphores are not held that way, so theirs is empty). \
                Every row's keys come in one order. Filters: {:kind :mq} (:sysv-msg, the old name, still \
                means :sysv-mq), {:name "/jobs"}, or {:name key} (an integer or "0x00001234").""",
                a -> {
                    Options o = a.arity(0, 1).options(0).only("kind", "name");
                    String kind = o.word("kind", null);
                    if ("sysv-msg".equals(kind)) kind = "sysv-mq"; // the name rows had before they were named as the builtin
                    if (kind != null && !KINDS.contains(kind)) {
                        throw new IpcException("ipcs: :kind must be one of :mq :shm :sem :sysv-shm :sysv-mq :sysv-sem, not :" + kind);
                    }
                    Object name = o.get("name");
                    if (name instanceof String s) ipcsh.ArgCheck.noNul("ipcs", "option :name", s);
                    if (name != null && !(name instanceof String) && !(name instanceof Number)) {
                        throw new IpcException("ipcs: :name must be a name like \"/jobs\" or a System V key, not " + Args.describe(name));
                    }
                    return Ipcs.list(kind, name);
                }).returns("any");
    }

    /** A System V queue's data is bytes or UTF-8 text; any other :encoding is an error, before the queue is made. */
    private static boolean sysvBinary(String encoding) {
        if (encoding.equals("binary")) return true;
        if (encoding.equalsIgnoreCase("utf-8") || encoding.equalsIgnoreCase("utf8")) return false;
        throw new IpcException("sysv-mq: option :encoding must be :binary or :utf-8, not :" + encoding);
    }

    private static Semaphore sem(Args a) {
        if (a.get(0) instanceof Semaphore s) return s;
        throw a.wrongType(0, "a semaphore (from sem)");
    }
}
