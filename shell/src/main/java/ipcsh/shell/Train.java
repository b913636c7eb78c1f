package ipcsh.shell;

import ipcsh.lang.Session;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * The AOT cache's training run (the launcher runs it once after a build): does what a
 * script's start-up does, so the cache holds those classes.
 */
public final class Train {
    private Train() {}

    public static void main(String[] args) {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        Session s = new Session(false, sink);
        s.evalAndPrint("""
                (let [[r w] (pipe)]
                  (puts w "hello")
                  (gets r)
                  (close w) (close r))
                (doseq [x (range 3)] (str x))
                (+ 1 2)""", List.of(), sink);
        s.evalAndPrint("(undefined-symbol)", List.of(), sink);
    }
}
