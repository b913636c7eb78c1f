package ipcsh.shell.repl;

import ipcsh.lang.js.Js;
import ipcsh.loop.EventLoop;
import org.jline.reader.Candidate;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Tab in the REPL's JavaScript mode: after "ipc." the ipc object's members (the registry's
 * JS names), after "v." the members of what v holds in the session now (for a channel, the
 * channel methods), at the start of a name the session's globals, JavaScript's keywords and
 * ipc. Live names are read on the interpreter thread (the one-thread rule); the line reader
 * waits for them a bounded time, so a callback that blocks costs a Tab its live names, never
 * the prompt.
 */
final class JsCompleter {
    static final List<String> KEYWORDS = List.of("async", "await", "break", "case", "catch", "class", "const",
            "continue", "debugger", "default", "delete", "do", "else", "export", "extends", "false", "finally", "for",
            "function", "if", "import", "in", "instanceof", "let", "new", "null", "of", "return", "super", "switch",
            "this", "throw", "true", "try", "typeof", "undefined", "var", "void", "while", "yield");
    /** The first Tab of a session may start the JS engine (as the first entry would): about a second, more on a loaded machine. */
    private static final long WAIT_MS = 5_000;
    private final EventLoop loop;

    JsCompleter(EventLoop loop) {
        this.loop = loop;
    }

    void complete(String word, List<Candidate> candidates) {
        int dot = word.lastIndexOf('.');
        if (dot < 0) {
            for (String k : KEYWORDS) candidates.add(new Candidate(k, k, "keywords", null, null, null, true));
            List<String> globals = live(Js::globalNames);
            for (String g : globals == null ? List.of("ipc") : globals) {
                candidates.add(new Candidate(g, g, "globals", g.equals("ipc") ? "the builtins" : null, null, null, false));
            }
            return;
        }
        String target = word.substring(0, dot), prefix = word.substring(0, dot + 1);
        if (target.equals("ipc")) {
            members(prefix, Js.ipcMembers(), "ipc", candidates);
            return;
        }
        Js.Members m = live(() -> Js.membersOf(target));
        if (m == null) return;
        if (m.channel()) {
            members(prefix, Js.channelMethods(), "channel methods", candidates);
        } else {
            for (String n : m.names()) candidates.add(new Candidate(prefix + n, n, null, null, null, null, false));
        }
    }

    private static void members(String prefix, Map<String, String> members, String group, List<Candidate> candidates) {
        members.forEach((n, summary) -> candidates.add(new Candidate(prefix + n, n, group, summary, null, null, false)));
    }

    /** What f gives on the interpreter thread; null when it fails or the thread stays busy. */
    private <T> T live(Supplier<T> f) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.post(() -> {
            try {
                result.complete(f.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
