package ipcsh.os.impl;

import ipcsh.os.OsException;
import ipcsh.os.SigAction;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** signal.h: kill, sigaction and the hand-written SA_SIGINFO trampoline that forwards a siginfo_t to a pipe. */
abstract class SignalDowncalls extends TerminalDowncalls {
    private final Link kill = errnoCall("kill", JAVA_INT, JAVA_INT, JAVA_INT);
    private final Link sigactionCall = errnoCall("sigaction", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private final Link mprotect = errnoCall("mprotect", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final int PROT_EXEC = 4, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, CODE_PAGE = 4096;

    /** offsetof(ucontext_t, uc_sigmask) on x86_64: uc_flags, uc_link, uc_stack (24), uc_mcontext (256). */
    private static final int UC_SIGMASK = 296;
    private static final boolean X86_64 = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));

    @Override
    public void kill(int pid, int signal) {
        MemorySegment st = state.get();
        try {
            int r = (int) kill.get().invokeExact(st, pid, signal);
            if (r < 0) throw new OsException("kill", "pid " + pid, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public byte[] sigaction(int sig, byte[] act) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment in = MemorySegment.NULL;
            if (act != null) {
                in = a.allocate(SigAction.SIZE, 8);
                in.copyFrom(MemorySegment.ofArray(act));
            }
            MemorySegment old = a.allocate(SigAction.SIZE, 8);
            int r = (int) sigactionCall.get().invokeExact(st, sig, in, old);
            if (r < 0) throw new OsException("sigaction", "signal " + sig, errno(st));
            return old.toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public long sigInfoForwarder(int fd, int tid) {
        if (!X86_64) return 0;
        // In: edi the signal, rsi the siginfo_t*, rdx the ucontext_t*. The syscall instruction
        // leaves rdi, rsi and rdx alone and never touches libc's errno.
        byte[] code = {
            (byte) 0xb8, (byte) 186, 0, 0, 0,                                                     // mov eax, SYS_gettid
            0x0f, 0x05,                                                                         // syscall
            0x3d, (byte) tid, (byte) (tid >>> 8), (byte) (tid >>> 16), (byte) (tid >>> 24),       // cmp eax, tid
            0x74, 18,                                                                           // je write
            (byte) 0x8d, 0x4f, (byte) 0xff,                                                     // lea ecx, [rdi-1]
            (byte) 0xb8, 1, 0, 0, 0,                                                            // mov eax, 1
            0x48, (byte) 0xd3, (byte) 0xe0,                                                     // shl rax, cl
            0x48, 0x09, (byte) 0x82, (byte) UC_SIGMASK, UC_SIGMASK >>> 8, 0, 0,                 // or [rdx+uc_sigmask], rax
            (byte) 0xbf, (byte) fd, (byte) (fd >>> 8), (byte) (fd >>> 16), (byte) (fd >>> 24),  // write: mov edi, fd
            (byte) 0xb8, 1, 0, 0, 0,                                                            // mov eax, SYS_write
            (byte) 0xba, (byte) SigAction.SIGINFO_SIZE, 0, 0, 0,                                          // mov edx, 128
            0x0f, 0x05,                                                                         // syscall
            (byte) 0xc3};                                                                       // ret
        MemorySegment st = state.get();
        try {
            MemorySegment page = (MemorySegment) mmap.get().invokeExact(st, MemorySegment.NULL, (long) CODE_PAGE,
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            if (page.address() == MAP_FAILED) throw new OsException("mmap", "signal handler page", errno(st));
            page = page.reinterpret(CODE_PAGE);
            page.copyFrom(MemorySegment.ofArray(code));
            int r = (int) mprotect.get().invokeExact(st, page, (long) CODE_PAGE, PROT_READ | PROT_EXEC);
            if (r < 0) throw new OsException("mprotect", "signal handler page", errno(st));
            return page.address();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
