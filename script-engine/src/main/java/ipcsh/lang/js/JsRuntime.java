package ipcsh.lang.js;

import ipcsh.lang.ErrorReport;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Js} asks of the engine. {@link JsEngine} implements it, in a loader of its own when
 * GraalJS is not on the class path ({@link JsLoader}), so nothing on the Clojure side names it.
 * Every method runs on the interpreter thread but {@link #interrupt}.
 */
public interface JsRuntime {
    void setArgs(List<String> args);

    void interrupt();

    Throwable stackHere();

    void runFile(Path file, String text);

    void runText(String name, String text);

    Object evalToJava(String code, String name);

    String evalAndShow(String code, String name);

    Js.Shown evalForRepl(String code, String name);

    Js.Members membersOf(String chain);

    List<String> globalNames();

    String displayPath(String path);

    /** {@link JsErrors#message}'s work on a PolyglotException. */
    String errorMessage(Throwable polyglotException);

    /** {@link JsErrors#locate}'s work on a PolyglotException. */
    ErrorReport.Location errorLocation(Throwable polyglotException, ErrorReport.Sources sources);
}
