package ipcsh.registry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arglists are read once, at registration; the facts made from them (usages, channel methods, JS names) follow the data. */
class ArglistsTest {
    @Test
    void aritiesNestedVectorsAndMapsAreRead() {
        Arglists a = Arglists.parse("([cmd & args] [[cmd & args] opts] [{:id id}])");
        assertEquals(3, a.arities().size());
        assertEquals(List.of("(spawn cmd & args)", "(spawn [cmd & args] opts)", "(spawn {:id id})"), a.usages("spawn"));
        assertTrue(a.arities().get(1).params().getFirst() instanceof Arglists.Vector);
        assertTrue(a.arities().get(2).params().getFirst() instanceof Arglists.MapOf);
        assertEquals("([cmd & args] [[cmd & args] opts] [{:id id}])", a.toString());
        assertEquals(List.of("(now)"), Arglists.parse("([])").usages("now"));
    }

    @Test
    void aChannelFirstInAnyArityMakesAChannelMethod() {
        assertTrue(Arglists.parse("([] [ch])").channelFirst());
        assertFalse(Arglists.parse("([from to])").channelFirst());
        assertFalse(Arglists.parse("([chan])").channelFirst());
        Builtin gets = new Builtin("gets", "g", "([ch])", "doc", a -> null, null);
        assertTrue(gets.channelMethod());
        assertEquals("gets", gets.jsName());
    }

    @Test
    void malformedArglistsFailNamingTheBuiltinAndWhere() {
        for (String[] c : new String[][] {
                {"[ch]", "expected (, found ["},
                {"([ch)", "unexpected )"},
                {"([ch] [n]", "it ends too soon"},
                {"([ch]) x", "text after the closing )"},
                {"()", "no arity (([]) is one that takes nothing)"},
                {"([{:id}])", "a map with an odd number of forms"},
                {"(ch)", "expected [, found c"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Builtin("bad-one", "g", c[0], "doc", a -> null, null));
            assertTrue(e.getMessage().startsWith("builtin bad-one: arglists \"" + c[0] + "\": " + c[1] + " at offset "), e.getMessage());
        }
    }

    @Test
    void jsNamesArePlainCamelCaseUnlessAPromiseFormTakesThePlainName() {
        assertEquals("openFile", JsFace.jsName("open-file"));
        assertEquals("isEof", JsFace.jsName("eof?"));
        assertEquals("timeoutMs", JsFace.camel("timeout-ms"));
        Builtin sleep = new Builtin("sleep", "g", "([ms])", "doc", a -> null, null).withPromiseForm("A Promise.");
        assertEquals("sleepSync", sleep.jsName());
        assertEquals("sleep", sleep.js().promise());
        assertThrows(IllegalStateException.class, () -> sleep.withPromiseForm("again"));
    }
}
