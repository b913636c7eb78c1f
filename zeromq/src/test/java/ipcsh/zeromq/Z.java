package ipcsh.zeromq;

import ipcsh.Callback;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.loop.EventLoop;
import ipcsh.registry.Args;
import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** Test helpers: builtins called as a binding calls them, the loop served on this thread, python3 peers. */
final class Z {
    private Z() {}

    static final String PYTHON = "/usr/bin/python3";

    static Object call(String name, Object... args) {
        Builtin b = Registry.standard().get(name);
        if (b == null) throw new AssertionError("no builtin " + name);
        return b.impl().call(new Args(b, args));
    }

    static Channel zmq(List<Channel> open, String type, Object... kv) {
        Channel ch = (Channel) call("zmq", Keyword.of(type), opts(kv));
        open.add(ch);
        return ch;
    }

    static Callback fn(Consumer<Object[]> body) {
        return xs -> {
            body.accept(xs);
            return null;
        };
    }

    static Map<String, Object> opts(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static boolean loopUntil(BooleanSupplier done, long ms) {
        try {
            return EventLoop.main().runUntil(done, ms, "test");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The python peer script named (src/test/python), with its arguments; stdout and stderr to a file. */
    static Py python(String script, Object... args) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, Path.of("src/test/python", script).toAbsolutePath().toString()));
        for (Object a : args) cmd.add(String.valueOf(a));
        try {
            Path out = Files.createTempFile("ipcsh-zmq-peer", ".out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            return new Py(p, out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    record Py(Process process, Path out) implements AutoCloseable {
        String output() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                return "";
            }
        }

        int waitFor(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) throw new AssertionError("python peer still running: " + output());
            return process.exitValue();
        }

        /** Serves the loop while waiting for the peer to end (its messages may need the loop). */
        int waitServing(long ms) {
            if (!loopUntil(() -> !process.isAlive(), ms)) throw new AssertionError("python peer still running: " + output());
            return process.exitValue();
        }

        @Override
        public void close() throws IOException {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // ending anyway
            }
            Files.deleteIfExists(out);
        }
    }
}
