package ipcsh.lang.js;

import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.registry.Args;
import ipcsh.registry.Builtin;
import ipcsh.Callback;
import ipcsh.registry.Registry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A NUL byte in a name, path, program or argument is one clear error naming the builtin and the
 * argument, and nothing is made or run: a C string ends at its first NUL, so "/x\0y" would be
 * "/x" and "touch\0x" touch. The calls are generated from the registry's arglists: every
 * parameter called name, path, key, dir, cmd, args, host, id or stages gets a string with a NUL,
 * so a new builtin is covered without a new test (a parameter name the generator does not know
 * fails here until it is taught).
 */
@Timeout(120)
class NulArgumentTest {
    /** The parameters that are names, paths, programs or arguments. */
    private static final Set<String> NAMED = Set.of("name", "path", "key", "dir", "cmd", "args", "host", "id", "stages");
    private static final String TAG = "ipcsh-nul-" + ProcessHandle.current().pid();

    @TempDir
    Path dir;

    @Test
    void everyNameOrPathOrProgramWithANulIsOneErrorAndMakesNothing() throws Exception {
        Map<String, Set<String>> before = world();
        int calls = 0;
        for (Builtin b : Registry.standard().all()) {
            for (String usage : b.usages()) {
                List<String> params = params(b, usage);
                for (int i = 0; i < params.size(); i++) {
                    if (!NAMED.contains(bare(params.get(i)))) continue;
                    call(b, usage, params, i);
                    calls++;
                    assertEquals(before, world(), usage + " with a NUL in " + params.get(i) + " made or changed something");
                }
            }
        }
        // mq, shm, sem, mkfifo, fifo, open-file, mmap, sysv-shm, sysv-mq, connect, listen, spawn, exec, pipeline...
        assertTrue(calls > 30, "only " + calls + " calls were generated");
    }

    /** The parameters of one usage, "(spawn [cmd & args] opts)" → ["[cmd", "&", "args]", "opts"]. */
    private static List<String> params(Builtin b, String usage) {
        String inner = usage.substring(1 + b.name().length(), usage.length() - 1).trim();
        return inner.isEmpty() ? List.of() : List.of(inner.split("\\s+"));
    }

    private static String bare(String p) {
        return p.replace("[", "").replace("]", "");
    }

    /** Calls b as usage says with a NUL in parameter nul; the opts tried make objects where the builtin can. */
    private void call(Builtin b, String usage, List<String> params, int nul) {
        List<Map<String, Object>> optionSets = List.of(opts("create", true, "size", 4096L), opts("create", true), opts());
        String last = null;
        for (Map<String, Object> o : optionSets) {
            Object[] values = values(b, usage, params, nul, o);
            try {
                b.impl().call(new Args(b, values));
                fail(usage + " with a NUL in " + params.get(nul) + " did not fail");
            } catch (IpcException e) {
                last = e.getMessage();
                if (last.contains("unknown option")) continue; // this builtin makes nothing with these: try fewer
                assertTrue(last.startsWith(b.name() + ": argument "), usage + " → " + last);
                assertTrue(last.contains("has a NUL byte at index"), usage + " → " + last);
                assertTrue(last.contains("names, paths, programs and arguments cannot hold NUL"), usage + " → " + last);
                return;
            }
        }
        fail(usage + ": no option set was accepted: " + last);
    }

