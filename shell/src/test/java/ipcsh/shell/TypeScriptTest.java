package ipcsh.shell;

import ipcsh.lang.HelpBuiltins;
import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The TypeScript declarations of the JS API cannot drift, and the JS examples type-check against them. */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TypeScriptTest {
    /** Installed by ./ipcsh-test (npm install --prefix .tools typescript). */
    private static final Path TSC = IpcshProcess.repo().resolve(".tools/node_modules/.bin/tsc");

    @TempDir
    Path dir;

    @Test
    void committedDeclarationsAreWhatTheRegistryGenerates() throws IOException {
        Path file = IpcshProcess.repo().resolve("types/ipcsh.d.ts");
        String committed = Files.exists(file) ? Files.readString(file) : "";
        if (!committed.equals(TypeScript.generate(Registry.standard()))) {
            fail("types/ipcsh.d.ts is not what the builtin registry generates; regenerate it from the repository root with:\n  "
                    + TypeScript.REGENERATE);
        }
    }

    @Test
    void printTypesPrintsTheDeclarations() {
        IpcshProcess.Result r = IpcshProcess.run("--print-types");
        assertEquals(0, r.status(), r.err());
        assertEquals(TypeScript.generate(Registry.standard()), r.out());
        assertTrue(r.out().contains("declare const ipc: Ipc;"));
        assertTrue(r.out().contains("    gets(): any;"), "channel methods drop the channel parameter");
        assertTrue(r.out().contains("    pipe(): [Channel, Channel];"));
    }

    /**
     * Whatever the running engine puts on ipc and on channel objects (builtins, their Promise
     * forms, the forms that are macros, the binding's own members) is declared, and nothing is
     * declared that it does not make: the names come from a real shell's JS context.
     */
    @Test
    void everyJsBindingIsDeclaredAndEveryDeclarationIsABinding() throws IOException {
        IpcshProcess.Result r = IpcshProcess.run("--lang", "js", "-e", """
                const own = (o) => Object.getOwnPropertyNames(o).filter(n => n !== 'constructor').sort().join(' ');
                console.log(own(ipc)); console.log(own(ipc.Channel.prototype));""");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        Set<String> ipc = Set.of(lines[0].split(" ")), methods = Set.of(lines[1].split(" "));
        assertTrue(ipc.containsAll(Set.of("gets", "sleep", "sleepSync", "doc", "clj", "withSem", "Channel", "args")), lines[0]);
        assertTrue(methods.containsAll(Set.of("gets", "getsAsync", "lines", "toString")), lines[1]);
        String dts = Files.readString(IpcshProcess.repo().resolve("types/ipcsh.d.ts"));
        sameNames("ipc", ipc, declared(dts, "interface Ipc {"));
        sameNames("channel objects", methods, declared(dts, "declare class Channel {"));
    }

    private static void sameNames(String what, Set<String> made, Set<String> declared) {
        Set<String> missing = new TreeSet<>(made), extra = new TreeSet<>(declared);
        missing.removeAll(declared);
        extra.removeAll(made);
        assertTrue(missing.isEmpty() && extra.isEmpty(), what + ": members the JS engine makes that types/ipcsh.d.ts does not declare "
                + missing + ", declared ones it does not make " + extra);
    }

    /** The member names a block of the d.ts declares (the private constructor is none). */
    private static Set<String> declared(String dts, String opening) {
        int start = dts.indexOf(opening);
        assertTrue(start >= 0, opening);
        String block = dts.substring(start + opening.length(), dts.indexOf("\n}\n", start));
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^    (?:readonly )?([A-Za-z_$][\\w$]*)[(:]").matcher(block);
        while (m.find()) names.add(m.group(1));
        names.remove("constructor");
        return names;
    }

    @Test
    void everyBuiltinDeclaresWhatItReturns() {
        List<String> undeclared = HelpBuiltins.documented(Registry.standard()).stream()
                .filter(b -> !b.returnsDeclared()).map(Builtin::name).toList();
        assertEquals(List.of(), undeclared, "builtins whose registry entry declares no return type (add .returns(\"...\") "
                + "after r.add(...), in TypeScript's notation; they are declared " + Builtin.UNDECLARED + ")");
    }

    @Test
    void theJavaScriptExamplesTypeCheck() throws Exception {
        String out = tsc(IpcshProcess.repo().resolve("examples/js/jsconfig.json"));
        assertEquals("", out, "tsc --noEmit --checkJs over examples/js");
    }

    @Test
    void aWrongCallFailsTheCheck() throws Exception {
        Files.writeString(dir.resolve("wrong.js"), "const c = ipc.connect('unix', 5);\nc.nosuch();\nipc.sleep('soon');\n");
        Files.writeString(dir.resolve("jsconfig.json"), """
                {"compilerOptions": {"checkJs": true, "noEmit": true, "target": "es2022", "module": "esnext",
                  "moduleDetection": "force", "lib": ["es2022"], "types": []},
                 "include": ["*.js", "%s"]}
                """.formatted(IpcshProcess.repo().resolve("types/ipcsh.d.ts")));
        String out = tsc(dir.resolve("jsconfig.json"));
        assertTrue(out.contains("wrong.js(1,") && out.contains("not assignable to parameter of type 'string'"), out);
        assertTrue(out.contains("Property 'nosuch' does not exist on type 'Channel'"), out);
        assertTrue(out.contains("wrong.js(3,"), out);
    }

    private static String tsc(Path project) throws IOException, InterruptedException {
        if (!Files.isExecutable(TSC)) {
            fail("TypeScript's tsc is needed at " + TSC + "; ./ipcsh-test installs it (npm install --prefix .tools typescript)");
        }
        Process p = new ProcessBuilder(TSC.toString(), "-p", project.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "tsc hung");
        return out.strip();
    }
}
