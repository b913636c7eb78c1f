package ipcsh.registry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry is assembled from the groups its class path provides, in man page order, and entries declare more than the text says. */
class RegistryTest {
    @Test
    void theBuiltinsModulesGroupsComeInManPageOrder() {
        List<String> titles = Registry.groups().stream().map(Registry.Group::title).toList();
        assertEquals("Channel verbs", titles.getFirst());
        assertEquals("JSON-RPC", titles.getLast());
        assertTrue(titles.indexOf("Debugging other programs") == titles.size() - 2, titles.toString());
        assertTrue(titles.indexOf("Pipes, FIFOs and files") < titles.indexOf("Sockets"), titles.toString());
        assertEquals(titles.size(), titles.stream().distinct().count(), titles.toString());
        assertEquals("Channel verbs", Registry.standard().get("gets").group());
        assertEquals("[Channel, Channel]", Registry.standard().get("pipe").returns());
    }

    @Test
    void aLaterRankComesAfterWhateverTheOrderFound() {
        Registry.Group late = group("Late", 1, r -> r.add("late", "([])", "Late.", a -> null));
        Registry.Group early = group("Early", 0, r -> r.add("early", "([ch])", "Early.", a -> null).returns("void"));
        Registry.Group second = group("Second", 0, r -> r.add("second", "([])", "Second.", a -> null));
        Registry r = Registry.of(Registry.inOrder(List.of(late, early, second)));
        assertEquals(List.of("early", "second", "late"), r.all().stream().map(Builtin::name).toList());
        assertEquals("Second", r.get("second").group());
        assertEquals("void", r.get("early").returns());
        assertTrue(r.get("early").returnsDeclared());
        assertFalse(r.get("late").returnsDeclared());
        assertEquals(Builtin.UNDECLARED, r.get("late").returns());
    }

    @Test
    void aMalformedEntryOrADuplicateFailsTheRegistry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Registry.of(List.of(group("G", 0, r -> r.add("oops", "([ch]", "Oops.", a -> null)))));
        assertTrue(e.getMessage().startsWith("builtin oops: arglists \"([ch]\": "), e.getMessage());
        IllegalStateException d = assertThrows(IllegalStateException.class, () -> Registry.of(List.of(group("G", 0, r -> {
            r.add("twice", "([])", "One.", a -> null);
            r.add("twice", "([])", "Two.", a -> null);
        }))));
        assertEquals("duplicate builtin twice", d.getMessage());
    }

    private static Registry.Group group(String title, int rank, java.util.function.Consumer<Registry> body) {
        return new Registry.Group() {
            @Override
            public String title() {
                return title;
            }

            @Override
            public void register(Registry r) {
                body.accept(r);
            }

            @Override
            public int rank() {
                return rank;
            }
        };
    }
}
