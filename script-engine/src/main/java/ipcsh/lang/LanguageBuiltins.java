package ipcsh.lang;

import ipcsh.registry.Registry;

/**
 * The builtins that reach another language: a registry group the script engine provides as a
 * service ({@code META-INF/services/ipcsh.registry.Registry$Group}), since the builtins module
 * cannot see the languages. Registering loads nothing: the JS engine starts on the first call.
 */
public final class LanguageBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "Languages";
    }

    /** After the builtins module's groups, whatever the class path order. */
    @Override
    public int rank() {
        return 1;
    }

    @Override
    public void register(Registry r) {
        r.add("js", "([code])", """
                Evaluates the string code as JavaScript in the shell's one JS context (started on first \
                use, so the first call takes a moment) and returns its value: objects become maps with \
                keyword keys, arrays vectors, Uint8Array bytes, functions fns, channel objects the same \
                channels. Globals that code defines stay for the next call. A JS exception becomes an \
                error with the JS message and location. From JavaScript, ipc.js(code) evaluates code in \
                that same context, and ipc.clj(code) goes the other way.""",
                a -> ipcsh.lang.js.Js.eval(a.arity(1, 1).text(0, "JavaScript source"), "<js>")).returns("any");
    }
}
