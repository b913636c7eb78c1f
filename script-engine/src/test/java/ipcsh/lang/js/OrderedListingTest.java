package ipcsh.lang.js;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A listing's rows and (configure ch) print their keys in the builtin's one order, however many
 * keys a map has (Clojure's hash maps past 8 entries would print them in hash order, different
 * for rows with different keys).
 */
@Timeout(120)
class OrderedListingTest {
    @Test
    void configureAndIpcsRowsKeepTheBuiltinsKeyOrder() {
        long key = 0x7c000000L | (ProcessHandle.current().pid() & 0xffffff);
        Shell.Run r = Shell.eval("clj", """
                (let [[rd w] (pipe)
                      s (sysv-shm %d {:create true :size 4096 :temp true})]
                  (try
                    (prn (keys (configure rd)))
                    (prn (keys (first (ipcs {:name %d}))))
                    (prn (keys (first (filter #(= :sysv (:kind %%)) (segments)))))
                    (finally (shm-unlink s) (close s) (close rd) (close w))))""".formatted(key, key));
        assertEquals("""
                (:id :kind :name :blocking :buffering :buffer-size :encoding :encoding-errors :translation :eofchar :timeout :framing :max-frame :max-queue :queued :max-depth :state :eof :fd)
                (:kind :key :id :size :owner :mode :creator-pid :attached :holders)
                (:kind :name :size :access :id :key :segment)
                """, r.out(), r.err());
        Shell.Run js = Shell.eval("js", """
                { const [rd, w] = ipc.pipe();
                  const k = Object.keys(rd.configure()).slice(0, 6).join(' ');
                  rd.close(); w.close(); k }""");
        assertEquals("\"id kind name blocking buffering buffer-size\"\n", js.out(), js.err());
    }
}
