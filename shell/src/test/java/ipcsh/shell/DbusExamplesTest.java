package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The D-Bus examples and error output through the launcher, each against a dbus-daemon of
 * the test's own (its address given as the example's argument), with busctl, dbus-send and
 * python3-dbus as the peers.
 */
@Timeout(120)
class DbusExamplesTest {
    private Path dir;
    private String address;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void startBus() throws IOException {
        dir = Files.createTempDirectory("ipcsh-dbus-examples");
        address = "unix:path=" + dir.resolve("bus");
        Process daemon = new ProcessBuilder("dbus-daemon", "--session", "--address=" + address, "--print-address", "--nofork")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(daemon);
        new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : started.reversed()) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String example(String name) {
        return IpcshProcess.repo().resolve("examples").resolve(name).toString();
    }

    private static String[] run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new String[] {out, err, String.valueOf(p.exitValue())};
    }

    private Process startIpcsh(BufferedReader[] out, String... args) throws IOException {
        Process p = IpcshProcess.start(args);
        started.add(p);
        out[0] = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return p;
    }

    @Test
    void namesListsTheBusWithProcesses() throws Exception {
        Process py = new ProcessBuilder("/usr/bin/python3", "-c",
                "import dbus, sys; b = dbus.bus.BusConnection(sys.argv[1]); b.request_name('org.example.Listed'); print('ready', flush=True); sys.stdin.read()",
                address).start();
        started.add(py);
        assertEquals("ready", new BufferedReader(new InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8)).readLine());
        Result r = IpcshProcess.run(example("dbus-names.ipcs"), address);
        assertEquals(0, r.status(), r.err());
        String listed = r.out().lines().filter(l -> l.startsWith("org.example.Listed ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(listed.matches("org\\.example\\.Listed +" + py.pid() + "  /usr/bin/python3 -c .*"), listed);
        assertTrue(r.out().contains("org.freedesktop.DBus "), r.out());
    }

    @Test
    void watchOwnersSeesANameComeAndGo() throws Exception {
        BufferedReader[] out = new BufferedReader[1];
        Process w = startIpcsh(out, example("dbus-watch-owners.ipcs"), address, "4");
        assertEquals("watching NameOwnerChanged on org.freedesktop.DBus", out[0].readLine());
        String[] r = run("/usr/bin/python3", "-c", "import dbus, sys; b = dbus.bus.BusConnection(sys.argv[1]); "
                + "b.request_name('org.example.Watched'); print(b.get_unique_name())", address);
        String unique = r[0].trim();
        assertEquals(List.of(unique + ": (none) -> " + unique, "org.example.Watched: (none) -> " + unique,
                "org.example.Watched: " + unique + " -> (none)", unique + ": " + unique + " -> (none)"),
                List.of(out[0].readLine(), out[0].readLine(), out[0].readLine(), out[0].readLine()));
        assertTrue(w.waitFor(20, TimeUnit.SECONDS), "the watch ends after 4 changes");
        assertEquals(0, w.exitValue());
    }

    @Test
    void counterServiceAnswersBusctl() throws Exception {
        counter("dbus-counter.ipcs", "serving org.example.Counter on :1.");
    }

    @Test
    void counterServiceInJavaScriptAnswersBusctl() throws Exception {
        counter("js/dbus-counter.js", "serving org.example.Counter among ");
    }

    private void counter(String example, String ready) throws Exception {
        BufferedReader[] out = new BufferedReader[1];
        Process s = startIpcsh(out, example(example), address);
        String first = out[0].readLine();
        assertTrue(first != null && first.startsWith(ready), first);
        String a = "--address=" + address, obj = "/org/example/Counter", iface = "org.example.Counter";
        assertEquals("i 5\n", run("busctl", a, "call", iface, obj, iface, "Add", "i", "5")[0]);
        assertEquals("i 7\n", run("busctl", a, "call", iface, obj, iface, "Add", "i", "2")[0]);
        assertEquals("i 7\n", run("busctl", a, "get-property", iface, obj, iface, "Count")[0]);
        String[] intro = run("busctl", a, "introspect", iface, obj);
        assertTrue(intro[0].matches("(?s).*\\.Add +method +i +i .*\\.Count +property +i +7 .*\\.Changed +signal +i .*"), intro[0]);
        String[] neg = run("dbus-send", "--bus=" + address, "--print-reply", "--dest=" + iface, obj, iface + ".Add", "int32:-100");
        assertEquals("Error org.example.Counter.Error.Negative: the count cannot go below 0 (it is 7)\n", neg[1]);
        run("busctl", a, "call", iface, obj, iface, "Quit");
        assertTrue(s.waitFor(20, TimeUnit.SECONDS), "Quit ends the service");
        assertEquals(0, s.exitValue(), new String(s.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aMissingBusIsOneLine() {
        Result r = IpcshProcess.run("-e", "(dbus \"unix:path=" + dir.resolve("none") + "\")");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("dbus: cannot connect to unix:path=" + dir.resolve("none") + ": "
                + dir.resolve("none") + ": no such file or directory"), r.err());
    }

    @Test
    void aScriptThatNeverTouchesDbusLoadsNoneOfIt() throws Exception {
        List<String> cmd = IpcshProcess.command(List.of(), "-e", "(+ 1 2)");
        cmd.add(1, "-Xlog:class+load");
        Process p = new ProcessBuilder(cmd).directory(IpcshProcess.repo().toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(out.contains("ipcsh.dbus.DbusBuiltins"), "the group registers");
        assertTrue(out.lines().noneMatch(l -> l.contains("org.freedesktop.dbus") || l.contains("ipcsh.dbus.DbusVerbs")),
                out.lines().filter(l -> l.contains("dbus")).toList().toString());
    }
}
