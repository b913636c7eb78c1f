package ipcsh.lang;

import ipcsh.registry.Registry;

/** Serving REPL sessions to other processes of the same user: a group the script engine provides. */
public final class AttachBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "Attaching a REPL";
    }

    /** After the builtins module's groups, whatever the class path order. */
    @Override
    public int rank() {
        return 1;
    }

    @Override
    public void register(Registry r) {
        r.add("repl-server", "([path] [path opts] [port opts])", """
                Serves REPL sessions on a new unix socket at path, 0600 from the moment it exists and \
                listed by that path (sockets, who-has, tap :to find it); a process of another user \
                (SO_PEERCRED) is refused and the refusal logged on stderr. Each session's forms run on the \
                interpreter thread between events, so they see and change the running script's vars, \
                channels and handlers; what they print goes to the session: *out* and *err*, and what \
                builtins print for the person at the shell (hexdump, dump, expect's log). A session is \
                Clojure's line REPL (prompt "user=> "; usable with socat - UNIX-CONNECT:path, nc -U or \
                inf-clojure) until it evaluates (clojure.core.server/io-prepl) or :prepl, then it gets \
                prepl messages ({:tag :ret :val "3" :ns "user" :ms 0 :form "(+ 1 2)"}, {:tag :out :val …}, \
                exceptions as {:tag :ret :exception true :val "<Throwable->map>"}; the :ret of a listing \
                also carries :rows, its rows with every cell as text, which ipcsh --attach shows as a \
                table). {:prepl true} makes every session prepl. ipcsh --attach path connects with the \
                full line editor. A client that is refused reads one line "refused: REASON" before the \
                connection closes. A stale socket file nobody listens on is replaced. Keeps a script \
                running; (close srv) stops it and ends its sessions, and the socket file goes then or when \
                the shell exits (also on SIGTERM). Returns the server. Also: ipcsh --repl-server path \
                script.ipcs. \
                The tcp form (repl-server 5555 {:token-file "/home/me/.ipcsh-token"}) listens on \
                loopback only (:host "127.0.0.1" default, "::1" or "localhost"; port 0 picks a free port, \
                which (.port srv) tells). Every client must first send the token line: the token read \
                from :token-file, a regular file of the shell's user that nobody else may read or write \
                (0600; a symbolic link is refused) holding one line of 16 to 512 characters. The line is \
                read with limits, since anyone on the machine can connect: at most 1024 bytes, within \
                :auth-timeout ms (default 10000), and by at most 8 connections at once (a ninth is \
                refused at once with "refused: too many connections waiting to authenticate (8); try \
                again later"). A wrong token, a longer line or none in time is refused and logged. \
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
                }).returns("any");
    }

    /** The tcp form's deadline for the token line: 1 ms to 10 minutes, 10 s by default. */
    private static long authTimeout(ipcsh.registry.Options o) {
        return o.count("auth-timeout", ReplAuth.DEFAULT_DEADLINE_MS, 1, 600_000);
    }
}
