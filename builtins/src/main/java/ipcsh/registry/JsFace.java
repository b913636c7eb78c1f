package ipcsh.registry;

/**
 * How a builtin shows in JavaScript, decided here once: the JS binding, the man page, the d.ts,
 * completion and ipc.doc all read it.
 *
 * @param name           the member of {@code ipc} that is the builtin itself: its Clojure name
 *                       in camelCase ({@link #jsName}), or that and "Sync" when a Promise form
 *                       takes the plain name
 * @param method         whether channel objects have it as a method too (ch.gets()): some arity
 *                       takes a channel first
 * @param promise        the name of its Promise form (ipc.sleep), or null when it has none; the
 *                       form itself is the binding's (it cannot be made from a blocking call)
 * @param promiseSummary what the Promise form does, one line
 * @param params         the JS function's arglists: the builtin's, unless JS takes other
 *                       arguments (with-sem's body is a function there)
 */
public record JsFace(String name, boolean method, String promise, String promiseSummary, Arglists params) {

    /** The face a builtin has unless its entry says otherwise. */
    public static JsFace of(String clojureName, Arglists arglists) {
        return new JsFace(jsName(clojureName), arglists.channelFirst(), null, null, arglists);
    }

    /**
     * Its Promise form takes the plain name (as JavaScript's own APIs name the waiting one), the
     * blocking builtin moves to name + "Sync" (ipc.sleep and ipc.sleepSync).
     */
    public JsFace withPromise(String summary) {
        if (promise != null) throw new IllegalStateException(promise + " has a Promise form already");
        return new JsFace(name + "Sync", method, name, summary, params);
    }

    public JsFace withParams(Arglists jsParams) {
        return new JsFace(name, method, promise, promiseSummary, jsParams);
    }

    /** A Clojure name in JavaScript: open-file → openFile, eof? → isEof, set! → set. */
    public static String jsName(String clojureName) {
        if (!clojureName.endsWith("?")) return camel(clojureName);
        String s = camel(clojureName.substring(0, clojureName.length() - 1));
        return "is" + Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** kebab-case to camelCase, the one rule for names and parameters: timeout-ms → timeoutMs. */
    public static String camel(String name) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : name.toCharArray()) {
            if (c == '-' || c == '!' || c == '?' || c == '*') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString();
    }
}
