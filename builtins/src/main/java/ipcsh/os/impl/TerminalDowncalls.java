package ipcsh.os.impl;

import ipcsh.os.OsException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** stdlib.h's pseudo-terminal calls, termios.h and sys/ioctl.h: pty masters, window sizes, raw mode, isatty. */
abstract class TerminalDowncalls extends IpcDowncalls {
    private final Link isatty = plain("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private final Link posixOpenpt = errnoCall("posix_openpt", JAVA_INT, JAVA_INT);
    private final Link grantpt = errnoCall("grantpt", JAVA_INT, JAVA_INT);
    private final Link unlockpt = errnoCall("unlockpt", JAVA_INT, JAVA_INT);
    private final Link ptsnameR = plain("ptsname_r", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    private final Link ioctlPtr = linkedOnFirstCall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO_CAPTURE, Linker.Option.firstVariadicArg(2));
    private final Link tcgetattr = errnoCall("tcgetattr", JAVA_INT, JAVA_INT, ADDRESS);
    private final Link tcsetattr = errnoCall("tcsetattr", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private final Link cfmakeraw = plain("cfmakeraw", FunctionDescriptor.ofVoid(ADDRESS));
    private static final int TERMIOS_SIZE = 60;

    @Override
    public boolean isatty(int fd) {
        try {
            return (int) isatty.get().invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private int intCall(Link h, String call, String subject, int arg) {
        MemorySegment st = state.get();
        try {
            int r = (int) h.get().invokeExact(st, arg);
            if (r < 0) throw new OsException(call, subject, errno(st));
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public int posixOpenpt(int flags) {
        return intCall(posixOpenpt, "posix_openpt", null, flags);
    }

    @Override
    public void grantpt(int master) {
        intCall(grantpt, "grantpt", "fd " + master, master);
    }

    @Override
    public void unlockpt(int master) {
        intCall(unlockpt, "unlockpt", "fd " + master, master);
    }

    @Override
    public String ptsname(int master) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(128);
            int r = (int) ptsnameR.get().invokeExact(master, buf, 128L);
            if (r != 0) throw new OsException("ptsname_r", "fd " + master, r);
            return buf.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void ioctl(int fd, long request, MemorySegment arg, String call) {
        MemorySegment st = state.get();
        try {
            int r = (int) ioctlPtr.get().invokeExact(st, fd, request, arg);
            if (r < 0) throw new OsException(call, "fd " + fd, errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void setWindowSize(int fd, int rows, int cols) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ws = a.allocate(8, 2);
            ws.set(JAVA_SHORT, 0, (short) rows);
            ws.set(JAVA_SHORT, 2, (short) cols);
            ioctl(fd, TIOCSWINSZ, ws, "ioctl TIOCSWINSZ");
        }
    }

    @Override
    public int[] getWindowSize(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ws = a.allocate(8, 2);
            ioctl(fd, TIOCGWINSZ, ws, "ioctl TIOCGWINSZ");
            return new int[] {Short.toUnsignedInt(ws.get(JAVA_SHORT, 0)), Short.toUnsignedInt(ws.get(JAVA_SHORT, 2))};
        }
    }

    @Override
    public byte[] tcgetattr(int fd) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(TERMIOS_SIZE, 4);
            int r = (int) tcgetattr.get().invokeExact(st, fd, t);
            if (r < 0) throw new OsException("tcgetattr", "fd " + fd, errno(st));
            return t.toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public void tcsetattr(int fd, int action, byte[] termios) {
        MemorySegment st = state.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(TERMIOS_SIZE, 4);
            t.copyFrom(MemorySegment.ofArray(termios));
            int r = (int) tcsetattr.get().invokeExact(st, fd, action, t);
            if (r < 0) throw new OsException("tcsetattr", "fd " + fd, errno(st));
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public void cfmakeraw(byte[] termios) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(TERMIOS_SIZE, 4);
            t.copyFrom(MemorySegment.ofArray(termios));
            cfmakeraw.get().invokeExact(t);
            MemorySegment.ofArray(termios).copyFrom(t);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }
}
