package ipcsh.lang;

import clojure.lang.RT;
import ipcsh.IpcException;
import ipcsh.lang.clj.DocText;
import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code help}: a short page drawn from the registry, so it lists every group a later change
 * adds. It joins the Shell group (a provided group may share a title) and lives here because
 * it prints to the language's *out*, which the builtins module cannot see.
 */
public final class HelpBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "Shell";
    }

    /** After the builtins module's groups, whatever the class path order. */
    @Override
    public int rank() {
        return 1;
    }

    @Override
    public void register(Registry r) {
        r.add("help", "([] [topic])", """
                Prints a short page: the groups of builtins (the topics) with their names, where the \
                documentation is, and how the REPL prints. (help :sockets) lists one group's builtins \
                with their summaries; a topic is a group's name or a word of it (:channels, :processes, \
                :loop...). (help :gets) is (doc gets). At the REPL a bare help does the same as (help). \
                From JavaScript: ipc.help() and ipc.help('sockets'). Returns nil.""",
                a -> {
                    a.arity(0, 1);
                    ipcsh.lang.clj.ClojureRuntime.ensure(); // from JavaScript, maybe the run's first use of Clojure (*out*, *print-length*)
                    print(a.has(0) ? topic(a.get(0)) : page());
                    return null;
                }).returns("void");
    }

    private static void print(String text) {
        try {
            Writer w = (Writer) RT.OUT.deref();
            w.write(text);
            w.flush();
        } catch (IOException e) {
            throw new IpcException("help: cannot print: " + e.getMessage());
        }
    }

    /**
     * The topic of a group: its title up to a comma, in words joined by '-': "Channel verbs" →
     * channel-verbs, "Dialogues (expect)" → dialogues-expect.
     */
    static String topicOf(String title) {
        String t = title.split(",")[0].trim().toLowerCase(Locale.ROOT);
        return t.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    }

    /**
     * Everything (doc) knows, in the order help and the man page list it: the registry's
     * builtins, then the forms that are macros (with-sem), so neither can leave one out.
     */
    public static List<Builtin> documented(Registry registry) {
        List<Builtin> all = new ArrayList<>(registry.all());
        all.addAll(ipcsh.lang.clj.ClojureRuntime.forms());
        return all;
    }

    /** {@link #documented} by group, in order of first appearance; a form joins its group after the builtins. */
    public static Map<String, List<Builtin>> groups(Registry registry) {
        Map<String, List<Builtin>> g = new LinkedHashMap<>();
        for (Builtin b : documented(registry)) g.computeIfAbsent(b.group(), k -> new ArrayList<>()).add(b);
        return g;
    }

    static Map<String, List<Builtin>> groups() {
        return groups(Registry.standard());
    }

    /**
     * How to read the manual: man -l with the pages' real paths when the shell runs from its
     * source tree (the launcher passes -Dipcsh.home; else the tree is found above the jar), since
     * the pages are not installed in man's path; "man ipcsh" when they are nowhere to be found.
     */
    public static List<String> manCommands() {
        Path home = home();
        if (home != null) {
            return List.of("man -l " + home.resolve("man/ipcsh.1"), "man -l " + home.resolve("man/ipcsh-builtins.7"));
        }
        return List.of("man ipcsh", "man ipcsh-builtins");
    }

    private static Path home() {
        String h = System.getProperty("ipcsh.home");
        if (h != null && Files.isRegularFile(Path.of(h, "man/ipcsh.1"))) return Path.of(h).toAbsolutePath().normalize();
        try {
            Path p = Path.of(HelpBuiltins.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("man/ipcsh.1"))) return p.toAbsolutePath().normalize();
            }
        } catch (RuntimeException | java.net.URISyntaxException e) {
            // no code source (an unusual class loader): fall back to man's own path
        }
        return null;
    }

    static String page() {
        StringBuilder sb = new StringBuilder();
        sb.append("The builtins of ipcsh by topic (every IPC mechanism is a channel, same verbs):\n\n");
        for (Map.Entry<String, List<Builtin>> g : groups().entrySet()) {
            String head = String.format("  %-16s ", ":" + topicOf(g.getKey()));
            StringBuilder names = new StringBuilder();
            for (Builtin b : g.getValue()) names.append(names.isEmpty() ? "" : " ").append(b.name());
            List<String> lines = DocText.wrap(names.toString(), 78 - head.length());
            for (int i = 0; i < lines.size(); i++) {
                sb.append(i == 0 ? head : " ".repeat(head.length())).append(lines.get(i)).append('\n');
            }
        }
        sb.append("""

                  (help :sockets)     one topic's builtins, a line each
                  (doc gets)          the documentation of a builtin or any Clojure function
                  (apropos "sock")    the names whose name or summary mentions a word
                  (find-doc "dgram")  the documentation that mentions it
                MANUAL
                  JavaScript (:js): ipc.help('sockets'), ipc.doc('gets'); Tab completes ipc.,
                    a channel's methods (ch.), a value's members and your names
                """);
        int at = sb.indexOf("MANUAL\n");
        List<String> man = manCommands();
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < man.size(); i++) {
            m.append(String.format("  %-19s ", i == 0 ? "the manual:" : "")).append(man.get(i)).append('\n');
        }
        sb.replace(at, at + "MANUAL\n".length(), m.toString());
        sb.append(bounds());
        sb.append("  Ctrl-C interrupts; Ctrl-D or (exit) leaves; :js switches to JavaScript, :clj back\n");
        return sb.toString();
    }

    private static String bounds() {
        Object length = RT.var("clojure.core", "*print-length*").deref();
        Object level = RT.var("clojure.core", "*print-level*").deref();
        if (length == null && level == null) return "  Printing is unbounded (*print-length* and *print-level* are nil).\n";
        return "  Printing stops after *print-length* " + length + " items and *print-level* " + level + " levels;\n"
               + "  (set! *print-length* nil) lifts the bound.\n";
    }

    static String topic(Object arg) {
        String want = String.valueOf(arg instanceof ipcsh.Keyword k ? k.name() : arg).toLowerCase(Locale.ROOT);
        if (want.startsWith(":")) want = want.substring(1);
        Map<String, List<Builtin>> groups = groups();
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<Builtin>> g : groups.entrySet()) {
            if (!matches(want, g.getKey())) continue;
            sb.append(g.getKey()).append(" (:").append(topicOf(g.getKey())).append(")\n");
            int width = 0;
            for (Builtin b : g.getValue()) width = Math.max(width, b.name().length());
            for (Builtin b : g.getValue()) {
                String head = String.format("  %-" + width + "s  ", b.name());
                List<String> lines = DocText.wrap(firstSentence(b.doc()), Math.max(30, 78 - head.length()));
                for (int i = 0; i < lines.size(); i++) {
                    sb.append(i == 0 ? head : " ".repeat(head.length())).append(lines.get(i)).append('\n');
                }
            }
            sb.append('\n');
        }
        if (!sb.isEmpty()) return sb.append("(doc name) tells more about each.\n").toString();
        for (Builtin b : documented(Registry.standard())) if (b.name().equals(want)) return DocText.render(b);
        List<String> topics = new ArrayList<>();
        for (String g : groups.keySet()) topics.add(":" + topicOf(g));
        throw new IpcException("help: no topic :" + want + "; the topics are " + String.join(" ", topics));
    }

    /** A topic matches a group by its whole name or by one of its words, singular or plural. */
    private static boolean matches(String want, String title) {
        if (want.equals(topicOf(title))) return true;
        String w = singular(want);
        for (String word : title.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!word.isEmpty() && singular(word).equals(w)) return true;
        }
        return false;
    }

    private static String singular(String w) {
        if (w.endsWith("ses") || w.endsWith("xes")) return w.substring(0, w.length() - 2);
        return w.endsWith("s") && w.length() > 3 ? w.substring(0, w.length() - 1) : w;
    }

    /** A summary: the doc's first sentence. */
    public static String firstSentence(String doc) {
        String d = doc.replace('\n', ' ').trim();
        int dot = d.indexOf(". ");
        return dot < 0 ? d : d.substring(0, dot + 1);
    }
}
