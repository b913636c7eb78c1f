package ipcsh.lang.js;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Non-blocking output from scripts, Clojure and JS, to python3 readers that start late: the
 * script never blocks, lives on until its queued output is written (also after closing the
 * channel), and (exit) writes what is queued before the shell ends. Each script runs in a peer
 * JVM as `ipcsh script` would; the datagram and :max-frame stories run from JS too.
 */
@Timeout(120)
class NonBlockingScriptTest {
    private static final String LINE = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJK";
    private static final String SLOW_READER = """
            import sys,time,socket
            src=sys.argv[1]
            if src.startswith('unix:'):
                s=socket.socket(socket.AF_UNIX); s.bind(src[5:]); s.listen(1)
                print('listening',flush=True); c,_=s.accept(); f=c.makefile('rb')
            else: f=open(src,'rb')
            time.sleep(1.5)
            n=bad=0
            for l in f:
                n+=1
                if l!=b'%s\\n': bad+=1
            print(n,bad,flush=True)
            """.formatted(LINE);

    @TempDir
    Path dir;

    private Path file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static Process python(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "python3";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Runs script against a slow reader of target; returns "script output | reader output". */
    private String run(Path script, String target, String readerArg) throws Exception {
        Process reader = python("-c", SLOW_READER, readerArg);
        try {
            if (readerArg.startsWith("unix:")) {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!Files.exists(Path.of(readerArg.substring(5))) && System.nanoTime() < deadline) Thread.sleep(10);
            }
            String out = Shell.finish(Shell.peer(script, target), 60);
            assertTrue(reader.waitFor(30, TimeUnit.SECONDS), "reader still running");
            return out.trim() + " | " + new String(reader.getInputStream().readAllBytes()).trim();
        } finally {
            reader.destroyForcibly();
        }
    }

    private Path fifo(String name) throws Exception {
        Path f = dir.resolve(name);
        assertEquals(0, new ProcessBuilder("mkfifo", f.toString()).start().waitFor());
        return f;
    }

    @Test
    void clojureScriptClosesAFifoWithOutputQueuedAndLivesUntilItIsWritten() throws Exception {
        Path f = fifo("c.fifo");
        Path s = file("close.ipcs", """
                (let [w (fifo (first *command-line-args*) :write {:create false :blocking false})]
                  (dotimes [i 20000] (puts w "%s"))
                  (println "queued" (pos? (configure w :queued)))
                  (close w))
                """.formatted(LINE));
        assertEquals("queued true | 20000 0", run(s, f.toString(), f.toString()));
    }

    @Test
    void clojureExitWritesWhatIsQueuedFirst() throws Exception {
        Path f = fifo("e.fifo");
        Path s = file("exit.ipcs", """
                (let [w (fifo (first *command-line-args*) :write {:create false :blocking false})]
                  (dotimes [i 20000] (puts w "%s"))
                  (exit 0))
                """.formatted(LINE));
        assertEquals(" | 20000 0", run(s, f.toString(), f.toString()));
    }

    @Test
    void jsScriptWritesToASlowUnixSocketReaderWithoutBlocking() throws Exception {
        Path sock = dir.resolve("r.sock");
        Path s = file("sock.js", """
                const c = ipc.connect('unix', ipc.args[0], {blocking: false});
                const t0 = Date.now();
                let queued = false;
                for (let i = 0; i < 50000; i++) {
                  c.puts('%s');
                  if (i %% 1000 === 999 && c.configure('queued') > 0) queued = true;
                }
                console.log('queued', queued, 'fast', Date.now() - t0 < 10000);
                c.close();
                """.formatted(LINE));
        assertEquals("queued true fast true | listening\n50000 0", run(s, sock.toString(), "unix:" + sock));
    }

    @Test
    void jsExitWritesWhatIsQueuedFirst() throws Exception {
        Path f = fifo("j.fifo");
        Path s = file("exit.js", """
                const w = ipc.fifo(ipc.args[0], 'write', {create: false, blocking: false});
                for (let i = 0; i < 20000; i++) w.puts('%s');
                ipc.exit(0);
                """.formatted(LINE));
        assertEquals(" | 20000 0", run(s, f.toString(), f.toString()));
    }

    @Test
    void jsReceivesBigDatagramsWholeAndDropsOversizedFramesOnce() throws Exception {
        Path sock = dir.resolve("d.sock");
        Path s = file("dgram.js", """
                const d = ipc.unixDgram(ipc.args[0], {timeout: 10000});
                console.log('ready');
                for (let i = 0; i < 3; i++) console.log(ipc.recv(d).data.length);
                d.configure({'max-frame': 10});
                try { d.gets(); } catch (e) { console.log(e.message.replace(/unix-dgram\\d+/, 'CH')); }
                console.log(d.gets());
                d.close();
                """);
        Process script = Shell.peer(s, sock.toString());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!Files.exists(sock) && System.nanoTime() < deadline) Thread.sleep(20);
        Process py = python("-c", """
                import socket,sys
                c=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)
                for n in (65536,100003,200000): c.sendto(b'x'*n,sys.argv[1])
                c.sendto(b'y'*25,sys.argv[1]); c.sendto(b'short',sys.argv[1])
                """, sock.toString());
        assertEquals(0, py.waitFor(20, TimeUnit.SECONDS) ? py.exitValue() : -1);
        String out = Shell.finish(script, 60);
        assertEquals("""
                ready
                65536
                100003
                200000
                gets CH (%s): message of 25 bytes is longer than :max-frame (10 bytes); dropped 25 bytes, the next read starts after it
                short
                """.formatted(sock), out);
    }
}
