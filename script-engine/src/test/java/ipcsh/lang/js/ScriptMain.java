package ipcsh.lang.js;

import ipcsh.lang.Session;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** A peer process for the tests: runs one script (.ipcs or .js) as `ipcsh FILE ARGS...` does. */
public final class ScriptMain {
    private ScriptMain() {}

    public static void main(String[] args) {
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        System.exit(new Session(false, System.err).runScript(Path.of(args[0]), rest));
    }
}
