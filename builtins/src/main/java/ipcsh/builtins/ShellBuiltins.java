package ipcsh.builtins;

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
                Ends the shell (or the script) at once with the exit status (0 by default).""",
                a -> {
                    a.arity(0, 1);
                    long n = a.has(0) ? a.integer(0, "an exit status") : 0;
                    throw new ExitRequest((int) n);
                });
        r.add("sleep", "([ms])", """
                Waits ms milliseconds without serving events (callbacks and timers wait too); Ctrl-C \
                interrupts it. Returns nil.""",
                a -> {
                    Waiter.sleep(a.arity(1, 1).integer(0, "milliseconds"), "sleep");
                    return null;
                });
    }
}
