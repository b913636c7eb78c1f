package ipcsh.lang.js;

import ipcsh.registry.Builtin;
import ipcsh.registry.Registry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JavaScript binding in one shell: builtins, conversions, timers, async reads, errors. */
class JsEngineTest {
    @TempDir
    Path dir;

    @Test
    void everyRegistryBuiltinIsAnIpcFunctionWithItsDoc() {
        List<?> names = (List<?>) Js.eval("Object.keys(ipc)", "<test>");
        for (Builtin b : Registry.standard().all()) {
            assertTrue(names.contains(b.jsName()), "ipc." + b.jsName() + " missing");
            String doc = (String) Js.eval("ipc.doc(" + quote(b.name()) + ")", "<test>");
            assertTrue(doc.contains(b.usages().get(0)) && doc.contains(b.summary()), doc);
        }
        assertEquals("function function function", Js.eval(
                "{ const [r] = ipc.pipe(); [typeof r.gets, typeof r.isEof, typeof r.onReadable].join(' ') }", "<test>"));
        assertEquals("function", Js.eval("typeof ipc.isEof", "<test>"));
    }

    @Test
    void clojureArglistsAreTheRegistrysDataAsForms() {
        Shell.Run r = Shell.eval("clj", "(let [m #(:arglists (meta %))] [(m #'ipcsh.core/spawn) (= '([ch] [ch n]) (m #'ipcsh.core/read)) "
                + "(first (nth (m #'ipcsh.core/sysv-shm) 3)) (m #'ipcsh.core/with-sem)])");
        assertEquals("[([cmd & args] [[cmd & args] opts]) true {:id id} ([s & body])]\n", r.out(), r.err());
    }

    @Test
    void aPromiseFormAndAFormThatIsAMacroHaveTheirDocByEveryName() {
        for (String name : List.of("sleep", "sleepSync")) {
            String doc = (String) Js.eval("ipc.doc(" + quote(name) + ")", "<test>");
            assertTrue(doc.startsWith("ipc.sleepSync (ipc.sleep returns a Promise) — (sleep ms)\n"), doc);
        }
        assertEquals("true true", Js.eval("[ipc.sleep(0) instanceof Promise, ipc.sleepSync(0) === null].join(' ')", "<test>"));
        String withSem = (String) Js.eval("ipc.doc('withSem')", "<test>");
        assertTrue(withSem.startsWith("ipc.withSem — (with-sem s & body)\n"), withSem);
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }

    @Test
    void performanceNowMeasuresBelowAMillisecond() {
        // GraalJS rounds timers to whole ms unless told otherwise; node's and ipcsh's own do not
        Object fractions = Js.eval("""
                { let n = 0;
                  for (let i = 0; i < 5; i++) if (performance.now() % 1 !== 0) n++;
                  n }""", "<test>");
        assertTrue(((Number) fractions).intValue() > 0, "5 readings of performance.now(), all whole ms");
    }

    @Test
    void channelMadeInClojureIsWrittenFromJsAndReadInClojure() {
        Shell.Run r = Shell.eval("clj", """
                (let [[r w] (pipe)
                      write-js (js "(ch, s) => { ch.puts(s.toUpperCase()); ch.write(new Uint8Array([104, 105, 10])); return ch; }")]
                  [(identical? w (write-js w "from js")) (gets r) (gets r)])""");
        assertEquals("", r.err());
        assertEquals("[true \"FROM JS\" \"hi\"]\n", r.out());
    }

    @Test
    void bytesCrossAsUint8ArrayBothWays() throws Exception {
        // one context per shell: a block keeps these names out of the later tests' global scope
        Shell.Run r = Shell.js(dir, "bytes.js", """
                {
                const [r, w] = ipc.pipe();
                r.configure({encoding: 'binary'});
                w.write(new Uint8Array([0, 1, 127, 128, 255]));
                w.write(new Uint8Array([9, 8, 7, 6]).subarray(1, 3));
                w.close();
                const b = r.read();
                console.log(b instanceof Uint8Array, b.length, Array.from(b).join(','));
                }
                """);
        assertEquals("true 7 0,1,127,128,255,8,7\n", r.out(), r.err());
        assertEquals("(0 1 -1)\n", Shell.eval("clj", "(seq (js \"new Uint8Array([0, 1, 255])\"))").out());
    }

    @Test
    void channelMethodsCarryTextAndBytesWhateverTheirArguments() throws Exception {
        // ch.gets() and ch.puts(text) take a fast path into Java; the rest the general one
        Shell.Run r = Shell.js(dir, "methods.js", """
                {
                const [r, w] = ipc.pipe();
                const text = 'x'.repeat(63) + ' é 😀 \\u{10FFFF}';
                w.puts(text); w.puts(''); w.puts(new Uint8Array([104, 105])); ipc.puts(w, 'via ipc');
                w.write('no newline'); w.puts(42);
                console.log(JSON.stringify([r.gets() === text, r.gets(), r.gets(), r.gets(), r.gets()]));
                r.configure({encoding: 'binary'});
                w.puts('bytes');
                const b = r.gets();
                console.log(b instanceof Uint8Array, Array.from(b).join(','), r.isEof(), r.isBlocked());
                }
                """);
        assertEquals("[true,\"\",\"hi\",\"via ipc\",\"no newline42\"]\ntrue 98,121,116,101,115 false false\n",
                r.out(), r.err());
    }

