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

    /** A python3-dbus service that calls back into the caller's export, then signals. */
    private static final String CALLBACK_SERVICE = """
            import os, sys, dbus, dbus.service, dbus.bus
            from dbus.mainloop.glib import DBusGMainLoop
            from gi.repository import GLib
            DBusGMainLoop(set_as_default=True)
            bus = dbus.bus.BusConnection(sys.argv[1])
            class Py(dbus.service.Object):
                @dbus.service.method("org.example.Py", in_signature="s", out_signature="s")
                def Upper(self, s):
                    return s.upper()
                @dbus.service.method("org.example.Py", in_signature="h", out_signature="s")
                def Read(self, fd):
                    with os.fdopen(fd.take()) as f:
                        return f.read()
                @dbus.service.method("org.example.Py", in_signature="si", out_signature="i")
                def CallBack(self, who, n):
                    twice = int(bus.get_object(who, "/org/example/Js").Twice(n, dbus_interface="org.example.Js"))
                    GLib.idle_add(lambda: self.Pinged("twice %d is %d" % (n, twice)) and False)
                    return twice
                @dbus.service.signal("org.example.Py", signature="s")
                def Pinged(self, s):
                    pass
            name = dbus.service.BusName("org.example.Py", bus)
            Py(bus, "/org/example/Py")
            print("ready", flush=True)
            GLib.MainLoop().run()
            """;

    /** ipc.dbus returns an object whose methods are the dbus builtins with the bus first (JsExtras.DBUS_BUS). */
    @Test
    void aJavaScriptBusHasTheBuiltinsAsMethods() throws Exception {
        Path service = dir.resolve("py_service.py");
        Files.writeString(service, CALLBACK_SERVICE);
        Process py = new ProcessBuilder("/usr/bin/python3", service.toString(), address).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        started.add(py);
        assertEquals("ready", new BufferedReader(new InputStreamReader(py.getInputStream(), StandardCharsets.UTF_8)).readLine());
        Path script = dir.resolve("bus-methods.js");
        Files.writeString(script, """
                const bus = ipc.dbus(ipc.args[0]);
                const py = 'org.example.Py', path = '/org/example/Py', iface = 'org.example.Py';
                console.log(Object.getOwnPropertyNames(Object.getPrototypeOf(bus)).filter(n => n !== 'constructor' && n !== 'toString').join(' '));
                console.log(String(bus).startsWith('#<dbus ' + ipc.args[0] + ' :1.'));
                const pending = bus.call(py, path, iface, 'Upper', 'hello');
                console.log(pending instanceof Promise, await pending);
                console.log(bus.callSync(py, path, iface, 'Upper', 'sync'));
                const [readEnd, writeEnd] = ipc.pipe();
                writeEnd.write('through h');
                writeEnd.close();
                console.log(await bus.call(py, path, iface, 'Read', readEnd));
                readEnd.close();
                try { await bus.call(py, path, iface, 'Nope', { signature: '' }); } catch (e) { console.log(e['dbus-error']); }
                let served = 0;
                bus.export('/org/example/Js', 'org.example.Js', { Twice: { in: 'i', out: 'i', fn: n => { served++; return 2 * n; } } });
                console.log(bus.requestName('org.example.Js'), bus.owner('org.example.Js').owner === String(bus).split(' ')[2].replace('>', ''));
                let signalled;
                const signal = new Promise(resolve => { signalled = resolve; });
                const w = bus.on({ interface: iface, member: 'Pinged' }, s => signalled(s));
                console.log(await bus.call(py, path, iface, 'CallBack', 'org.example.Js', 21));
                const s = await signal;
                console.log(s.member, s.args[0], served);
                ipc.cancel(w);
                console.log(bus.names().some(n => n.name === py && n.pid === %d));
                bus.close();
                try { bus.names(); } catch (e) { console.log(e.message.endsWith(' closed')); }
                """.formatted(py.pid()));
        Result r = IpcshProcess.run(script.toString(), address);
        assertEquals(0, r.status(), r.err());
        List<String> names = new ArrayList<>();
        for (ipcsh.lang.js.JsExtras.Member m : ipcsh.lang.js.JsExtras.DBUS_BUS) names.add(m.name());
        assertEquals(List.of(String.join(" ", names), "true", "true HELLO", "SYNC", "through h", "org.freedesktop.DBus.Error.UnknownMethod",
                "primary-owner true", "42", "Pinged twice 21 is 42 1", "true", "true"), r.out().lines().toList(), r.err());
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
