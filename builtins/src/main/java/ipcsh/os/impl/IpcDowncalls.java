package ipcsh.os.impl;

import ipcsh.os.Errno;
import ipcsh.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** sys/mman.h, sys/shm.h, mqueue.h, semaphore.h, sys/msg.h: POSIX and System V shared memory, queues and semaphores. */
abstract class IpcDowncalls extends SocketDowncalls {
    private final Link shmOpen = errnoCall("shm_open", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private final Link shmUnlink = errnoCall("shm_unlink", JAVA_INT, ADDRESS);
    final Link mmap = errnoCall("mmap", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG);
    private final Link munmap = plain("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private final Link msync = errnoCall("msync", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private final Link shmget = errnoCall("shmget", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private final Link shmat = errnoCall("shmat", ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    private final Link shmdt = plain("shmdt", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final Link shmctl = errnoCall("shmctl", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);

    /** sizeof(struct shmid_ds) on 64-bit Linux is 112; 256 leaves room. shm_segsz follows the 48-byte ipc_perm. */
    private static final int SHMID_DS_SIZE = 256, SHM_SEGSZ_OFFSET = 48;
    static final long MAP_FAILED = -1L;

    @Override
    public int shmOpen(String name, int oflag, int mode) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = CString.of(a, "shm_open", name);
            while (true) {
                int fd = (int) shmOpen.get().invokeExact(st, p, oflag, mode);
                if (fd >= 0) return fd;
                int e = errno(st);
                if (e != EINTR) throw new OsException("shm_open", name, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void shmUnlink(String name) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            int r = (int) shmUnlink.get().invokeExact(st, CString.of(a, "shm_unlink", name));
            if (r < 0) throw new OsException("shm_unlink", name, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public MemorySegment mmap(long length, int prot, int flags, int fd, long offset, Arena arena) {
        MemorySegment st = state.get();
        try {
            MemorySegment p = (MemorySegment) mmap.get().invokeExact(st, MemorySegment.NULL, length, prot, flags, fd, offset);
            if (p.address() == MAP_FAILED) throw new OsException("mmap", "fd " + fd, errno(st));
            return p.reinterpret(length, arena, m -> unmap(m, length));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void unmap(MemorySegment m, long length) {
        try {
            int ignored = (int) munmap.get().invokeExact(m, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void msync(MemorySegment mapping, int flags) {
        MemorySegment st = state.get();
        try {
            int r = (int) msync.get().invokeExact(st, mapping, mapping.byteSize(), flags);
            if (r < 0) throw new OsException("msync", null, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int shmget(int key, long size, int flags) {
        MemorySegment st = state.get();
        try {
            int id = (int) shmget.get().invokeExact(st, key, size, flags);
            if (id < 0) throw new OsException("shmget", String.format("key 0x%08x", key), errno(st));
            return id;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public MemorySegment shmat(int shmid, long size, int flags, Arena arena) {
        MemorySegment st = state.get();
        try {
            MemorySegment p = (MemorySegment) shmat.get().invokeExact(st, shmid, MemorySegment.NULL, flags);
            if (p.address() == MAP_FAILED) throw new OsException("shmat", "id " + shmid, errno(st));
            return p.reinterpret(size, arena, this::detach);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void detach(MemorySegment m) {
        try {
            int ignored = (int) shmdt.get().invokeExact(m);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long shmctlSize(int shmid) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ds = a.allocate(SHMID_DS_SIZE, 8);
            int r = (int) shmctl.get().invokeExact(st, shmid, IPC_STAT, ds);
            if (r < 0) throw new OsException("shmctl", "id " + shmid, errno(st));
            return ds.get(JAVA_LONG, SHM_SEGSZ_OFFSET);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void shmctlRemove(int shmid) {
        MemorySegment st = state.get();
        try {
            int r = (int) shmctl.get().invokeExact(st, shmid, IPC_RMID, MemorySegment.NULL);
            if (r < 0) throw new OsException("shmctl", "id " + shmid, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Linked on first use: most sessions never touch a queue or a semaphore. */
    private static final class Queues {
        static final MethodHandle MQ_OPEN = LINKER.downcallHandle(symbol("mq_open"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), ERRNO_CAPTURE,
                Linker.Option.firstVariadicArg(2));
        static final Link MQ_GETATTR = errnoCall("mq_getattr", JAVA_INT, JAVA_INT, ADDRESS);
        static final Link MQ_SEND = critical("mq_send", JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final Link MQ_RECEIVE = critical("mq_receive", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);
        static final Link MQ_UNLINK = errnoCall("mq_unlink", JAVA_INT, ADDRESS);
        static final MethodHandle SEM_OPEN = LINKER.downcallHandle(symbol("sem_open"),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_CAPTURE,
                Linker.Option.firstVariadicArg(2));
        static final Link SEM_CLOSE = errnoCall("sem_close", JAVA_INT, ADDRESS);
        static final Link SEM_TIMEDWAIT = errnoCall("sem_timedwait", JAVA_INT, ADDRESS, ADDRESS);
        static final Link SEM_TRYWAIT = errnoCall("sem_trywait", JAVA_INT, ADDRESS);
        static final Link SEM_POST = errnoCall("sem_post", JAVA_INT, ADDRESS);
        static final Link SEM_GETVALUE = errnoCall("sem_getvalue", JAVA_INT, ADDRESS, ADDRESS);
        static final Link SEM_UNLINK = errnoCall("sem_unlink", JAVA_INT, ADDRESS);
        static final Link MSGGET = errnoCall("msgget", JAVA_INT, JAVA_INT, JAVA_INT);
        static final Link MSGSND = errnoCall("msgsnd", JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final Link MSGRCV = errnoCall("msgrcv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT);
        static final Link MSGCTL = errnoCall("msgctl", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    }

    private static MemorySegment semAt(long sem) {
        return MemorySegment.ofAddress(sem);
    }

    @Override
    public int mqOpen(String name, int flags, int mode, long maxMsg, long msgSize) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = MemorySegment.NULL;
            if (maxMsg > 0 && msgSize > 0) {
                attr = a.allocate(64, 8); // struct mq_attr: flags, maxmsg, msgsize, curmsgs, 4 reserved longs
                attr.set(JAVA_LONG, 8, maxMsg);
                attr.set(JAVA_LONG, 16, msgSize);
            }
            MemorySegment n = CString.of(a, "mq_open", name);
            while (true) {
                int fd = (int) Queues.MQ_OPEN.invokeExact(st, n, flags, mode, attr);
                if (fd >= 0) return fd;
                int e = errno(st);
                if (e != EINTR) throw new OsException("mq_open", name, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long[] mqGetattr(int mqd) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(64, 8);
            int r = (int) Queues.MQ_GETATTR.get().invokeExact(st, mqd, attr);
            if (r < 0) throw new OsException("mq_getattr", "fd " + mqd, errno(st));
            return new long[] {attr.get(JAVA_LONG, 0), attr.get(JAVA_LONG, 8), attr.get(JAVA_LONG, 16), attr.get(JAVA_LONG, 24)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int mqSend(int mqd, byte[] buf, int off, int len, int prio) {
        MemorySegment st = state.get();
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        try {
            while (true) {
                int r = (int) Queues.MQ_SEND.get().invokeExact(st, mqd, seg, (long) len, prio);
                if (r == 0) return 0;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("mq_send", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int mqReceive(int mqd, byte[] buf, int off, int len, int[] prio) {
        MemorySegment st = state.get();
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(off, len);
        MemorySegment p = MemorySegment.ofArray(prio);
        try {
            while (true) {
                long n = (long) Queues.MQ_RECEIVE.get().invokeExact(st, mqd, seg, (long) len, p);
                if (n >= 0) return (int) n;
                int e = errno(st);
                if (e == EAGAIN) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("mq_receive", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void mqUnlink(String name) {
        pathCall(Queues.MQ_UNLINK, "mq_unlink", name, 0, false);
    }

    @Override
    public long semOpen(String name, int flags, int mode, int value) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = CString.of(a, "sem_open", name);
            while (true) {
                MemorySegment s = (MemorySegment) Queues.SEM_OPEN.invokeExact(st, n, flags, mode, value);
                if (s.address() != 0) return s.address();
                int e = errno(st);
                if (e != EINTR) throw new OsException("sem_open", name, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void semClose(long sem) {
        semCall(Queues.SEM_CLOSE, "sem_close", sem);
    }

    @Override
    public boolean semTimedwait(long sem, long absNanos) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ts = a.allocate(16, 8);
            ts.set(JAVA_LONG, 0, Math.floorDiv(absNanos, 1_000_000_000L));
            ts.set(JAVA_LONG, 8, Math.floorMod(absNanos, 1_000_000_000L));
            int r = (int) Queues.SEM_TIMEDWAIT.get().invokeExact(st, semAt(sem), ts);
            if (r == 0) return true;
            int e = errno(st);
            if (e == Errno.ETIMEDOUT || e == EINTR) return false;
            throw new OsException("sem_timedwait", null, e);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public boolean semTrywait(long sem) {
        MemorySegment st = state.get();
        try {
            while (true) {
                int r = (int) Queues.SEM_TRYWAIT.get().invokeExact(st, semAt(sem));
                if (r == 0) return true;
                int e = errno(st);
                if (e == EAGAIN) return false;
                if (e != EINTR) throw new OsException("sem_trywait", null, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void semPost(long sem) {
        semCall(Queues.SEM_POST, "sem_post", sem);
    }

    private void semCall(Link h, String call, long sem) {
        MemorySegment st = state.get();
        try {
            int r = (int) h.get().invokeExact(st, semAt(sem));
            if (r < 0) throw new OsException(call, null, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int semGetvalue(long sem) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            int r = (int) Queues.SEM_GETVALUE.get().invokeExact(st, semAt(sem), v);
            if (r < 0) throw new OsException("sem_getvalue", null, errno(st));
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void semUnlink(String name) {
        pathCall(Queues.SEM_UNLINK, "sem_unlink", name, 0, false);
    }

    @Override
    public int msgget(int key, int flags) {
        MemorySegment st = state.get();
        try {
            int id = (int) Queues.MSGGET.get().invokeExact(st, key, flags);
            if (id < 0) throw new OsException("msgget", String.format("key 0x%08x", key), errno(st));
            return id;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public boolean msgsnd(int msqid, byte[] buf, int off, int len, long mtype, int flags) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(8L + len, 8); // struct msgbuf: long mtype; char mtext[]
            m.set(JAVA_LONG, 0, mtype);
            MemorySegment.copy(buf, off, m, ValueLayout.JAVA_BYTE, 8, len);
            while (true) {
                int r = (int) Queues.MSGSND.get().invokeExact(st, msqid, m, (long) len, flags);
                if (r == 0) return true;
                int e = errno(st);
                if (e == EAGAIN) return false;
                if (e != EINTR) throw new OsException("msgsnd", "id " + msqid, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int msgrcv(int msqid, byte[] buf, long msgtyp, int flags, long[] mtype) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(8L + buf.length, 8);
            while (true) {
                long n = (long) Queues.MSGRCV.get().invokeExact(st, msqid, m, (long) buf.length, msgtyp, flags);
                if (n >= 0) {
                    mtype[0] = m.get(JAVA_LONG, 0);
                    MemorySegment.copy(m, ValueLayout.JAVA_BYTE, 8, buf, 0, (int) n);
                    return (int) n;
                }
                int e = errno(st);
                if (e == Errno.ENOMSG) return WOULD_BLOCK;
                if (e != EINTR) throw new OsException("msgrcv", "id " + msqid, e);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void msgctlRemove(int msqid) {
        MemorySegment st = state.get();
        try {
            int r = (int) Queues.MSGCTL.get().invokeExact(st, msqid, IPC_RMID, MemorySegment.NULL);
            if (r < 0) throw new OsException("msgctl", "id " + msqid, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
