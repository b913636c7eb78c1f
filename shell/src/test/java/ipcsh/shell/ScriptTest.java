package ipcsh.shell;

import ipcsh.shell.IpcshProcess.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ipcsh as a user runs it: scripts, -e, exit codes, errors. */
class ScriptTest {
    private final Path dir = tempDir();

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ipcsh-script");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true);
                Files.deleteIfExists(p);
            }
        }
    }

    private Path script(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void exitSetsTheStatus() throws IOException {
        Result r = IpcshProcess.run(script("exit.ipcs", "(println \"before\")\n(exit 7)\n(println \"after\")\n").toString());
        assertEquals(7, r.status());
        assertEquals("before\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void commandLineArgsAreBoundAndShebangIsAllowed() throws IOException {
        Path f = script("args.ipcs", "#!/usr/bin/env ipcsh\n(prn *command-line-args*)\n");
        Result r = IpcshProcess.run(f.toString(), "one", "two words");
        assertEquals(0, r.status(), r.err());
        assertEquals("(\"one\" \"two words\")\n", r.out());
    }

    @Test
    void undefinedSymbolIsOneBlockWithFileLineColumnAndSource() throws IOException {
        Path f = script("undef.ipcs", "(println \"ok\")\n\n(defn f [] (no-such-thing 1))\n");
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("""
                error: Unable to resolve symbol: no-such-thing in this context
                  at %s:3:12
                  3 | (defn f [] (no-such-thing 1))
                    |            ^
                """.formatted(f), r.err());
        assertFalse(r.err().contains("\tat "), "no Java stack trace without --debug");
    }

    @Test
    void missingFifoDirectoryNamesPathAndErrnoText() throws IOException {
        Path f = script("fifo.ipcs", "(def r (fifo \"/nonexistent-dir/x.fifo\" :read))\n");
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("""
                error: mkfifo "/nonexistent-dir/x.fifo": No such file or directory (ENOENT)
                  at %s:1:8
                  1 | (def r (fifo "/nonexistent-dir/x.fifo" :read))
                    |        ^
                """.formatted(f), r.err());
    }

    @Test
    void runtimeErrorInsideAFunctionPointsAtTheCallingLine() throws IOException {
        Path f = script("deep.ipcs", "(defn open-it [p]\n  (open-file p :read))\n\n(open-it \"/no/such/file\")\n");
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("error: open \"/no/such/file\": No such file or directory (ENOENT)\n  at "
                + f + ":2:"), r.err());
    }

    @Test
    void unbalancedParenthesesRunNothingAndQuoteTheOpenForm() throws IOException {
        Path f = script("open.ipcs", "(println \"fine\")\n  (println (+ 1 2)\n");
        Result r = IpcshProcess.run(f.toString());
        assertEquals(1, r.status());
        assertEquals("", r.out(), "nothing ran");
        assertEquals("""
                error: end of file inside a form: this form is never closed
                  at %s:2:3
                  2 |   (println (+ 1 2)
                    |   ^
                """.formatted(f), r.err());
    }

    @Test
    void debugShowsTheJavaTrace() throws IOException {
        Path f = script("dbg.ipcs", "(gets 42)\n");
        Result r = IpcshProcess.run("--debug", f.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("error: gets: argument 1 must be a channel, not the number 42; usage: (gets ch)"), r.err());
        assertTrue(r.err().contains("\tat ipcsh."), r.err());
    }

    @Test
    void missingScriptIsAClearError() {
        Result r = IpcshProcess.run("/no/such/script.ipcs");
        assertEquals(1, r.status());
        assertEquals("error: cannot run \"/no/such/script.ipcs\": No such file or directory (ENOENT)\n", r.err());
    }

    @Test
    void evalPrintsTheValueAndNothingOnStderr() {
        Result r = IpcshProcess.run("-e", "(+ 1 2)");
        assertEquals(new Result(0, "3\n", ""), r);
    }

    /** The version as the parent pom writes it, the one place it is written. */
    private static String revision() {
        try {
            var m = java.util.regex.Pattern.compile("<revision>([^<]+)</revision>")
                    .matcher(Files.readString(IpcshProcess.repo().resolve("pom.xml")));
            assertTrue(m.find(), "pom.xml has no <revision>");
            return m.group(1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void helpAndVersion() {
        assertTrue(IpcshProcess.run("--help").out().startsWith("Usage: ipcsh"));
        assertEquals("ipcsh " + revision() + "\n", IpcshProcess.run("--version").out());
        Result bad = IpcshProcess.run("--frobnicate");
        assertEquals(2, bad.status());
        assertEquals("ipcsh: unknown option --frobnicate (try --help)\n", bad.err());
    }

    @Test
    void permissionDeniedNamesPathAndErrno() throws IOException {
        Path locked = dir.resolve("locked");
        Files.createDirectory(locked);
        locked.toFile().setReadable(false, false);
        locked.toFile().setWritable(false, false);
        locked.toFile().setExecutable(false, false);
        // Drop root's override of file permissions so the kernel says EACCES as it would to a user.
        Result r = IpcshProcess.runWith(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search",
                "--inh-caps=-all"), null, "-e", "(fifo \"" + locked + "/x.fifo\" :read {:nonblock true})");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith("error: mkfifo \"" + locked + "/x.fifo\": Permission denied (EACCES)"), r.err());
    }

    @Test
    void regularFileWhereAFifoIsExpectedIsAClearError() throws IOException {
        Path plain = script("plain.txt", "text");
        Result r = IpcshProcess.run("-e", "(fifo \"" + plain + "\" :read)");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("error: mkfifo \"" + plain + "\": exists and is not a FIFO (it is a regular file)"), r.err());
    }

    @Test
    void brokenPipeIsAnErrorTheScriptCanCatchAndGoOn() {
        Result r = IpcshProcess.run("-e", """
                (let [[r w] (pipe)]
                  (close r)
                  (try (puts w "x") (catch Exception e (println "caught" (:errno (ex-data e)) (ex-message e))))
                  (close w))
                (println "still here")""");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("caught EPIPE puts pipe"), r.out());
        assertTrue(r.out().contains("Broken pipe (EPIPE)"), r.out());
        assertTrue(r.out().endsWith("still here\n"), r.out());
    }

    @Test
    void readingAClosedChannelIsAnError() {
        Result r = IpcshProcess.run("-e", "(let [[r w] (pipe)] (close r) (close w) (gets r))");
        assertEquals(1, r.status());
        assertTrue(r.err().matches("(?s)error: gets pipe\\d+ \\(read end\\): channel is closed\n.*"), r.err());
    }

    @Test
    void docShowsTheBuiltinsDocumentation() {
        Result r = IpcshProcess.run("-e", "(doc gets)");
        assertTrue(r.out().startsWith("-------------------------\nipcsh.core/gets\n([ch])\n  Reads one frame"), r.out());
        Result core = IpcshProcess.run("-e", "(doc map)");
        assertTrue(core.out().contains("clojure.core/map"), core.out());
    }

    @Test
    void sharedNamesStillBehaveAsClojureCoreForNonChannels() {
        Result r = IpcshProcess.run("-e", "[(read (java.io.PushbackReader. (java.io.StringReader. \"(a b)\"))) (flush)]");
        assertEquals("[(a b) nil]\n", r.out(), r.err());
    }

    @Test
    void channelsWorkWithSlurpSpitAndLineSeq() throws IOException {
        Path f = dir.resolve("data.txt");
        Result r = IpcshProcess.run("-e", """
                (spit (open-file "%1$s" :write) "alpha\\nbeta\\n")
                (println (count (line-seq (clojure.java.io/reader (open-file "%1$s")))))
                (slurp (open-file "%1$s"))""".formatted(f));
        assertEquals(0, r.status(), r.err());
        assertEquals("2\n\"alpha\\nbeta\\n\"\n", r.out());
    }

    @Test
    void scriptKeepsServingEventsUntilNothingIsRegistered() throws IOException {
        Path f = script("timers.ipcs", "(after 200 #(println \"later\"))\n(println \"top level done\")\n");
        Result r = IpcshProcess.run(f.toString());
        assertEquals(new Result(0, "top level done\nlater\n", ""), r);
    }

    @Test
    void spawnedProcessStatusAndOutput() {
        Result r = IpcshProcess.run("-e", """
                (def p (spawn ["sh" "-c" "read x; echo got $x; exit 3"]))
                (puts p "it")
                (println (gets p))
                (println "status" (wait p))
                (try (close p) (catch Exception e (println (ex-message e))))""");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("got it\nstatus 3\nprocess "), r.out());
        assertTrue(r.out().endsWith("(sh -c read x; echo got $x; exit 3) exited with status 3\n"), r.out());
    }

    @Test
    void scriptFileThatSpawnsRunsWithItsCallsLinkedAhead() throws IOException {
        // a script file naming spawn has spawn's native calls linked on another thread while it loads:
        // each spawn, wait and close still sees its child, whichever thread links first
        Path f = script("spawns.ipcs", """
                (dotimes [i 3]
                  (let [p (spawn ["sh" "-c" "read x; echo got $x; exit $((x + 1))"])]
                    (puts p (str i))
                    (println (gets p) (wait p))))
                (println (:out (exec ["printf" "xxx"])))""");
        Result r = IpcshProcess.run(f.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("got 0 1\ngot 1 2\ngot 2 3\nxxx\n", r.out());
    }

    @Test
    void scriptFromAFifoThatNamesSpawnIsReadOnce() throws Exception {
        // the look for process builtins reads regular files only: a FIFO's text would be used up
        Path fifo = dir.resolve("script.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, "(let [p (spawn [\"echo\" \"from the fifo\"])] (println (gets p)) (close p))\n");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        Result r = IpcshProcess.run(fifo.toString());
        writer.join(10_000);
        assertEquals(0, r.status(), r.err());
        assertEquals("from the fifo\n", r.out());
    }

    @Test
    void wrongArgumentTypesNameTheBuiltinAndUsage() {
        Result r = IpcshProcess.run("-e", "(fifo 42 :read)");
        assertEquals("error: fifo: argument 1 must be a path (a string), not the number 42; usage: "
                + "(fifo path mode) or (fifo path mode opts)\n  at <expr>:1:1\n  1 | (fifo 42 :read)\n    | ^\n", r.err());
    }

    @Test
    void waitForAcceptsAPromiseAndAFuture() {
        Result r = IpcshProcess.run("-e", """
                (let [p (promise)]
                  (after 100 #(deliver p :done))
                  (println (wait-for p {:timeout 5000}) @p))
                (println (wait-for (future (Thread/sleep 50) 1) {:timeout 5000}))
                (println (wait-for (promise) {:timeout 100}))""");
        assertEquals(new Result(0, "true :done\ntrue\nfalse\n", ""), r);
    }

    @Test
    void channelsListsOpenChannelsAndChannelFindsOneById() {
        Result r = IpcshProcess.run("-e", """
                (def p (spawn "cat"))
                (def listed (filter #(= :process (:kind %)) (channels)))
                (println (count listed) (:name (first listed)) (:state (first listed)))
                (println (identical? p (channel (:id (first listed)))))
                (println (= (pid) (.pid (java.lang.ProcessHandle/current))) (pos? (pid p)))
                (close p)
                (println (count (filter #(= :process (:kind %)) (channels))) (channel "process0"))
                (sleep 10)
                (sleep "soon")""");
        assertEquals(1, r.status());
        assertEquals("1 cat :open\ntrue\ntrue true\n0 nil\n", r.out());
        assertTrue(r.err().startsWith("error: sleep: ms must be a whole number of milliseconds (0 to 2147483647), not the string \"soon\""), r.err());
    }

    @Test
    void listingsPast32ChannelsAndOutOfRangeExitStatusAsAUserRunsThem() {
        Result r = IpcshProcess.run("-e", "(dotimes [i 17] (pipe)) (println (:id (last (channels))) (:id (nth (channels) 32)))");
        assertEquals(0, r.status(), r.err());
        assertEquals("pipe34 pipe33\n", r.out());
        Result exit = IpcshProcess.run("-e", "(exit 256)");
        assertEquals(1, exit.status());
        assertTrue(exit.err().startsWith("error: exit: status must be at most 255, not 256\n"), exit.err());
        Result js = IpcshProcess.run("--lang", "js", "-e", "ipc.exit(-1)");
        assertEquals(1, js.status());
        assertTrue(js.err().startsWith("error: exit: status must be 0 or more, not -1\n"), js.err());
        assertEquals(255, IpcshProcess.run("-e", "(exit 255)").status());
    }
}
