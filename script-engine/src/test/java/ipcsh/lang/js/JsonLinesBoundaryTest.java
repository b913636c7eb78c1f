package ipcsh.lang.js;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * :json-lines puts across the language boundaries, through cat: deep and circular values give
 * the :max-depth error (not a StackOverflowError with no message), and the values the Clojure
 * binding converts are written as its documented conversion says.
 */
class JsonLinesBoundaryTest {
    @Test
    void aVectorNestedAHundredThousandDeepIsTheMaxDepthErrorAndNothingIsWritten() {
        Shell.Run r = Shell.eval("clj", """
                (let [ch (spawn ["cat"] {:framing :json-lines :timeout 5000})
                      deep (reduce (fn [a _] [a]) [] (range 100000))
                      err (try (puts ch deep) nil (catch Exception e (ex-message e)))]
                  (puts ch [[1]])
                  (println err)
                  (prn (gets ch))
                  (close ch))""");
        assertEquals("", r.err());
        assertTrue(r.out().matches("(?s)puts process\\d+ \\(cat\\): JSON nested deeper than :max-depth \\(1000 levels\\)\n\\[\\[1]]\n.*"), r.out());
    }

    @Test
    void deepJsonReadWithTheLargestMaxDepthCrossesIntoClojure() {
        Shell.Run r = Shell.eval("clj", """
                (let [ch (spawn ["python3" "-c" "print('[' * 1000 + ']' * 1000)"] {:framing :json-lines :max-depth 1000})
                      v (gets ch)]
                  (println (loop [v v n 0] (if (seq v) (recur (first v) (inc n)) (inc n))))
                  (close ch))""");
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("1000\n"), r.out());
    }

    @Test
    void maxDepthAboveWhatCrossesALanguageBoundaryIsRefused() {
        Shell.Run r = Shell.eval("clj", """
                (try (spawn ["cat"] {:framing :json-lines :max-depth 1001}) (catch Exception e (println (ex-message e))))""");
        assertTrue(r.out().contains("option :max-depth"), r.out());
        assertTrue(r.out().contains("1000"), r.out());
    }

    @Test
    void clojureValuesJsonHasNoWordForAreWrittenAsTheBindingConvertsThem() {
        // ratios as doubles, characters and symbols as strings, map keys as their printed text
        Shell.Run r = Shell.eval("clj", """
                (let [ch (spawn ["cat"] {:framing :json-lines :translation :lf :timeout 5000})]
                  (doseq [v [{1 2} 1/3 \\a 'sym {[1 2] :k}]] (puts ch v))
                  (close ch :write)
                  (println (read ch)))""");
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("""
                {"1":2}
                0.3333333333333333
                "a"
                "sym"
                {"[1 2]":"k"}

                """), r.out());
    }

    @Test
    void aCircularJsObjectIsTheMaxDepthErrorNotAStackOverflow() {
        Shell.Run r = Shell.eval("js", """
                {
                  const ch = ipc.spawn(['cat'], {framing: 'json-lines', timeout: 5000});
                  const o = {name: 'loop'};
                  o.self = o;
                  let err = '';
                  try { ch.puts(o); } catch (e) { err = e.message; }
                  ch.puts({name: 'fine', list: [1, 2]});
                  const back = ch.gets();
                  ipc.close(ch);
                  console.log(err);
                  console.log(JSON.stringify(back));
                }""");
        assertEquals("", r.err());
        assertTrue(r.out().matches("(?s)puts process\\d+ \\(cat\\): JSON nested deeper than :max-depth \\(1000 levels\\)\n"
                + "\\{\"name\":\"fine\",\"list\":\\[1,2]}\n.*"), r.out());
    }
}
