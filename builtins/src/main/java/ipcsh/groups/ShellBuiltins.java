package ipcsh.groups;

import ipcsh.ExitRequest;
import ipcsh.chan.Waiter;
import ipcsh.registry.Registry;

/** Builtins about the shell itself. */
public final class ShellBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "Shell";
    }

    @Override
    public void register(Registry r) {
        r.add("exit", "([] [status])", """
                Ends the shell (or the script) at once with the exit status, 0 to 255 (0 by default); \
                any other status is an error, as the OS would keep only its low 8 bits.""",
                a -> {
                    a.arity(0, 1);
                    long n = a.has(0) ? a.count(0, "status", 0, 255) : 0;
                    throw new ExitRequest((int) n);
                }).returns("never");
        r.add("sleep", "([ms])", """
                Waits ms milliseconds (0 to 2147483647, about 24.9 days) without serving events \
                (callbacks and timers wait too); Ctrl-C interrupts it. Returns nil.""",
                a -> {
                    Waiter.sleep(a.arity(1, 1).duration(0, "ms"), "sleep");
                    return null;
                }).returns("void")
                .promiseInJs("A Promise resolved after ms milliseconds (the event loop serves events meanwhile).");
    }
}