    private Object[] values(Builtin b, String usage, List<String> params, int nul, Map<String, Object> o) {
        List<Object> out = new ArrayList<>();
        List<Object> vector = null;
        boolean hostForm = params.stream().anyMatch(p -> bare(p).equals("host"));
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            String name = bare(p);
            boolean here = i == nul;
            Object v = switch (name) {
                case "&" -> null;
                case "name" -> "/" + TAG + "-" + b.name() + (here ? "\0y" : "");
                case "path", "key", "dir" -> dir + "/made" + (here ? "\0y" : "");
                case "id" -> here ? "x\0y" : "x";
                case "host" -> here ? "127.0.0.1\0x" : "127.0.0.1";
                case "cmd" -> here ? "touch\0x" : "touch";
                case "args" -> dir + "/made" + (here ? "\0y" : "");
                case "stages" -> List.of(here ? "touch\0x" : "touch", dir.resolve("made").toString());
                case "opts", "filters" -> o;
                case "mode", "direction", "access" -> Keyword.of("rw");
                case "role" -> Keyword.of("write");
                case "kind" -> Keyword.of(hostForm ? "tcp" : "unix");
                case "port" -> 1L;
                case "f" -> (Callback) xs -> null;
                default -> throw new AssertionError("NulArgumentTest does not know how to fill parameter " + p + " of " + usage
                        + "; teach values() a value for it");
            };
            if (name.equals("&")) continue;
            if (p.startsWith("[")) {
                vector = new ArrayList<>();
                out.add(vector);
            }
            if (vector != null) vector.add(v);
            else out.add(v);
            if (p.endsWith("]")) vector = null;
        }
        return out.toArray();
    }

    private static Map<String, Object> opts(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** What a truncated name would have made: queues, segments, semaphores, System V objects, files here. */
    private Map<String, Set<String>> world() throws IOException {
        Map<String, Set<String>> w = new LinkedHashMap<>();
        w.put("/dev/mqueue", names(Path.of("/dev/mqueue")));
        w.put("/dev/shm", names(Path.of("/dev/shm")));
        w.put("sysv", new TreeSet<>(List.of(
                Files.readString(Path.of("/proc/sysvipc/shm")) + Files.readString(Path.of("/proc/sysvipc/msg")))));
        try (Stream<Path> s = Files.walk(dir)) {
            w.put("dir", new TreeSet<>(s.map(Path::toString).toList()));
        }
        return w;
    }

    private static Set<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).filter(n -> n.contains(TAG)).toList());
        }
    }

    @Test
    void aNulIsRefusedFromClojureAndJavaScriptAlike() throws Exception {
        String q = "/" + TAG + "-q";
        Shell.Run clj = Shell.eval("clj", "(mq \"" + q + "\\u0000y\" {:create true})");
        assertEquals(1, clj.status(), clj.err());
        assertTrue(clj.err().startsWith("error: mq: argument 1 (a queue name like \"/jobs\") \"" + q
                + "\\0y\" has a NUL byte at index " + q.length() + ", where the OS would cut it short"), clj.err());
        Shell.Run js = Shell.eval("js", "ipc.mq('" + q + "\\0y', {create: true})");
        assertEquals(1, js.status(), js.err());
        assertTrue(js.err().contains("mq: argument 1 (a queue name like \"/jobs\") \"" + q + "\\0y\" has a NUL byte"), js.err());
        assertFalse(Files.exists(Path.of("/dev/mqueue", q.substring(1))), "the queue was made under the cut name");

        Path made = dir.resolve("made");
        Shell.Run exec = Shell.eval("clj", "(exec \"touch\\u0000-evil\" \"" + made + "\")");
        assertEquals(1, exec.status(), exec.err());
        assertTrue(exec.err().startsWith("error: exec: argument 1 (a command or argument) \"touch\\0-evil\" has a NUL byte at index 5"),
                exec.err());
        Shell.Run jsExec = Shell.eval("js", "ipc.exec(['touch', '" + made + "\\0y'])");
        assertEquals(1, jsExec.status(), jsExec.err());
        assertTrue(jsExec.err().contains("exec: argument 1 (a command vector [cmd arg…]), item 2 \"" + made + "\\0y\" has a NUL byte"),
                jsExec.err());
        Shell.Run env = Shell.eval("clj", "(exec \"touch\" \"" + made + "\" {:env {\"A\" \"b\\u0000c\"}})");
        assertTrue(env.err().startsWith("error: exec: option :env's A \"b\\0c\" has a NUL byte at index 1"), env.err());
        Shell.Run cwd = Shell.eval("js", "ipc.spawn(['touch', 'x'], {dir: '" + dir + "\\0y'})");
        assertTrue(cwd.err().contains("spawn: option :dir \"" + dir + "\\0y\" has a NUL byte"), cwd.err());
        Shell.Run sockets = Shell.eval("clj", "(sockets {:path \"/tmp/a\\u0000b\"})");
        assertTrue(sockets.err().startsWith("error: sockets: option :path \"/tmp/a\\0b\" has a NUL byte at index 6"), sockets.err());
        assertFalse(Files.exists(made), "a program ran");
    }
}
