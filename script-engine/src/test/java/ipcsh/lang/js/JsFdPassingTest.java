package ipcsh.lang.js;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Descriptor passing from JS: sock.send(data, {fds: [ch]}) and sock.recv({fds: true}) against /usr/bin/python3. */
class JsFdPassingTest {
    @Test
    void jsSendsAndReceivesPipeEndsWithPython() {
        Shell.Run r = Shell.eval("js", """
                { const [a, b] = ipc.socketpair();
                  const py = ipc.spawn(['/usr/bin/python3', '-c', [
                      'import os, socket',
                      's = socket.socket(fileno=3)',
                      'r, w = os.pipe(); os.write(w, b"from python\\\\n"); os.close(w)',
                      'socket.send_fds(s, [b"one"], [r])',
                      'msg, fds, flags, addr = socket.recv_fds(s, 100, 4)',
                      'print(msg.decode(), len(fds), os.read(fds[0], 100).decode().strip(), flush=True)'].join('\\n')],
                      {fds: {3: b}, timeout: 30000});
                  a.configure({timeout: 30000});
                  const m = a.recv({fds: true});
                  const got = m.data + ' ' + m.fds.length + ' ' + m.fds[0].gets();
                  const [pr, pw] = ipc.pipe();
                  pw.puts('from js');
                  a.send('two', {fds: [pr]});
                  const back = py.gets();
                  py.close();
                  got + ' / ' + back }""");
        assertEquals("\"one 1 from python / two 1 from js\"\n", r.out(), r.err());
        assertEquals(0, r.status(), r.err());
    }
}
