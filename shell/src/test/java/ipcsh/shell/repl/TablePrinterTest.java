package ipcsh.shell.repl;

import clojure.lang.RT;
import ipcsh.lang.clj.ClojureRuntime;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layout of REPL tables: columns, alignment, fitting the width, what is not a table. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TablePrinterTest {
    @BeforeAll
    static void clojure() {
        ClojureRuntime.install();
    }

    private static List<String> table(String clojure, int width) {
        Object v = ClojureRuntime.withBindings(true, () -> ClojureRuntime.eval(RT.readString(clojure)));
        List<AttributedString> t = ClojureRuntime.withBindings(true, () -> TablePrinter.table(v, width, true));
        return t == null ? null : t.stream().map(AttributedString::toString).toList();
    }

    @Test
    void columnsAreTheUnionOfKeysInFirstSeenOrderAndAligned() {
        assertEquals(List.of(
                "id  name   extra",
                "1   alpha",
                "22  b      {:x [1 2]}"),
                table("[{:id 1 :name \"alpha\"} {:name \"b\" :id 22 :extra {:x [1 2]}}]", 80));
    }

    @Test
    void wideCellsAreCutToFitTheWidth() {
        List<String> t = table("[{:k \"short\" :v \"" + "x".repeat(100) + "\"}]", 30);
        for (String l : t) assertTrue(l.length() <= 30, l);
        assertTrue(t.get(1).endsWith("…"), t.get(1));
        assertTrue(t.get(1).startsWith("short  xxx"), t.get(1));
    }

    @Test
    void onlyNonEmptySequencesOfMapsAreTables() {
        assertNull(table("[]", 80));
        assertNull(table("{:a 1}", 80));
        assertNull(table("[{:a 1} 2]", 80));
        assertNull(table("\"text\"", 80));
        assertNull(table("(range)", 80));
        assertEquals(3, table("(list {:a 1} {:a 2})", 80).size());
    }

    @Test
    void channelsShowByIdAndLongListingsStopAtThePrintLength() {
        List<String> t = table("(let [[r w] (ipcsh.core/pipe)] (map (fn [i] {:i i :ch r}) (range)))", 80);
        assertEquals(ClojureRuntime.PRINT_LENGTH + 2, t.size());
        assertTrue(t.get(1).matches("0 +pipe\\d+"), t.get(1));
        assertTrue(t.getLast().startsWith("… more rows"), t.getLast());
    }

    @Test
    void nestedDataIsOneCompactLine() {
        List<String> t = table("[{:data {:deep {:deeper {:deepest 1}} :list (range 50)} :s \"a\\nb\"}]", 200);
        assertTrue(t.get(1).contains("(0 1 2 3 4 5 6 7 8 9 ...)"), t.get(1));
        assertTrue(t.get(1).contains("a\\nb"), t.get(1));
        assertTrue(t.get(1).contains("{:deeper #}"), t.get(1));
    }

    @Test
    void longCommandsInsideACellAreShortenedSoEveryHolderShows() {
        String java = "java " + "-XX:Flag ".repeat(300) + "some.Main";
        List<String> t = table("[{:path \"/tmp/p\" :holders [{:pid 1 :command \"" + java + "\"} {:pid 2 :command \"cat /tmp/p\"}]}]", 200);
        String row = t.get(1);
        assertTrue(row.contains("{:pid 1, :command \"java -XX:Flag -XX:Flag -XX:Flag -XX:Fla…\"}"), row);
        assertTrue(row.contains("{:pid 2, :command \"cat /tmp/p\"}"), row);
        assertTrue(row.length() <= 200, row);
    }
}
