package ipcsh.shell;

import ipcsh.registry.Registry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