    @Test
    void mapsKeywordsListsAndNumbersCrossBothWays() {
        Shell.Run toClj = Shell.eval("clj", "(js \"({a: 1, b: 2.5, c: [1, 'x', null], d: {e: true}})\")");
        assertEquals("{:a 1, :b 2.5, :c [1 \"x\" nil], :d {:e true}}\n", toClj.out(), toClj.err());
        Shell.Run toJs = Shell.eval("js", "JSON.stringify(ipc.clj('{:k :word, :n 3, :v [1 2.5 \"s\"], :m {:x nil}}'))");
        assertEquals("\"{\\\"k\\\":\\\"word\\\",\\\"n\\\":3,\\\"v\\\":[1,2.5,\\\"s\\\"],\\\"m\\\":{\\\"x\\\":null}}\"\n",
                toJs.out(), toJs.err());
        Shell.Run conf = Shell.eval("js", "{ const [r] = ipc.pipe(); r.configure({buffering: ':full', timeout: 250}); "
                + "const c = r.configure(); [c.buffering, c.timeout, c.kind, r.configure('encoding')].join(' ') }");
        assertEquals("\"full 250 pipe utf-8\"\n", conf.out(), conf.err());
    }

    @Test
    void clojureFunctionsAndJsFunctionsCallEachOther() {
        Shell.Run r = Shell.eval("clj", """
                (let [twice (js "(f, x) => f(f(x))")]
                  (twice (fn [n] (* n 10)) 3))""");
        assertEquals("300\n", r.out(), r.err());
        Shell.Run back = Shell.eval("js", "{ const inc = ipc.clj('(fn [n] (inc n))'); inc(41) }");
        assertEquals("42\n", back.out(), back.err());
    }

    @Test
    void jsTimersAndChannelCallbacksInterleaveOnTheLoop() throws Exception {
        Shell.Run r = Shell.js(dir, "interleave.js", """
                {
                const log = [];
                const [r, w] = ipc.pipe();
                // each step waits for ticks counted after the last line arrived, not for wall-clock
                // time, so a loaded machine that stalls the process cannot reorder the story
                let ticks = 0, next = 2, step = 0;
                r.onReadable(() => {
                  const line = r.gets();
                  if (line === null) { r.onReadable(null); console.log(log.join(' ')); return; }
                  log.push('line:' + line);
                  next = ticks + 3;
                });
                const tick = setInterval(() => {
                  log.push('tick');
                  if (++ticks !== next) return;
                  next = -1;
                  if (step === 0) w.puts('a');
                  else if (step === 1) w.puts('b');
                  else { clearInterval(tick); w.close(); }
                  step++;
                }, 10);
                }
                """);
        assertEquals(0, r.status(), r.err());
        List<String> log = List.of(r.out().trim().split(" "));
        int a = log.indexOf("line:a"), b = log.indexOf("line:b");
        assertTrue(a > 0 && b > a, r.out());
        assertTrue(log.subList(0, a).contains("tick"), "a tick before the first line: " + r.out());
        assertTrue(log.subList(a, b).stream().filter("tick"::equals).count() >= 3, "ticks between the lines: " + r.out());
        assertTrue(log.subList(b, log.size()).contains("tick"), "ticks after the last line: " + r.out());
    }

    @Test
    void promisesFromGetsAsyncAreResolvedByTheLoopAndKeepTheScriptAlive() throws Exception {
        Shell.Run r = Shell.js(dir, "async.js", """
                const [r, w] = ipc.pipe();
                setTimeout(() => { w.puts('one'); w.puts('two'); }, 30);
                setTimeout(() => w.close(), 60);
                const got = [];
                for await (const line of r.lines()) got.push(line);
                console.log(got.join(','), r.isEof(), await r.getsAsync());
                """);
        assertEquals("one,two true null\n", r.out(), r.err());
        assertEquals(0, r.status());
    }

    @Test
    void concurrentAsyncReadsOnOneChannelAreServedInOrder() throws Exception {
        Shell.Run r = Shell.js(dir, "in-order.js", """
                const [r, w] = ipc.pipe();
                const reads = [r.getsAsync(), r.getsAsync(), r.getsAsync()];
                setTimeout(() => w.puts('1'), 10);
                setTimeout(() => { w.puts('2'); w.puts('3'); w.puts('4'); }, 30);
                const got = await Promise.all(reads);
                console.log(got.join(' '), await r.getsAsync());
                """);
        assertEquals("1 2 3 4\n", r.out(), r.err());
        assertEquals(0, r.status());
    }

