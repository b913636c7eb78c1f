package ipcsh.shell;

import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The man pages cannot drift: the builtins page is the registry's, ipcsh(1) lists every option. */
class ManPageTest {
    @Test
    void committedBuiltinsPageIsWhatTheRegistryGenerates() throws IOException {
        Path page = repoRoot().resolve("man/ipcsh-builtins.7");
        String generated = ManPage.generate(Registry.standard());
        String committed = Files.exists(page) ? Files.readString(page, StandardCharsets.US_ASCII) : "";
        if (!generated.equals(committed)) {
            fail("man/ipcsh-builtins.7 is not what the builtin registry generates (" + firstDifference(committed, generated)
                    + "); regenerate it from the repository root with:\n  " + ManPage.REGENERATE);
        }
    }

    @Test
    void everyBuiltinHasAnEntryWithItsUsagesAndJsName() {
        String page = ManPage.generate(Registry.standard());
        assertTrue(Registry.standard().get("js") != null, "js comes into the registry from the script engine");
        for (Builtin b : Registry.standard().all()) {
            for (String u : b.usages()) {
                assertTrue(page.contains("\\fB" + roff(u) + "\\fP\n"), b.name() + ": usage " + u + " missing");
            }
            assertTrue(page.contains("\\fBipc." + roff(b.jsName()) + "\\fP"), b.name() + ": ipc." + b.jsName() + " missing");
            if (b.js().promise() != null) {
                assertTrue(page.contains("\\fBipc." + roff(b.js().promise()) + "\\fP returns a Promise"), b.name() + ": its Promise form");
            }
        }
        for (String group : List.of("CHANNEL VERBS", "LANGUAGES", "JAVASCRIPT", "SEE ALSO")) {
            assertTrue(page.contains("\n.SH \"" + group + "\"\n") || page.contains("\n.SH " + group + "\n"), group);
        }
    }

    @Test
    void generatedPageIsAsciiWithoutDates() {
        String page = ManPage.generate(Registry.standard());
        assertEquals(page, ManPage.generate(Registry.standard()));
        assertTrue(page.chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f)), "ASCII only");
        assertTrue(page.contains("\"ipcsh " + Version.TEXT + "\""), "the version, not a date");
        assertFalse(page.matches("(?s).*\\b20\\d\\d-\\d\\d-\\d\\d\\b.*"), "no date");
    }

    @Test
    void everyOptionTheUsageListsIsInIpcsh1() throws IOException {
        String page = Files.readString(repoRoot().resolve("man/ipcsh.1"), StandardCharsets.UTF_8);
        List<String> options = new ArrayList<>();
        Matcher m = Pattern.compile("(?<![\\w-])(--?[a-z][a-z-]*)").matcher(Main.USAGE.substring(Main.USAGE.indexOf("Options:")));
        while (m.find()) options.add(m.group(1));
        assertTrue(options.containsAll(List.of("-e", "--eval", "--lang", "--js-jit", "--debug", "--help", "--version")), options.toString());
        for (String o : options) {
            assertTrue(page.contains(roff(o)), "ipcsh.1 does not document " + o + " (as " + roff(o) + ")");
        }
    }

    @Test
    void noDocTextCanBecomeARoffRequest() {
        // a line that starts with . or ' is a request: ".SH x" in a doc string would be a heading
        assertEquals("\\&.SH NOT A HEADING\n\\&'br\nplain\n\n\\&.TP", ManPage.safe(".SH NOT A HEADING\n'br\nplain\n\n.TP"));
        assertEquals("a .SH in the middle", ManPage.safe("a .SH in the middle"));
        String page = ManPage.generate(Registry.standard());
        java.util.Set<String> requests = java.util.Set.of(".TH", ".SH", ".SS", ".TP", ".PP", ".IP", ".RS", ".RE", ".br", ".nf", ".fi", ".B", ".BR", ".I", ".IR", ".\\\"");
        for (String line : page.split("\n")) {
            if (line.startsWith(".") || line.startsWith("'")) {
                assertTrue(requests.contains(line.split(" ", 2)[0]), "not one of the generator's requests: " + line);
            }
        }
    }

    @Test
    void optionsTableHasOneEntryPerOptionAndNoStrayTerms() {
        String page = ManPage.generate(Registry.standard());
        String table = page.substring(page.indexOf(".SS Options\n"), page.indexOf("\nRead\\-only: :id"));
        List<String> terms = new ArrayList<>();
        String[] lines = table.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) if (lines[i].equals(".TP")) terms.add(lines[i + 1]);
        assertEquals(List.of(":blocking", ":buffering", ":buffer\\-size", ":encoding", ":encoding\\-errors", ":translation", ":eofchar", ":timeout", ":framing",
                ":max\\-frame", ":max\\-depth", ":max\\-queue").stream().map(t -> "\\fB" + t + "\\fP").toList(), terms);
        for (String t : terms) assertTrue(t.matches("\\\\fB:[a-z\\\\-]+\\\\fP"), "a term that is no option: " + t);
        assertTrue(table.contains("\n.TP\n\\fB:max\\-queue\\fP\nbytes a non\\-blocking channel may hold queued for a slow reader"), table);
        assertTrue(table.contains("\n.PP\nNon\\-blocking output (Tcl's rule)"), table);
    }

    /** How the pages write a name: hyphens as \- so they copy as typed. */
    private static String roff(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }

    private static String firstDifference(String a, String b) {
        String[] x = a.split("\n", -1), y = b.split("\n", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (!x[i].equals(y[i])) return "line " + (i + 1) + ": committed \"" + x[i] + "\", generated \"" + y[i] + "\"";
        }
        return "committed " + x.length + " lines, generated " + y.length;
    }

    /** The repository root: up from the working directory to the directory with pom.xml and man/. */
    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("man"))) return p;
        }
        throw new IllegalStateException("no directory with pom.xml and man/ above " + Path.of("").toAbsolutePath());
    }
}
