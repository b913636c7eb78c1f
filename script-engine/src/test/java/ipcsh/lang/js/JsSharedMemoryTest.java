package ipcsh.lang.js;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Segments from JavaScript: ipc.shm and the typed verbs, shared with Clojure in the same shell. */
@Timeout(120)
class JsSharedMemoryTest {
    @TempDir
    Path dir;

    @Test
    void jsWritesTypedValuesThatClojureReadsFromTheSameObject() throws Exception {
        String name = "/ipcsh-test-" + ProcessHandle.current().pid() + "-js";
        try {
            Shell.Run r = Shell.js(dir, "shm.js", """
                    {
                    const seg = ipc.shm('%s', {size: 4096, create: true});
                    ipc.shmPut(seg, 'u32', 0, 4000000000);
                    ipc.shmPut(seg, 'f64', 8, 0.5, {order: 'big'});
                    ipc.shmWrite(seg, 16, 'from js');
                    console.log(ipc.shmGet(seg, 'u32', 0), ipc.shmGet(seg, 'f64', 8, {order: 'big'}), ipc.shmAdd(seg, 'i64', 24, 5),
                                ipc.shmSize(seg), String.fromCharCode(...ipc.shmRead(seg, 16, 7)));
                    ipc.close(seg);
                    }
                    """.formatted(name));
            assertEquals("4000000000 0.5 0 4096 from js\n", r.out(), r.err());
            Shell.Run clj = Shell.eval("clj", "(let [s (shm \"" + name + "\")] [(shm-get s :i64 24) (String. (shm-read s 16 7))])");
            assertEquals("[5 \"from js\"]\n", clj.out(), clj.err());
        } finally {
            Shell.eval("clj", "(shm-unlink \"" + name + "\")");
        }
        assertFalse(Files.exists(Path.of("/dev/shm" + name)));
    }
}
