package ipcsh.registry;

import ipcsh.Callback;
import ipcsh.IpcException;
import ipcsh.Keyword;
import ipcsh.chan.Channel;
import ipcsh.chan.drivers.PipeDriver;
import ipcsh.chan.drivers.ProcessDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The checks every builtin's arguments go through before any side effect, as a script sees
 * their errors: one line naming the builtin, what was wrong and what it takes.
 */
class ArgsAndOptionsTest {
    private static final String CHANNEL_OPTIONS = ":blocking :buffering :buffer-size :encoding :encoding-errors "
            + ":translation :eofchar :timeout :framing :max-frame :max-queue :max-depth";

    private static Args args(String builtin, Object... values) {
        Builtin b = Registry.standard().get(builtin);
        if (b == null) throw new AssertionError("no builtin " + builtin);
        return new Args(b, values);
    }

    private static Map<String, Object> opts(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static void fails(String message, Executable call) {
        assertEquals(message, assertThrows(IpcException.class, call).getMessage());
    }

    /** A builtin's own options, a channel opener's and configure's (the common ones and the kind's own): the same words, naming what is taken. */
    @Test
    void anUnknownOptionIsTheSameErrorWhereverItIsFound() {
        fails("sysv-mq: unknown option :bogus (options: :create :exclusive :mode)",
                () -> new Options("sysv-mq", opts("create", true, "bogus", 1L)).only("create", "exclusive", "mode"));
        fails("sem-unlink: unknown option :force (it takes none)", () -> new Options("sem-unlink", opts("force", true)).only());
        fails("fifo: unknown option :colour (options: :create :mode, and the channel's " + CHANNEL_OPTIONS + ")",
                () -> Channel.checkOptions("fifo", opts("colour", Keyword.of("red")), "create", "mode"));
        Channel[] p = PipeDriver.open();
        try {
            fails("configure " + p[0].id() + ": unknown option :colour (options: " + CHANNEL_OPTIONS + " :fd)",
                    () -> p[0].configure(opts("colour", Keyword.of("red"))));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    /** JS has no keywords: a string stands in for one, with or without its colon. */
    @Test
    void aWordIsAKeywordOrAStringWithOrWithoutItsColon() {
        for (Object w : List.of(Keyword.of("ignore"), "ignore", ":ignore")) {
            assertEquals("ignore", args("trap", Keyword.of("USR1"), w).word(1, ":ignore or :default"));
        }
        fails("trap: argument 2 must be :ignore or :default, not the number 5; usage: (trap) or (trap sig f) or (trap sig action)",
                () -> args("trap", Keyword.of("USR1"), 5L).word(1, ":ignore or :default"));
        for (Object w : List.of(Keyword.of("null"), "null", ":null")) {
            assertEquals(ProcessDriver.Stdio.NULL, ProcessDriver.Stdio.of(w, "stdout"), "spawn's :stdout " + w);
        }
        assertEquals(ipcsh.os.Signals.number("TERM", "kill", false), ipcsh.os.Signals.number(":TERM", "kill", false));
    }

    /** A word-valued option (:format, :kind, :type, :order...) takes a JS string with its colon too. */
    @Test
    void aWordValuedOptionIsAKeywordOrAStringWithOrWithoutItsColon() {
        for (Object w : List.of(Keyword.of("hex"), "hex", ":hex")) {
            assertEquals("hex", new Options("dump", opts("format", w)).word("format", "text"), "dump :format " + w);
        }
        assertEquals("text", new Options("dump", opts()).word("format", "text"));
        fails("dump: option :format must be a keyword or a string, not the number 5",
                () -> new Options("dump", opts("format", 5L)).word("format", "text"));
        Channel[] ends = ((List<?>) Registry.standard().get("socketpair").impl()
                .call(args("socketpair", opts("type", ":dgram")))).toArray(Channel[]::new);
        try {
            assertEquals(true, ends[0].driver().messages(), "socketpair {:type \":dgram\"} is a datagram pair");
        } finally {
            ends[0].close();
            ends[1].close();
        }
    }

    /** A function or a channel where data belongs is named as what it is, not as a Java class. */
    @Test
    void aFunctionOrAChannelInTheWrongPlaceIsNamedAsSuch() {
        Callback f = xs -> null;
        fails("sleep: ms cannot be a function", () -> args("sleep", f).duration(0, "ms"));
        Channel[] p = PipeDriver.open();
        try {
            fails("mkfifo: argument 1 must be a path (a string), not the channel " + p[0].id() + "; usage: (mkfifo path) or (mkfifo path opts)",
                    () -> args("mkfifo", p[0]).string(0, "a path"));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void optionValuesAreCheckedByKindAndNilIsTheDefault() {
        Options o = new Options("mq", opts("create", null, "mode", 0640L, "timeout", null));
        assertEquals(false, o.flag("create", false));
        assertEquals(0640, o.mode("mode", 0600));
        assertEquals(-1, o.duration("timeout", -1));
        fails("mq: option :create must be true or false, not the string \"yes\"", () -> new Options("mq", opts("create", "yes")).flag("create", false));
        fails("mq: option :mode must be at most 4095, not 4096", () -> new Options("mq", opts("mode", 010000L)).mode("mode", 0600));
        fails("mq: option :timeout must be a whole number of milliseconds (0 to 2147483647), not the number 1.5",
                () -> new Options("mq", opts("timeout", 1.5)).duration("timeout", -1));
        fails("spawn: option :env's name \"A\\0B\" has a NUL byte at index 1, where the OS would cut it short: "
                + "names, paths, programs and arguments cannot hold NUL",
                () -> new Options("spawn", opts("env", Map.of("A\0B", "1"))).stringMap("env"));
    }
}
