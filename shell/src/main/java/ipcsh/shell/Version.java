package ipcsh.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The build's version as --version prints it: the parent pom's ${revision}, which the build
 * filters into the resource ipcsh/shell/version, so the pom is the one place it is written.
 * Read when the class is first used (--version, the REPL's banner, the generated man page and
 * d.ts), not at every start.
 */
public final class Version {
    public static final String TEXT = read();

    private Version() {}

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("version")) {
            if (in == null) throw new IllegalStateException("the build left out ipcsh/shell/version");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
