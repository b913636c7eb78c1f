package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A JavaScript run's engine is made on a thread of its own from the moment the command line
 * says JavaScript (issue 21), while the shell reads the script and sets its arguments: the
 * script sees its arguments however the two meet, and a run that ends before it needs the
 * engine says only what it said before.
 */
class JsEarlyStartTest {
    @Test
    void theScriptSeesItsArgumentsInEachWayOfRunningJavaScript() throws Exception {
        Path f = Files.createTempFile("ipcsh-js-early", ".js");
        f.toFile().deleteOnExit();
        Files.writeString(f, "console.log(JSON.stringify(ipc.args));\n");
        Result file = IpcshProcess.run(f.toString(), "a", "b c");
        assertEquals(0, file.status(), file.err());
        assertEquals("[\"a\",\"b c\"]\n", file.out());
        Result eval = IpcshProcess.run("--lang", "js", "-e", "JSON.stringify(ipc.args)", "x", "y");
        assertEquals(0, eval.status(), eval.err());
        assertEquals("\"[\\\"x\\\",\\\"y\\\"]\"\n", eval.out());
        Result stdin = IpcshProcess.runWith(List.of(), "console.log(ipc.args.join('|'))\n", "--lang", "js", "-", "p", "q");
        assertEquals(0, stdin.status(), stdin.err());
        assertEquals("p|q\n", stdin.out());
    }

    @Test
    void aMissingScriptIsOneErrorLineWhileTheEngineIsStillBeingMade() throws Exception {
        Path dir = Files.createTempDirectory("ipcsh-js-early");
        dir.toFile().deleteOnExit();
        String missing = dir.resolve("none.js").toString();
        Result r = IpcshProcess.run(missing, "a");
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertEquals("error: cannot run \"" + missing + "\": No such file or directory (ENOENT)\n", r.err());
    }

    @Test
    void aSyntaxErrorIsReportedAsWhenTheEngineWasMadeOnFirstUse() throws Exception {
        Path f = Files.createTempFile("ipcsh-js-early", ".js");
        f.toFile().deleteOnExit();
        Files.writeString(f, "console.log('never');\nlet = = 1;\n");
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertEquals(true, r.err().contains(f + ":2:"), r.err());
    }
}
