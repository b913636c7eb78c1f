package ipcsh.registry;

import java.util.List;

/**
 * One builtin as data (Babashka's namespace maps, JLine's CommandRegistry): the Clojure var,
 * the JS {@code ipc} member, {@code (doc)}, completion, the man page and the d.ts are all made
 * from it, and no one of them decides a fact on its own.
 *
 * @param name      the Clojure name (kebab-case)
 * @param group     the man page section it belongs to
 * @param arglists  the forms it accepts, read from Clojure arglists text: "([ch] [ch n])"
 * @param doc       what it does; the first line is the summary
 * @param impl      the implementation, in plain Java
 * @param coreName  non-null when clojure.core has the same name: non-channel calls go there
 * @param js        its JavaScript face: names, channel method, Promise form
 * @param returns   what it returns, in TypeScript's notation ("Channel", "void" for nil,
 *                  "boolean"...); null when the entry does not say ({@link #returns()} is then
 *                  {@link #UNDECLARED})
 */
public record Builtin(String name, String group, Arglists arglists, String doc, Impl impl, String coreName, JsFace js,
                      String returns) {

    /** The return type of an entry that declares none: any value. */
    public static final String UNDECLARED = "any";

    @FunctionalInterface
    public interface Impl {
        Object call(Args args);
    }

    /** Arglists as text, read here: a malformed one fails naming the builtin. */
    public Builtin(String name, String group, String arglists, String doc, Impl impl, String coreName) {
        this(name, group, read(name, arglists), doc, impl, coreName);
    }

    private Builtin(String name, String group, Arglists arglists, String doc, Impl impl, String coreName) {
        this(name, group, arglists, doc, impl, coreName, JsFace.of(name, arglists), null);
    }

    private static Arglists read(String name, String arglists) {
        try {
            return Arglists.parse(arglists);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("builtin " + name + ": " + e.getMessage(), e);
        }
    }

    public String summary() {
        int nl = doc.indexOf('\n');
        return nl < 0 ? doc : doc.substring(0, nl);
    }

    /** The member of JS's ipc object that is this builtin: open-file → openFile, eof? → isEof, sleep → sleepSync. */
    public String jsName() {
        return js.name();
    }

    /** Whether JS channel objects have it as a method too (ch.gets()). */
    public boolean channelMethod() {
        return js.method();
    }

    /** The arglists as a list of usage strings: "(gets ch)". */
    public List<String> usages() {
        return arglists.usages(name);
    }

    /** What it returns, in TypeScript's notation; {@link #UNDECLARED} when the entry does not say. */
    @Override
    public String returns() {
        return returns == null ? UNDECLARED : returns;
    }

    public boolean returnsDeclared() {
        return returns != null;
    }

    /** This builtin returning type (TypeScript's notation: "Channel", "void" for nil, "number | null"). */
    public Builtin returning(String type) {
        return new Builtin(name, group, arglists, doc, impl, coreName, js, type);
    }

    /** This builtin with a JS Promise form under its plain JS name (see {@link JsFace#withPromise}). */
    public Builtin withPromiseForm(String summary) {
        return new Builtin(name, group, arglists, doc, impl, coreName, js.withPromise(summary), returns);
    }

    /** This builtin taking other arguments in JS than in Clojure, as arglists text. */
    public Builtin withJsArglists(String jsArglists) {
        return new Builtin(name, group, arglists, doc, impl, coreName, js.withParams(read(name, jsArglists)), returns);
    }
}
