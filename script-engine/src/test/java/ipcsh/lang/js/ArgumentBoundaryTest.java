package ipcsh.lang.js;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What crosses the language boundary intact: long listings as vectors and arrays, wrong
 * arguments as the registry's errors (never a Java or Truffle message), from Clojure and JS.
 */
@Timeout(120)
class ArgumentBoundaryTest {
    @TempDir
    Path dir;

    private static void assertNoHostMessage(String err) {
        for (String s : new String[] {"Exception", "java.lang", "Truffle", "invokeMember", "coercion", "Cannot convert"}) {
            assertFalse(err.contains(s), err);
        }
    }

    @Test
    void channelsPast32And1024AreAWholeVectorInClojure() {
        for (int n : new int[] {17, 40, 520}) {
            Shell.Run r = Shell.eval("clj", """
                    (let [made (doall (repeatedly %d pipe))
                          ids (set (map #(.id %%) (mapcat identity made)))
                          mine (filterv #(ids (:id %%)) (channels))
                          v (channels)]
                      (try
                        [(count mine) (= (map :id mine) (map #(.id %%) (mapcat identity made)))
                         (= (:id (last v)) (:id (nth v (dec (count v)))) (.id (second (last made))))
                         (= (map :id v) (map #(:id (nth v %%)) (range (count v))))
                         (vector? v)]
                        (finally (doseq [[r w] made] (close r) (close w)))))""".formatted(n));
            assertEquals("[" + 2 * n + " true true true true]\n", r.out(), r.err());
        }
    }

    @Test
    void channelsPast1024AreAWholeArrayInJsAndJsArraysAreWholeVectors() {
        Shell.Run js = Shell.eval("js", """
                { const made = Array.from({length: 520}, () => ipc.pipe());
                  const ids = new Set(made.flat().map(c => c.configure('id')));
                  const mine = ipc.channels().filter(m => ids.has(m.id));
                  const ok = mine.length === 1040 && mine.every((m, i) => m.channel === made[i >> 1][i & 1]);
                  made.flat().forEach(c => c.close());
                  ok }""");
        assertEquals("true\n", js.out(), js.err());
        Shell.Run clj = Shell.eval("clj", "(let [v (js \"Array.from({length: 1500}, (_, i) => i)\")] [(count v) (nth v 33) (nth v 1025) (last v) (= v (range 1500))])");
        assertEquals("[1500 33 1025 1499 true]\n", clj.out(), clj.err());
    }

    @Test
    void shadowedCoreNamesSayWhatTheyAcceptAndKeepClojureCoreWorking() {
        String[][] cases = {
            {"(read nil)", "read: expected a channel or a java.io.PushbackReader, got nil"},
            {"(read \"abc\")", "read: expected a channel or a java.io.PushbackReader, got the string \"abc\""},
            {"(read 42)", "read: expected a channel or a java.io.PushbackReader, got the number 42"},
            {"(send 5 6)", "send: expected a channel or an agent, got the number 5"},
            {"(send nil \"x\")", "send: expected a channel or an agent, got nil"},
            {"(send :k inc)", "send: expected a channel or an agent, got the keyword :k"},
            {"(flush 3)", "flush: expected a channel or no argument, got the number 3"},
            {"(flush \"x\")", "flush: expected a channel or no argument, got the string \"x\""},
        };
        for (String[] c : cases) {
            Shell.Run r = Shell.eval("clj", c[0]);
            assertEquals(1, r.status(), c[0]);
            assertTrue(r.err().startsWith("error: " + c[1] + "\n"), c[0] + " → " + r.err());
            assertNoHostMessage(r.err());
        }
        Shell.Run core = Shell.eval("clj", """
                (let [a (agent 1)]
                  (send a inc)
                  (await a)
                  (flush)
                  [(read (java.io.PushbackReader. (java.io.StringReader. "(+ 1 2)")))
                   (read {:eof :done} (java.io.PushbackReader. (java.io.StringReader. "")))
                   (read (java.io.PushbackReader. (java.io.StringReader. "")) false :eof)
                   @a])""");
        assertEquals("[(+ 1 2) :done :eof 2]\n", core.out(), core.err());
    }

