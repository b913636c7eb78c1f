package ipcsh.lang;

import ipcsh.registry.Registry;

/** Serving REPL sessions to other processes of the same user: a group the script engine provides. */
public final class AttachBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "Attaching a REPL";
    }

    @Override
    public void register(Registry r) {
        r.add("repl-server", "([path] [path opts] [port opts])", """
                Serves REPL sessions on a new unix socket at path, made 0600; a process of another user \
                (SO_PEERCRED) is refused and the refusal logged on stderr. Each session's forms run on the \
                interpreter thread between events, so they see and change the running script's vars, \
                channels and handlers; their *out* and *err* go to the session. A session is Clojure's \
                line REPL (prompt "user=> "; usable with socat - UNIX-CONNECT:path, nc -U or inf-clojure) \
                until it evaluates (clojure.core.server/io-prepl) or :prepl, then it gets prepl messages \
                ({:tag :ret :val "3" :ns "user" :ms 0 :form "(+ 1 2)"}, {:tag :out :val …}, exceptions \
                as {:tag :ret :exception true :val "<Throwable->map>"}). {:prepl true} makes every \
                session prepl. ipcsh --attach path connects with the full line editor. A stale socket \
                file nobody listens on is replaced. Keeps a script running; (close srv) stops it and \
                ends its sessions, and the socket file goes then or when the shell exits (also on \
                SIGTERM). Returns the server. Also: ipcsh --repl-server path script.ipcs. \
                The tcp form (repl-server 5555 {:token-file "/home/me/.ipcsh-token"}) listens on \
                loopback only (:host "127.0.0.1" default, "::1" or "localhost"; port 0 picks one: \
                (configure-free: (.port srv))), and every client must first send the token line read \
                from :token-file, a file of the shell's user that nobody else may read (0600) holding \
                at least 16 characters; a wrong token is refused and logged. \
                ipcsh --attach 5555 --token-file F connects to it.""",
                a -> {
                    a.arity(1, 2);
                    if (a.get(0) instanceof Number) {
                        long port = a.integer(0, "a tcp port");
                        if (port < 0 || port > 65535) throw a.wrongType(0, "a tcp port (0 to 65535)");
                        var o = a.options(1).only("prepl", "token-file", "host", "auth-timeout");
                        return ReplServer.startTcp(o.string("host", "127.0.0.1"), (int) port, o.string("token-file", null),
                                authTimeout(o), o.flag("prepl", false));
                    }
                    String path = a.string(0, "a socket path or a tcp port");
                    // :auth-timeout belongs to the tcp form: a unix socket's peers need no token
                    boolean prepl = a.options(1).only("prepl").flag("prepl", false);
                    return ReplServer.start(path, prepl);
                });
    }

    /** The tcp form's deadline for the token line: 1 ms to 10 minutes, 10 s by default. */
    private static long authTimeout(ipcsh.registry.Options o) {
        return o.count("auth-timeout", ReplAuth.DEFAULT_DEADLINE_MS, 1, 600_000);
    }
}
