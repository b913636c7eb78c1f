package ipcsh.groups;

import ipcsh.Keyword;
import ipcsh.loop.EventLoop;
import ipcsh.registry.Args;
import ipcsh.registry.Builtin;
import ipcsh.Callback;
import ipcsh.registry.Registry;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** Test helpers: calling builtins as a language binding would, driving the loop, real peers. */
final class T {
    private T() {}

    static Object call(String name, Object... args) {
        Builtin b = Registry.standard().get(name);
        if (b == null) throw new AssertionError("no builtin " + name);
        return b.impl().call(new Args(b, args));
    }

    static Callback fn(Consumer<Object[]> body) {
        return xs -> {
            body.accept(xs);
            return null;
        };
    }

    static Keyword kw(String name) {
        return Keyword.of(name);
    }

    static Map<String, Object> opts(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** Serves the process-wide loop on this thread (the interpreter thread) until done or ms pass. */
    static boolean loopUntil(BooleanSupplier done, long ms) {
        try {
            return EventLoop.main().runUntil(done, ms, "test");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static Process start(String... cmd) throws IOException {
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    static void kill(Process p) throws InterruptedException {
        if (p == null) return;
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits (bounded) until something listens on the tcp port, without connecting to it. */
    static void awaitTcpListener(int port) throws Exception {
        String hex = String.format(Locale.ROOT, ":%04X ", port);
        awaitTrue(() -> {
            for (String f : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                for (String line : read(f)) {
                    String[] c = line.trim().split("\\s+");
                    if (c.length > 3 && (c[1] + " ").contains(hex) && c[3].equals("0A")) return true;
                }
            }
            return false;
        }, "a listener on tcp port " + port);
    }

    /** Waits (bounded) until a udp socket is bound to the port. */
    static void awaitUdp(int port) throws Exception {
        String hex = String.format(Locale.ROOT, ":%04X ", port);
        awaitTrue(() -> {
            for (String f : List.of("/proc/net/udp", "/proc/net/udp6")) {
                for (String line : read(f)) {
                    String[] c = line.trim().split("\\s+");
                    if (c.length > 3 && (c[1] + " ").contains(hex)) return true;
                }
            }
            return false;
        }, "a udp socket on port " + port);
    }

    /** Waits (bounded) until a unix socket path (or "@name") is bound. */
    /**
     * Until a peer's unix socket takes connections: the socket file appears at bind, a moment
     * before listen, so a stream socket counts once /proc/net/unix shows __SO_ACCEPTCON (0x10000)
     * in its Flags; a datagram socket (Type 0002) once it is bound.
     */
    static void awaitUnix(String name) throws Exception {
        awaitTrue(() -> {
            for (String line : read("/proc/net/unix")) {
                if (!line.endsWith(" " + name)) continue;
                String[] f = line.trim().split("\\s+"); // Num RefCount Protocol Flags Type St Inode Path
                if (f.length < 7) continue;
                if (f[4].equals("0002") || (Long.parseLong(f[3], 16) & 0x10000) != 0) return true;
            }
            return false;
        }, "unix socket " + name + " listening");
    }

    /** Bounded by 30 s: on a loaded 2-core machine a python3 peer can take over 5 s to start listening; a wait that returns as soon as its condition holds costs a passing run nothing. */
    static void awaitTrue(BooleanSupplier cond, String what) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    private static List<String> read(String f) {
        try {
            return Files.readAllLines(Path.of(f));
        } catch (IOException e) {
            return List.of();
        }
    }

    static int openFds() {
        String[] l = new File("/proc/self/fd").list();
        return l == null ? -1 : l.length;
    }

    static String tmp(String name) {
        return "/tmp/ipcsh-test-" + ProcessHandle.current().pid() + "-" + name;
    }
}