    @Test
    void clojureRangeErrorsNameTheBuiltinAndOption() {
        String[][] cases = {
            {"(sleep -5)", "sleep: ms must be 0 or more, not -5"},
            {"(wait-for (constantly false) {:timeout -1})", "wait-for: option :timeout must be 0 or more, not -1"},
            {"(let [[r] (pipe)] (configure r {:timeout 99999999999999999999}))",
                "option :timeout must be at most 2147483647 ms (about 24.9 days), not 99999999999999999999"},
            {"(let [[r w] (pipe)] (copy r w {:size -1}))", "copy: option :size must be 0 or more, not -1"},
            {"(let [[r] (pipe)] (read r -1))", "read: n must be 0 or more, not -1"},
            {"(exit 256)", "exit: status must be at most 255, not 256"},
            {"(let [[r] (pipe)] (configure r {:blocking \"yes\"}))", "option :blocking must be true or false, not the string \"yes\""},
        };
        for (String[] c : cases) {
            Shell.Run r = Shell.eval("clj", c[0]);
            assertEquals(1, r.status(), c[0] + " → " + r.err());
            assertTrue(r.err().startsWith("error: ") && r.err().contains(c[1]), c[0] + " → " + r.err());
        }
    }

    @Test
    void jsVerbsAndAsyncVerbsCheckArgumentsAsTheRegistryDoes() throws Exception {
        String[][] cases = {
            {"ipc.sleepSync(-5)", "sleep: ms must be 0 or more, not -5"},
            {"ipc.sleep(-5)", "sleep: ms must be 0 or more, not -5"},
            {"ipc.sleep(99999999999999999999n)", "sleep: ms must be at most 2147483647 ms (about 24.9 days), not 99999999999999999999"},
            {"ipc.sleepSync(1e20)", "sleep: ms must be at most 2147483647 ms (about 24.9 days), not 100000000000000000000"},
            {"ipc.sleepSync('soon')", "sleep: ms must be a whole number of milliseconds (0 to 2147483647), not the string \"soon\""},
            {"setTimeout(() => 0, 2 ** 40)", "setTimeout: ms must be at most 2147483647"},
            {"setInterval(5, 5)", "setInterval: argument 1 must be a function, not number"},
            {"ipc.pipe()[0].readAsync(-3)", "readAsync: n must be 0 or more, not -3"},
            {"ipc.pipe()[0].readAsync('abc')", "readAsync: n must be a whole number (0 to 1073741824), not the string \"abc\""},
            {"ipc.pipe()[0].read(-3)", "read: n must be 0 or more, not -3"},
            {"ipc.pipe()[0].configure({timeout: -5})", "option :timeout must be 0 or more, not -5"},
            {"ipc.pipe()[0].configure({timeout: 10n ** 20n})", "option :timeout must be at most 2147483647"},
            {"ipc.pipe()[0].configure({'max-frame': 0})", "option :max-frame must be 1 or more, not 0"},
            {"ipc.pipe()[1].configure({blocking: 'yes'})", "option :blocking must be true or false, not the string \"yes\""},
            {"ipc.waitFor(() => false, {timeout: -1})", "wait-for: option :timeout must be 0 or more, not -1"},
            {"ipc.exit(256)", "exit: status must be at most 255, not 256"},
            {"ipc.send(5, 6)", "send: argument 1 must be a channel, not the number 5"},
            {"ipc.read(null)", "read: argument 1 must be a channel, not nil"},
            {"ipc.flush(3)", "flush: argument 1 must be a channel, not the number 3"},
            {"ipc.pipe()[0].getsAsync.call(5)", "getsAsync: expected a channel"},
            {"ipc.pipe()[0].gets.call(5)", "gets: argument 1 must be a channel, not the number 5"},
            {"new ipc.Channel('x').puts('y')", "puts: argument 1 must be a channel, not the string \"x\""},
            {"ipc.pipe()[1].puts.call({}, 'x')", "puts: argument 1 must be a channel, not a map"},
            {"const gets = ipc.pipe()[0].gets; gets()", "gets: argument 1 must be a channel, not nil"},
            {"ipc.pipe()[1].puts('a', 'b')", "puts: wrong number of arguments (3)"},
        };
        for (String[] c : cases) {
            Shell.Run r = Shell.eval("js", "try { " + c[0] + "; 'no error' } catch (e) { e.name + ': ' + e.message }");
            assertTrue(r.out().startsWith("\"IpcError: ") && r.out().contains(c[1].replace("\"", "\\\"")), c[0] + " → " + r.out() + r.err());
            assertNoHostMessage(r.out());
        }
        Shell.Run ok = Shell.js(dir, "async-ok.js", """
                const [r, w] = ipc.pipe();
                w.puts('abcdef'); w.close();
                await ipc.sleep(0);
                console.log(JSON.stringify([await r.readAsync(2), await r.readAsync(null), await r.readAsync()]));
                setTimeout(() => console.log('negative delay runs at once, as in browsers'), -5);
                """);
        assertEquals("[\"ab\",\"cdef\\n\",\"\"]\nnegative delay runs at once, as in browsers\n", ok.out(), ok.err());
    }
}
