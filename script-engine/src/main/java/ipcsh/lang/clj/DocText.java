package ipcsh.lang.clj;

import ipcsh.registry.Builtin;

/** A builtin's (doc) text, in clojure.repl's layout. */
public final class DocText {
    private DocText() {}

    public static String render(Builtin b) {
        StringBuilder sb = new StringBuilder();
        sb.append("-------------------------\n");
        sb.append(ClojureRuntime.NS).append('/').append(b.name()).append('\n');
        sb.append(b.arglists()).append('\n');
        for (String line : wrap(b.doc(), 76)) sb.append("  ").append(line).append('\n');
        return sb.toString();
    }

    /** Greedy word wrap at width; explicit newlines are kept. */
    public static java.util.List<String> wrap(String text, int width) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (String para : text.split("\n")) {
            StringBuilder line = new StringBuilder();
            for (String word : para.trim().split("\\s+")) {
                if (word.isEmpty()) continue;
                if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                if (line.length() > 0) line.append(' ');
                line.append(word);
            }
            lines.add(line.toString());
        }
        return lines;
    }
}