    @Test
    void closingAChannelEndsTheReadsWaitingOnItWithNull() throws Exception {
        Shell.Run r = Shell.js(dir, "close-wait.js", """
                const [r, w] = ipc.pipe();
                const waits = [r.getsAsync(), r.readAsync(10)];
                setTimeout(() => r.close(), 20);
                console.log(JSON.stringify(await Promise.all(waits)));
                """);
        assertEquals("[null,null]\n", r.out(), r.err());
        assertEquals(0, r.status());
    }

    @Test
    void syntaxErrorInJsFileReportsFileLineAndColumn() throws Exception {
        Path f = dir.resolve("broken.js");
        java.nio.file.Files.writeString(f, "const x = 1;\n\nfunction f() {\n  let y = ;\n}\n");
        Shell.Run r = Shell.script(f);
        assertEquals(1, r.status());
        assertEquals("error: SyntaxError: Expected an operand but found ;\n"
                + "  at " + f + ":4:11\n"
                + "  4 |   let y = ;\n"
                + "    |           ^\n", r.err());
    }

    @Test
    void errorThrownInATimerIsReportedWithWhereItWasSetTheLoopLivesOnAndTheStatusIs1() throws Exception {
        Path f = dir.resolve("timer-error.js");
        java.nio.file.Files.writeString(f, """
                setTimeout(() => { throw new Error('boom in timer'); }, 5);
                setTimeout(() => console.log('still alive'), 40);
                """);
        Shell.Run r = Shell.script(f);
        assertEquals(1, r.status(), "a script whose callback failed does not exit 0");
        assertEquals("still alive\n", r.out());
        assertEquals("error: after 5 ms callback failed: Error: boom in timer\n  at " + f + ":1:26\n"
                + "  1 | setTimeout(() => { throw new Error('boom in timer'); }, 5);\n"
                + "    |                          ^\n"
                + "  registered at " + f + ":1:1\n"
                + "  1 | setTimeout(() => { throw new Error('boom in timer'); }, 5);\n"
                + "    | ^\n", r.err());
    }

    @Test
    void rejectionAfterAnAwaitIsTheScriptsOwnErrorWithStatus1() throws Exception {
        Path f = dir.resolve("async-error.js");
        java.nio.file.Files.writeString(f, "(async () => { await ipc.sleep(15); null.foo; })();\n");
        Shell.Run r = Shell.script(f);
        assertEquals(1, r.status(), r.err());
        assertEquals("error: TypeError: Cannot read property 'foo' of null\n  at " + f + ":1:37\n"
                + "  1 | (async () => { await ipc.sleep(15); null.foo; })();\n"
                + "    |                                     ^\n", r.err());
    }

    @Test
    void wrongArgumentTypesGiveTheBuiltinsMessage() throws Exception {
        Shell.Run caught = Shell.eval("js",
                "try { ipc.gets(42); } catch (e) { [e instanceof Error, e.name, e.type, e.message].join(' | ') }");
        assertEquals("\"true | IpcError | ipc | gets: argument 1 must be a channel, not the number 42; usage: (gets ch)\"\n",
                caught.out(), caught.err());
        Path f = dir.resolve("wrong.js");
        java.nio.file.Files.writeString(f, "const [r, w] = ipc.pipe();\nw.close(42);\n");
        Shell.Run r = Shell.script(f);
        assertEquals(1, r.status());
        assertEquals("error: close: argument 2 must be :read or :write, not the number 42; "
                + "usage: (close ch) or (close ch direction)\n"
                + "  at " + f + ":2:1\n  2 | w.close(42);\n    | ^\n", r.err());
    }

    @Test
    void osErrorsCarryTheirFieldsAsProperties() {
        Shell.Run r = Shell.eval("js",
                "try { ipc.openFile('/nonexistent/x'); } catch (e) { [e.type, e.message].join(' | ') }");
        assertTrue(r.out().startsWith("\"os | ") && r.out().contains("/nonexistent/x") && r.out().contains("ENOENT"),
                r.out() + r.err());
    }

    @Test
    void moduleImportsARelativeFileAndSeesItsArgs() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("lib.mjs"), "export const times = (a, b) => a * b;\n");
        Shell.Run r = Shell.js(dir, "main.js", """
                import { times } from './lib.mjs';
                console.log(ipc.args.join('+'), times(Number(ipc.args[0]), Number(ipc.args[1])));
                """, "6", "7");
        assertEquals("6+7 42\n", r.out(), r.err());
    }

    @Test
    void replSwitchesBetweenLanguages() {
        ipcsh.lang.Session s = new ipcsh.lang.Session(false, System.err);
        clojure.lang.Var.pushThreadBindings(clojure.lang.RT.mapUniqueKeys(clojure.lang.RT.OUT, new java.io.StringWriter()));
        try {
            String shown = s.withReplBindings(() -> {
                s.evalForRepl(":js");
                String js = s.evalForRepl("[1 + 2, 'x', {a: ipc.pipe()[0].configure('kind')}]");
                s.evalForRepl(":clj");
                return js + " / " + s.evalForRepl("(+ 1 2)");
            });
            assertTrue(shown.matches("\\[3, \"x\", \\{a: \"pipe\"\\}\\] / 3"), shown);
        } finally {
            clojure.lang.Var.popThreadBindings();
        }
    }
}
