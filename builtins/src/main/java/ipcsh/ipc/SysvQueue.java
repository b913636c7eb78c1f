package ipcsh.ipc;

import ipcsh.IpcException;
import ipcsh.chan.TimeoutError;
import ipcsh.chan.Waiter;
import ipcsh.os.AtExit;
import ipcsh.os.Errno;
import ipcsh.os.LibC;
import ipcsh.os.OsException;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A System V message queue (msgget). It has no descriptor to poll, so a send that finds the
 * queue full and a receive that finds no matching message retry with IPC_NOWAIT after short
 * sleeps (1 ms doubling to {@value #MAX_SLEEP_MS} ms) in {@link Waiter#sleep}, which Ctrl-C
 * breaks; the deadline is checked between tries. The reactor thread runs on meanwhile.
 */
public final class SysvQueue {
    private static final int MAX_SLEEP_MS = 16;
    private final int key;
    private final int id;
    private final boolean binary;
    private final int maxMessage;
    private boolean removed;

    private SysvQueue(int key, int id, boolean binary) {
        this.key = key;
        this.id = id;
        this.binary = binary;
        this.maxMessage = (int) readLong("/proc/sys/kernel/msgmax", 8192);
    }

    /** msgget for key; create adds IPC_CREAT (exclusive: IPC_EXCL) with perms. */
    public static SysvQueue open(int key, boolean create, boolean exclusive, int perms, boolean binary, boolean temp) {
        int id;
        boolean created = false;
        try {
            if (create) {
                // IPC_EXCL first, so the shell knows whether the queue is its own (only then may :temp remove it)
                try {
                    id = LibC.get().msgget(key, (perms & 0777) | LibC.IPC_CREAT | LibC.IPC_EXCL);
                    created = true;
                } catch (OsException e) {
                    if (e.errno() != Errno.EEXIST || exclusive) throw e;
                    id = LibC.get().msgget(key, perms & 0777);
                }
            } else {
                id = LibC.get().msgget(key, perms & 0777);
            }
        } catch (OsException e) {
            String hint = switch (e.errno()) {
                case Errno.ENOENT -> "no queue has this key; {:create true} makes it";
                case Errno.EEXIST -> "a queue with this key exists already and :exclusive was given";
                case Errno.ENOSPC -> "the system's limit on queues is reached: /proc/sys/kernel/msgmni is "
                        + readLong("/proc/sys/kernel/msgmni", -1);
                default -> null;
            };
            throw new OsException("sysv-mq", String.format("key 0x%08x", key), e.errno(), hint);
        }
        SysvQueue q = new SysvQueue(key, id, binary);
        int made = id;
        if (created && temp) AtExit.register(q.atExitKey(), () -> {
            try {
                LibC.get().msgctlRemove(made);
            } catch (OsException ignored) {
                // removed already
            }
        });
        return q;
    }

    /** Attaches to the queue with this id (as ipcs -q shows it), checking that it exists. */
    public static SysvQueue byId(int id, boolean binary) {
        for (Map<String, Object> m : Ipcs.sysv("msg")) {
            if (((Number) m.get("id")).intValue() == id) return new SysvQueue(((Number) m.get("key")).intValue(), id, binary);
        }
        throw new OsException("sysv-mq", "id " + id, Errno.EINVAL, "no System V message queue has this id");
    }

    private String atExitKey() {
        return "sysv-msg:" + id;
    }

    static long readLong(String path, long dflt) {
        return ipcsh.os.ProcFiles.number(path, dflt);
    }

    public int key() { return key; }
    public int id() { return id; }

    /** Sends data as one message of type mtype (positive); waits while the queue is full, up to timeoutMs. */
    public void send(Object data, long mtype, long timeoutMs) {
        check("send");
        if (mtype <= 0) throw new IpcException("send " + describe() + ": :type must be a positive integer, not " + mtype);
        byte[] b = data instanceof byte[] bytes ? bytes : String.valueOf(data == null ? "" : data).getBytes(StandardCharsets.UTF_8);
        if (b.length > maxMessage) {
            throw new IpcException("send " + describe() + ": a message of " + b.length + " bytes exceeds /proc/sys/kernel/msgmax ("
                    + maxMessage + ")", Map.of("errno", "EINVAL"));
        }
        long deadline = Waiter.deadline(timeoutMs);
        int sleep = 1;
        while (true) {
            boolean sent;
            try {
                sent = LibC.get().msgsnd(id, b, 0, b.length, mtype, LibC.IPC_NOWAIT);
            } catch (OsException e) {
                throw failure("send", e);
            }
            if (sent) return;
            if (System.nanoTime() > deadline) throw new TimeoutError("send " + describe() + " (queue full)", timeoutMs);
            Waiter.sleep(sleep, "send " + describe());
            sleep = Math.min(sleep * 2, MAX_SLEEP_MS);
        }
    }

    /**
     * Receives the first message whose type matches mtype as msgrcv(2) reads it (0: any, negative:
     * the lowest type up to |mtype|): {:data :type}, waiting up to timeoutMs; null when nonblocking
     * and none matches.
     */
    public Map<String, Object> receive(long mtype, long timeoutMs, boolean nonblock) {
        check("recv");
        long deadline = Waiter.deadline(timeoutMs);
        byte[] buf = new byte[maxMessage];
        long[] type = new long[1];
        int sleep = 1;
        while (true) {
            int n;
            try {
                n = LibC.get().msgrcv(id, buf, mtype, LibC.IPC_NOWAIT, type);
            } catch (OsException e) {
                throw failure("recv", e);
            }
            if (n >= 0) {
                byte[] data = java.util.Arrays.copyOf(buf, n);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("data", binary ? data : new String(data, StandardCharsets.UTF_8));
                m.put("type", type[0]);
                return m;
            }
            if (nonblock) return null;
            if (System.nanoTime() > deadline) throw new TimeoutError("recv " + describe(), timeoutMs);
            Waiter.sleep(sleep, "recv " + describe());
            sleep = Math.min(sleep * 2, MAX_SLEEP_MS);
        }
    }

    private OsException failure(String verb, OsException e) {
        String hint = e.errno() == Errno.EINVAL || e.errno() == Errno.EIDRM ? "the queue was removed" : null;
        return new OsException(verb, describe(), e.errno(), hint);
    }

    private void check(String verb) {
        if (removed) throw new IpcException(verb + " " + describe() + ": the queue was removed");
    }

    /** msgctl IPC_RMID: the queue and its messages go, for every process. */
    public void remove() {
        check("sysv-mq-remove");
        AtExit.cancel(atExitKey());
        try {
            LibC.get().msgctlRemove(id);
        } catch (OsException e) {
            throw new OsException("sysv-mq-remove", describe(), e.errno());
        }
        removed = true;
    }

    /** For messages: "sysv-mq id 3 (key 0x00001234)". */
    public String describe() {
        return String.format("sysv-mq id %d (key 0x%08x)", id, key);
    }

    @Override
    public String toString() {
        return String.format("#<sysv-mq key 0x%08x id %d%s>", key, id, removed ? " removed" : "");
    }
}
