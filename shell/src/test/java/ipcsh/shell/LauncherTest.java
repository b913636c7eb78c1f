package ipcsh.shell;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ./ipcsh launcher itself, run by bash in a copy of the repository's layout: a JDK 25 found
 * among older ones, a build when a source is newer than the jar or was deleted (and only then),
 * the AOT cache trained once and retrained when a jar is newer. The JDKs, their java and Maven
 * are stand-ins that record how they were called, so no build or JVM runs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest {
    private Path root;
    private Path javaLog;
    private Path mvnLog;

    @BeforeEach
    void layout() throws IOException {
        root = Files.createTempDirectory("ipcsh-launcher");
        javaLog = root.resolve("java.log");
        mvnLog = root.resolve("mvn.log");
        Path repo = IpcshProcess.repo();
        Files.createDirectories(root.resolve("scripts"));
        copyExecutable(repo.resolve("ipcsh"), root.resolve("ipcsh"));
        Files.copy(repo.resolve("scripts/jdk.sh"), root.resolve("scripts/jdk.sh"));
        for (String f : List.of("pom.xml", "builtins/pom.xml", "builtins/src/main/java/A.java",
                "script-engine/src/main/java/B.java", "shell/src/main/java/C.java", "shell/src/main/resources/d.txt")) {
            write(root.resolve(f), "source");
        }
        write(root.resolve("shell/target/ipcsh.jar"), "jar");
        write(root.resolve("shell/target/lib/clojure.jar"), "jar");
        fakeJdk("jdk-17", "17.0.9");
        fakeJdk("jdk-25", "25.0.3");
        fakeJdk("jdk-21", "21.0.4");
        write(root.resolve("bin/mvn"), "#!/bin/bash\necho \"mvn $*\" >> '" + mvnLog + "'\n");
        executable(root.resolve("bin/mvn"));
        // sources written long ago, the jar built after them
        try (var s = Files.walk(root)) {
            for (Path p : s.toList()) age(p, 3600);
        }
        age(root.resolve("shell/target/ipcsh.jar"), 600);
        age(root.resolve("shell/target/lib/clojure.jar"), 600);
        age(root.resolve("shell/target/lib"), 600);
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Test
    void runsTheNewestJdkAndTrainsTheCacheOnce() throws Exception {
        assertEquals("ran", launch("-e", "(+ 1 2)").out().strip());
        List<String> calls = lines(javaLog);
        assertEquals(2, calls.size(), calls.toString());
        assertTrue(calls.get(0).startsWith(root + "/jvm/jdk-25/bin/java "), calls.get(0));
        assertTrue(calls.get(0).contains("-XX:AOTCacheOutput=" + root + "/shell/target/ipcsh.aot "), calls.get(0));
        assertTrue(calls.get(0).endsWith(" ipcsh.shell.Train"), calls.get(0));
        assertTrue(calls.get(1).contains(" -XX:AOTCache=" + root + "/shell/target/ipcsh.aot "), calls.get(1));
        assertTrue(calls.get(1).contains(" -Dipcsh.home=" + root + " "), calls.get(1));
        assertTrue(calls.get(1).contains(" -cp " + root + "/shell/target/ipcsh.jar:" + root + "/shell/target/lib/clojure.jar "),
                calls.get(1));
        assertTrue(calls.get(1).endsWith(" ipcsh.shell.Main -e (+ 1 2)"), calls.get(1));
        assertTrue(calls.get(1).contains(" -XX:TieredStopAtLevel=1 "), "-e runs with C1 alone: " + calls.get(1));
        assertFalse(Files.exists(mvnLog), "built though nothing changed");

        launch("-e", "1");
        calls = lines(javaLog);
        assertEquals(3, calls.size(), "trained again: " + calls);
        assertTrue(calls.get(2).endsWith(" ipcsh.shell.Main -e 1"), calls.get(2));
    }

    @Test
    void saysSoWhileItTrainsTheCacheAndOnlyThen() throws Exception {
        // the first JavaScript run trains for about 30 s: silence looks like a hang
        Result r = launch("app.js");
        assertEquals("ipcsh: training the AOT cache for JavaScript start-up (once, about 30 seconds)...\n", r.err());
        assertEquals("", launch("app.js").err());
        r = launch("-e", "1");
        assertEquals("ipcsh: training the AOT cache for start-up (once, a few seconds)...\n", r.err());
        assertEquals("", launch("-e", "1").err());
        assertEquals(2, lines(javaLog).stream().filter(l -> l.endsWith(".Train") || l.endsWith(".TrainJs")).count(),
                "trained once per language: " + lines(javaLog));
    }

    @Test
    void everyRunGetsC1Alone() throws Exception {
        launch("script.ipcs", "arg");
        launch("-");
        launch("app.js");
        launch("--lang", "js", "-");
        launch("-e", "1", "script.ipcs");
        List<String> calls = lines(javaLog).stream().filter(l -> l.contains("ipcsh.shell.Main")).toList();
        assertEquals(5, calls.size(), calls.toString());
        assertTrue(calls.get(0).contains(" -XX:TieredStopAtLevel=1 "), calls.get(0));
        assertTrue(calls.get(1).contains(" -XX:TieredStopAtLevel=1 "), calls.get(1));
        assertTrue(calls.get(2).contains(" -XX:TieredStopAtLevel=1 "), calls.get(2));
        assertTrue(calls.get(3).contains(" -XX:TieredStopAtLevel=1 "), calls.get(3));
        assertTrue(calls.get(4).contains(" -XX:TieredStopAtLevel=1 "), calls.get(4));
    }

    @Test
    void clojureRunsGetTheSmallHeapAndEveryRunNativeTrimming() throws Exception {
        // a waiting script's footprint (bench row idle-rss); the trainings get the flags of
        // the runs they train for, and the Clojure cache holds no method profiles
        launch("script.ipcs");
        launch("app.js");
        launch("-e", "1");
        List<String> calls = lines(javaLog);
        assertEquals(5, calls.size(), "two trainings and three runs: " + calls);
        for (String call : calls) {
            assertTrue(call.contains(" -XX:TrimNativeHeapInterval=1000 "), call);
            boolean js = call.endsWith(".TrainJs") || call.endsWith(" app.js");
            assertEquals(!js, call.contains(" -Xmn2m -Xms8m -XX:StringTableSize=4096 -XX:+UnlockExperimentalVMOptions -XX:SymbolTableSize=4096 "), call);
            assertEquals(call.endsWith(".Train"), call.contains(" -XX:-AOTRecordTraining "), call);
        }
    }

    @Test
    void clojureRunsHaveTheJavaScriptJarsOffTheirClassPathAndNamedForTheirFirstJsUse() throws Exception {
        // a waiting script's footprint (bench row idle-rss): each jar on the class path keeps its
        // directory in memory; the build names the JS engine's jars in js-classpath
        write(root.resolve("shell/target/lib/polyglot-25.jar"), "jar");
        write(root.resolve("shell/target/lib/truffle-api-25.jar"), "jar");
        write(root.resolve("shell/target/js-classpath"), "lib/polyglot-25.jar:lib/js-25.pom:lib/truffle-api-25.jar");
        for (String p : List.of("shell/target/lib/polyglot-25.jar", "shell/target/lib/truffle-api-25.jar", "shell/target/lib")) {
            age(root.resolve(p), 600);
        }
        launch("script.ipcs");
        launch("app.js");
        List<String> calls = lines(javaLog);
        assertEquals(4, calls.size(), "two trainings and two runs: " + calls);
        String lib = root + "/shell/target/lib/";
        for (String call : calls) {
            boolean js = call.endsWith(".TrainJs") || call.endsWith(" app.js");
            String cp = call.replaceFirst(".* -cp (\\S+) .*", "$1");
            assertTrue(cp.contains(lib + "clojure.jar"), call);
            assertEquals(js, cp.contains(lib + "polyglot-25.jar") && cp.contains(lib + "truffle-api-25.jar"), call);
            assertEquals(!js, !cp.contains("polyglot") && !cp.contains("truffle")
                    && call.contains(" -Dipcsh.js.classpath=" + lib + "polyglot-25.jar:" + lib + "truffle-api-25.jar "), call);
        }
    }

    @Test
    void buildsWhenASourceIsNewerThanTheJar() throws Exception {
        launch("-e", "1");
        assertFalse(Files.exists(mvnLog));
        age(root.resolve("shell/src/main/java/C.java"), 0);
        Result r = launch("-e", "1");
        assertTrue(r.err().contains("ipcsh: building (first run or sources changed)"), r.err());
        assertEquals(List.of("mvn -q -B -DskipTests package"), lines(mvnLog));
        // the build drops the cache made from the old jars: trained again
        assertEquals(2, lines(javaLog).stream().filter(l -> l.endsWith("ipcsh.shell.Train")).count(), lines(javaLog).toString());
        launch("-e", "1");
        assertEquals(1, lines(mvnLog).size(), "built again though nothing changed since");
    }

    @Test
    void buildsWhenASourceIsDeletedOrAResourceChanges() throws Exception {
        Files.delete(root.resolve("builtins/src/main/java/A.java"));
        launch("-e", "1");
        assertEquals(1, lines(mvnLog).size());
        age(root.resolve("shell/src/main/resources/d.txt"), 0);
        launch("-e", "1");
        assertEquals(2, lines(mvnLog).size());
        age(root.resolve("pom.xml"), 0);
        launch("-e", "1");
        assertEquals(3, lines(mvnLog).size());
    }

    @Test
    void retrainsTheCacheWhenAJarIsNewer() throws Exception {
        launch("-e", "1");
        age(root.resolve("shell/target/lib/clojure.jar"), 0);
        launch("-e", "1");
        assertEquals(2, lines(javaLog).stream().filter(l -> l.endsWith("ipcsh.shell.Train")).count(), lines(javaLog).toString());
        assertFalse(Files.exists(mvnLog), "a newer jar is no changed source");
    }

    @Test
    void runsThroughASymlinkAndFromAnotherDirectory() throws Exception {
        Path link = root.resolve("bin/ipcsh");
        Files.createSymbolicLink(link, root.resolve("ipcsh"));
        Result r = run(root.resolve("bin"), List.of(link.toString(), "-e", "1"));
        assertEquals(0, r.status(), r.err());
        r = run(root.resolve("shell"), List.of("../ipcsh", "-e", "2"));
        assertEquals(0, r.status(), r.err());
        for (String call : lines(javaLog)) {
            assertTrue(call.contains(" -cp " + root + "/shell/target/ipcsh.jar:"), call);
        }
        assertTrue(lines(javaLog).getLast().contains(" -Dipcsh.home=" + root + " "), lines(javaLog).getLast());
    }

    @Test
    void saysWhatIsMissingWithoutAJdk25() throws Exception {
        Files.walk(root.resolve("jvm/jdk-25")).sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        Result r = launch("-e", "1");
        assertEquals(127, r.status());
        assertTrue(r.err().contains("ipcsh: needs a JDK 25 or newer"), r.err());
        assertFalse(Files.exists(javaLog));
    }

    @Test
    void jsJitWithoutTheCompilerJarsPrintsACommandThatBuildsWhatItNeeds() throws Exception {
        Result r = run(root, List.of(root.resolve("ipcsh").toString(), "--js-jit", "app.js"));
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains("--js-jit needs the GraalVM compiler jars"), r.err());
        // without -am, Maven looks for the ipcsh-builtins module in Maven Central and fails on a
        // machine that never ran mvn install
        assertTrue(r.err().contains("mvn -q -B -pl script-engine -am -Pjs-jit package -DskipTests"), r.err());
        assertFalse(Files.exists(javaLog));
    }

    record Result(int status, String out, String err) {}

    private Result launch(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(root.resolve("ipcsh").toString()));
        cmd.addAll(List.of(args));
        Result r = run(root, cmd);
        if (r.status() != 0 && r.status() != 127) throw new AssertionError("launcher failed: " + r);
        return r;
    }

    private Result run(Path dir, List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME");
        env.put("IPCSH_JVM_DIR", root.resolve("jvm").toString());
        env.put("PATH", root.resolve("bin") + ":/usr/bin:/bin");
        Path out = root.resolve("out.txt"), err = root.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("launcher still running after 30 s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A JDK folder with a release file, javac, and a java that logs its command line. */
    private void fakeJdk(String name, String version) throws IOException {
        Path home = root.resolve("jvm").resolve(name);
        write(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        write(home.resolve("bin/javac"), "#!/bin/bash\n");
        write(home.resolve("bin/java"), """
                #!/bin/bash
                echo "$0 $*" >> '%s'
                for a; do case $a in -XX:AOTCacheOutput=*) : > "${a#*=}" ;; esac; done
                echo ran
                """.formatted(javaLog));
        executable(home.resolve("bin/javac"));
        executable(home.resolve("bin/java"));
    }

    private static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    private static void copyExecutable(Path from, Path to) throws IOException {
        Files.copy(from, to);
        executable(to);
    }

    private static void executable(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void age(Path p, long seconds) throws IOException {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(seconds)));
    }

    private static List<String> lines(Path p) throws IOException {
        return Files.exists(p) ? Files.readAllLines(p) : List.of();
    }
}
