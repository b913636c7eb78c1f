package ipcsh;

import java.util.function.Supplier;

/**
 * Registration traces: where in the user's script a callback was registered or a child was
 * started, since a stack taken later, when the loop runs the callback or reaps the child, says
 * nothing about that. Every floor takes them (a driver starting a child as well as the loop), so
 * they live here; the loop's {@code CallbackError} renders them.
 */
public final class RegisteredAt {
    private RegisteredAt() {}

    private static volatile Supplier<Throwable> languageStack = () -> null;

    /**
     * A fresh trace; call it in the builtin that registers. Its Java stack shows a Clojure caller;
     * a language whose frames are not Java frames (JavaScript) adds its own stack as the cause.
     */
    public static Throwable here(String what) {
        return new Throwable(what + " registered here", languageStack.get());
    }

    /** Where the language runtime says its caller is (null when no such code is running). */
    public static void languageStack(Supplier<Throwable> stack) {
        languageStack = stack;
    }
}
