package ipcsh.lang.js;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ipc.trap, ipc.expect and ipc.exec from JavaScript, against sh and python3. */
@Timeout(120)
class JsSignalsTest {
    @TempDir
    Path dir;

    @Test
    void jsTrapGetsTheSignalsMapFromAShSender() throws Exception {
        Shell.Run r = Shell.js(dir, "trap.js", """
                let sender;
                ipc.trap('USR1', m => {
                  console.log('trapped', m.signal, m.number, m.pid === sender);
                  ipc.trap('USR1', 'default');   // nothing left: the script ends
                });
                console.log('traps', JSON.stringify(ipc.trap()));
                sender = Number(ipc.exec('sh', '-c', `echo $$; kill -USR1 ${ipc.pid()}`).out.trim());
                """);
        assertEquals(0, r.status(), r.err());
        assertEquals("""
                traps [{"signal":"USR1","number":10,"action":"fn"}]
                trapped USR1 10 true
                """, r.out());
    }

    @Test
    void jsExpectDrivesPython3OnAPtyWithARegExp() throws Exception {
        Shell.Run r = Shell.js(dir, "expect.js", """
                const py = ipc.spawn(['python3', '-q', '-i'], {pty: true});
                ipc.expect(py, '>>> ');
                ipc.sendLine(py, 'print(6 * 7)');
                const m = ipc.expect(py, /(\\d+)\\r\\n>>> /);
                console.log('answer', m.groups[0]);
                ipc.sendLine(py, 'exit()');
                console.log('eof', ipc.expect(py, ':eof').eof, 'status', ipc.wait(py));
                const cat = ipc.spawn('cat');
                console.log(ipc.expect(cat, {timeout: 100}, 'never', ':timeout', x => 'gave up'));
                cat.close();
                """);
        assertEquals(0, r.status(), r.err());
        assertEquals("answer 42\neof true status 0\ngave up\n", r.out());
    }
}
