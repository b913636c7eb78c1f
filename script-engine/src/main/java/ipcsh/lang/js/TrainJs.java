package ipcsh.lang.js;

import ipcsh.lang.Session;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run of the JavaScript AOT cache (the launcher runs it once after a build, for
 * JS runs only: a cache holding polyglot classes would load them into Clojure runs too). Does
 * what a JS script's start-up does: the context, the ipc object, a channel, a timer, a
 * Promise, an error.
 */
public final class TrainJs {
    private TrainJs() {}

    public static void main(String[] args) throws IOException {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        Session s = Session.forJavaScript(false, sink);
        Path f = Files.createTempFile("ipcsh-train", ".js");
        try {
            Files.writeString(f, """
                    const [r, w] = ipc.pipe();
                    w.puts('hello');
                    console.log(r.gets(), ipc.args.length);
                    setTimeout(() => w.close(), 1);
                    (async () => {
                      for await (const line of r.lines()) console.log(line);
                      await ipc.sleep(1);
                    })();
                    """);
            s.runScript(f, List.of("x"));
        } finally {
            Files.deleteIfExists(f);
        }
        s.language("js");
        s.evalAndPrint("ipc.gets(1)", List.of(), sink);
    }
}
