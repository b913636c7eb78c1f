package ipcsh.registry;

import java.util.List;

/**
 * One builtin as data (Babashka's namespace maps, JLine's CommandRegistry): the Clojure var,
 * the JS {@code ipc} member, {@code (doc)}, completion and the man page are all made from it.
 *
 * @param name      the Clojure name (kebab-case; JS gets camelCase)
 * @param group     the man page section it belongs to
 * @param arglists  the forms it accepts, as Clojure arglists text: "([ch] [ch n])"
 * @param doc       what it does; the first line is the summary
 * @param impl      the implementation, in plain Java
 * @param coreName  non-null when clojure.core has the same name: non-channel calls go there
 */
public record Builtin(String name, String group, String arglists, String doc, Impl impl, String coreName) {

    @FunctionalInterface
    public interface Impl {
        Object call(Args args);
    }

    public String summary() {
        int nl = doc.indexOf('\n');
        return nl < 0 ? doc : doc.substring(0, nl);
    }

    /** The camelCase name the JavaScript binding uses: open-file → openFile, eof? → isEof. */
    public String jsName() {
        String n = name;
        boolean predicate = n.endsWith("?");
        if (predicate) n = n.substring(0, n.length() - 1);
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : n.toCharArray()) {
            if (c == '-' || c == '!') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        String s = sb.toString();
        return predicate ? "is" + Character.toUpperCase(s.charAt(0)) + s.substring(1) : s;
    }

    /** The arglists as a list of usage strings: "(gets ch)". */
    public List<String> usages() {
        String a = arglists.trim();
        if (a.startsWith("(")) a = a.substring(1, a.length() - 1);
        List<String> out = new java.util.ArrayList<>();
        int depth = 0, start = -1;
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c == '[') {
                if (depth++ == 0) start = i + 1;
            } else if (c == ']') {
                if (--depth == 0) {
                    String params = a.substring(start, i).trim();
                    out.add("(" + name + (params.isEmpty() ? "" : " " + params) + ")");
                }
            }
        }
        return out;
    }
}
