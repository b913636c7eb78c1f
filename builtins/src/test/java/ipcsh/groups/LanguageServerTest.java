package ipcsh.groups;

import ipcsh.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real language server (pylsp, from python3-pylsp) spoken to with rpc over spawn and the :content-length framing. */
@Timeout(120)
class LanguageServerTest {
    @Test
    void initializeHoverShutdownExitWithPylsp() {
        Object srv = T.call("spawn", List.of("pylsp"));
        Object p = T.call("rpc", srv, T.opts("framing", T.kw("content-length")));
        List<Object> requests = new ArrayList<>();
        // server-to-client requests a client must answer; pylsp asks for some of them depending on its version
        T.call("rpc-on", p, "workspace/configuration", (Callback) x -> {
            requests.add(x[0]);
            return List.of(Map.of());
        });
        T.call("rpc-on", p, "window/workDoneProgress/create", (Callback) x -> null);
        Map<?, ?> init = (Map<?, ?>) T.call("rpc-call", p, "initialize", Map.of(
                "processId", ProcessHandle.current().pid(),
                "rootUri", "file:///tmp",
                "capabilities", Map.of("workspace", Map.of("configuration", true))), T.opts("timeout", 60_000L));
        Map<?, ?> caps = (Map<?, ?>) init.get("capabilities");
        assertEquals(true, caps.get("hoverProvider"), caps.toString());
        T.call("rpc-notify", p, "initialized", Map.of());
        String uri = "file:///tmp/ipcsh-rpc-hover.py";
        T.call("rpc-notify", p, "textDocument/didOpen", Map.of("textDocument", Map.of(
                "uri", uri, "languageId", "python", "version", 1L, "text", "import os\nos.path.join\n")));
        Map<?, ?> hover = (Map<?, ?>) T.call("rpc-call", p, "textDocument/hover", Map.of(
                "textDocument", Map.of("uri", uri), "position", Map.of("line", 1L, "character", 9L)), T.opts("timeout", 60_000L));
        String contents = String.valueOf(hover.get("contents"));
        assertTrue(contents.contains("join(") && contents.contains("paths"), contents);
        assertNull(T.call("rpc-call", p, "shutdown", null, T.opts("timeout", 30_000L)));
        T.call("rpc-notify", p, "exit", null);
        assertEquals(0L, ((Number) T.call("wait", srv, T.opts("timeout", 30_000L))).longValue());
        for (Object r : requests) assertTrue(r instanceof Map<?, ?> m && m.containsKey("items"), r.toString());
    }
}
