package ipcsh.dbus;

import ipcsh.loop.EventLoop;
import ipcsh.registry.Args;
import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** A dbus-daemon of the test's own in a private directory, and the python3 echo service on it; stopped and removed by close. */
final class PrivateBus implements AutoCloseable {
    final Path dir;
    final String address;
    final Process daemon;
    Process echo;

    PrivateBus() throws IOException {
        dir = Files.createTempDirectory("ipcsh-dbus-test");
        address = "unix:path=" + dir.resolve("bus");
        daemon = new ProcessBuilder("dbus-daemon", "--session", "--address=" + address, "--print-address", "--nofork")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    /** Starts echo_service.py and waits until it owns org.example.Echo. */
    Process startEcho() throws IOException {
        Path script = dir.resolve("echo_service.py");
        try (var in = PrivateBus.class.getResourceAsStream("/echo_service.py")) {
            Files.write(script, in.readAllBytes());
        }
        echo = new ProcessBuilder("/usr/bin/python3", script.toString(), address).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!"ready".equals(line)) throw new IOException("echo service did not start: " + line);
        return echo;
    }

    @Override
    public void close() throws Exception {
        for (Process p : new Process[] {echo, daemon}) {
            if (p == null) continue;
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Object call(String name, Object... args) {
        Builtin b = Registry.standard().get(name);
        if (b == null) throw new AssertionError("no builtin " + name);
        return b.impl().call(new Args(b, args));
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

    /** Runs cmd to its end while the loop serves this shell's exports; its output and status. */
    static String[] run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        loopUntil(() -> !p.isAlive(), 20_000);
        return new String[] {new String(out.readAllBytes(), StandardCharsets.UTF_8),
                new String(err.readAllBytes(), StandardCharsets.UTF_8), String.valueOf(p.waitFor())};
    }
}
