package ipcsh.shell;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A callback gets what it is about (the channel); one written without parameters keeps working. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CallbackArityTest {
    @TempDir
    Path dir;

    @Test
    void onReadableAndOnWritableOfferTheChannelToClojureFnsOfEitherArity() {
        IpcshProcess.Result r = IpcshProcess.run("-e", """
                (let [[r w] (pipe) [r2 w2] (pipe) seen (atom [])]
                  (on-readable r (fn [ch] (swap! seen conj [:one-arg (= ch r) (gets ch)]) (close ch)))
                  (on-readable r2 #(do (swap! seen conj [:no-arg (gets r2)]) (close r2)))
                  (on-writable w (fn [ch] (puts ch "via on-writable") (on-writable ch nil) (close ch)))
                  (on-writable w2 (fn [] (puts w2 "zero") (on-writable w2 nil) (close w2)))
                  (wait-for #(= 2 (count @seen)) {:timeout 5000})
                  (sort-by first @seen))""");
        assertEquals(0, r.status(), r.err());
        assertEquals("([:no-arg \"zero\"] [:one-arg true \"via on-writable\"])\n", r.out());
    }

    @Test
    void multiArityAndVariadicFnsGetWhatTheyCanTake() {
        IpcshProcess.Result r = IpcshProcess.run("-e", """
                (let [[r w] (pipe) out (promise)]
                  (on-readable r (fn ([] (deliver out :none)) ([ch] (deliver out (gets ch)) (close ch))))
                  (puts w "multi") (close w)
                  (wait-for out {:timeout 5000})
                  (let [[r2 w2] (pipe) out2 (promise)]
                    (on-readable r2 (fn [& args] (deliver out2 (count args)) (close r2)))
                    (puts w2 "x") (close w2)
                    (wait-for out2 {:timeout 5000})
                    [@out @out2]))""");
        assertEquals(0, r.status(), r.err());
        assertEquals("[\"multi\" 1]\n", r.out());
    }

    @Test
    void javaScriptHandlersGetTheChannelObjectOrIgnoreIt() throws Exception {
        Path js = dir.resolve("arity.js");
        Files.writeString(js, """
                const [r, w] = ipc.pipe();
                const [r2, w2] = ipc.pipe();
                const seen = [];
                r.onReadable(ch => { seen.push('one:' + (ch === r) + ':' + ch.gets()); ch.close(); });
                r2.onReadable(() => { seen.push('none:' + r2.gets()); r2.close(); });
                w.puts('a'); w.close();
                w2.puts('b'); w2.close();
                await new Promise(resolve => { const t = setInterval(() => { if (seen.length === 2) { clearInterval(t); resolve(); } }, 10); });
                console.log(seen.sort().join(' '));
                """);
        IpcshProcess.Result r = IpcshProcess.run(js.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("none:b one:true:a\n", r.out());
    }
}
