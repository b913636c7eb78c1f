package ipcsh.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A private directory under /tmp, removed with everything in it (FIFOs included). */
public final class TempDir implements AutoCloseable {
    public final Path path;

    public TempDir() {
        try {
            path = Files.createTempDirectory("ipcsh-test");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String file(String name) {
        return path.resolve(name).toString();
    }

    @Override
    public void close() {
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
