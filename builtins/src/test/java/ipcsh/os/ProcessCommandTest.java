package ipcsh.os;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How listings name a process: an ipcsh by its script and arguments, anything else by its command line. */
class ProcessCommandTest {
    @Test
    void anIpcshLaunchedByClassOrJarIsIpcshAndItsArguments() {
        assertEquals("ipcsh job.ipcs a b", ProcessCommand.shown(List.of("/opt/jdk/bin/java", "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-cp", "/x/ipcsh.jar:/x/lib/clojure.jar", "ipcsh.shell.Main", "job.ipcs", "a", "b")));
        assertEquals("ipcsh", ProcessCommand.shown(List.of("java", "-classpath", "ipcsh.shell.Main", "ipcsh.shell.Main")));
        assertEquals("ipcsh -e (+ 1 2)", ProcessCommand.shown(List.of("java", "-jar", "/home/me/ipcsh/shell/target/ipcsh.jar",
                "-e", "(+ 1 2)")));
    }

    @Test
    void otherProgramsKeepTheirCommandLine() {
        assertEquals("java -cp app.jar com.example.Main ipcsh.shell.Main",
                ProcessCommand.shown(List.of("java", "-cp", "app.jar", "com.example.Main", "ipcsh.shell.Main")));
        assertEquals("java -jar other.jar", ProcessCommand.shown(List.of("java", "-jar", "other.jar")));
        assertEquals("redis-server *:0", ProcessCommand.shown(List.of("redis-server *:0")));
        assertEquals("python3 ipcsh.shell.Main", ProcessCommand.shown(List.of("python3", "ipcsh.shell.Main")));
    }

    @Test
    void thisProcessIsItsCommandLineAndAGoneOneIsNull() {
        String self = ProcessCommand.of(ProcessHandle.current().pid());
        assertEquals(true, self.startsWith(ProcessHandle.current().info().command().orElse("?")), self);
        assertEquals(null, ProcessCommand.of(Integer.MAX_VALUE));
    }
}
