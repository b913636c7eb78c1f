package ipcsh.lang.js;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** watch, socketpair and eventfd from JS: the registry's builtins under ipc.*, events as objects. */
class JsWatchTest {
    @TempDir
    Path dir;

    @Test
    void aJsWatchSeesWhatShMakesAsEventObjects() {
        Shell.Run r = Shell.eval("js", """
                { const w = ipc.watch('%s', {events: ['create', 'move']});
                  ipc.exec('sh', '-c', 'cd %s && touch a && mv a b');
                  const seen = [];
                  for (let i = 0; i < 3; i++) { const e = ipc.recv(w, {timeout: 10000}); seen.push(e.event + ' ' + e.name + ' ' + e['dir?']); }
                  w.close();
                  seen.join(', ') }""".formatted(dir, dir));
        assertEquals("\"create a false, moved-from a false, moved-to b false\"\n", r.out(), r.err());
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void jsWaitsForAPathAndCountsWithAnEventfd() {
        Shell.Run r = Shell.eval("js", """
                { ipc.spawn(['sh', '-c', 'sleep 0.2; mkfifo %s/f'], {stdout: 'null'});
                  const p = ipc.waitForPath('%s/f', {type: 'fifo', timeout: 20000});
                  const e = ipc.eventfd();
                  e.write(3); e.write(4);
                  const [a, b] = ipc.socketpair();
                  a.puts('over the pair'); 
                  [p.endsWith('/f'), e.read(), b.gets()].join(' ') }""".formatted(dir, dir));
        assertEquals("\"true 7 over the pair\"\n", r.out(), r.err());
    }
}
