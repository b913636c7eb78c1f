package ipcsh.lang.clj;

import clojure.lang.IPersistentMap;
import clojure.lang.ISeq;
import clojure.lang.Keyword;
import clojure.lang.PersistentVector;
import clojure.lang.RT;
import clojure.lang.RestFn;
import clojure.lang.Symbol;
import ipcsh.IpcException;
import ipcsh.registry.Builtin;

import java.util.List;

/**
 * with-lock and with-mutex: forms that take a body, so macros, built in Java as with-sem is (start-up
 * compiles nothing for them). Their Builtin records carry (doc) and the man page text; JS has each as
 * a function taking a fn (the js Bootstrap's ipc.withLock, ipc.withMutex).
 */
final class LockForms {
    private static final String NS = ClojureRuntime.NS;

    private LockForms() {}

    static List<Builtin> forms() {
        return List.of(new Builtin("with-lock", "Locks", "([path & body] [path opts & body] [l & body])", """
                Takes the lock on the file at path (lock), evaluates body and releases the lock in \
                a finally, so it is released however body ends, a throw included; returns body's value. \
                path may be a lock handle instead (from lock, released): it is taken again and only \
                unlocked after, the cheapest cycle for a loop. \
                With a literal options map after path (the options of lock) followed by a body: \
                (with-lock "/run/lock/job.lock" {:wait false} body...) runs body only when the lock is \
                free now and is nil otherwise; {:timeout ms} gives up with a timeout error. The way to \
                keep two cron runs of a script from overlapping. From JavaScript: ipc.withLock(path, fn) \
                and ipc.withLock(path, opts, fn).""",
                a -> {
                    throw new IpcException("with-lock is a form, not a function: (with-lock path body...)");
                }, null).withJsArglists("([path f] [path opts f])").returning("any"),
                new Builtin("with-mutex", "Locks", "([m & body] [[info m] & body])", """
                Locks the mutex m (lock-mutex), evaluates body and unlocks it (unlock-mutex); returns body's \
                value. (with-mutex [info m] body...) binds info to lock-mutex's answer, {:owner-died true} \
                when the last holder died holding it: body should then repair the data before going on. \
                When body throws after an owner's death, the repair counts as failed and the mutex is left \
                unusable (ENOTRECOVERABLE) rather than handed on half-repaired; any other throw just \
                unlocks. From JavaScript: ipc.withMutex(m, info => ...).""",
                a -> {
                    throw new IpcException("with-mutex is a form, not a function: (with-mutex m body...)");
                }, null).withJsArglists("([m f])").returning("any"));
    }

    static RestFn macro(String name) {
        return switch (name) {
            case "with-lock" -> new WithLock();
            case "with-mutex" -> new WithMutex();
            default -> null;
        };
    }

    private static Symbol core(String name) {
        return Symbol.intern(NS, name);
    }

    private static Symbol gensym(String prefix) {
        return Symbol.intern(prefix + "__" + RT.nextID() + "__auto__");
    }

    /**
     * (with-lock path body...) → (let [t# path l# (lock t#)] (when l# (try body... (finally (if (string? t#)
     * (close l#) (unlock l#)))))); a map literal right after path, with a body after it, is lock's options.
     */
    private static final class WithLock extends RestFn {
        @Override
        public int getRequiredArity() {
            return 3;
        }

        @Override
        protected Object doInvoke(Object form, Object env, Object path, Object body) {
            ISeq b = (ISeq) body;
            Object call = RT.list(core("lock"), path);
            if (b != null && b.first() instanceof IPersistentMap && b.next() != null) {
                call = RT.list(core("lock"), path, b.first());
                b = b.next();
            }
            Symbol l = gensym("lock"), t = gensym("target");
            // a lock made here is closed (its descriptor kept for the path's next lock); a handle given is only unlocked
            Object release = RT.list(Symbol.intern("finally"), RT.list(Symbol.intern("if"),
                    RT.list(Symbol.intern("clojure.core", "string?"), t), RT.list(core("close"), l), RT.list(core("unlock"), l)));
            Object tryForm = RT.cons(Symbol.intern("try"), RT.seq(bodyVector(b).cons(release)));
            ISeq callArgs = ((ISeq) call).next().next();
            Object lockCall = callArgs == null ? RT.list(core("lock"), t) : RT.list(core("lock"), t, callArgs.first());
            return RT.list(Symbol.intern("clojure.core", "let"), PersistentVector.create(t, path, l, lockCall),
                    RT.list(Symbol.intern("clojure.core", "when"), l, tryForm));
        }
    }

    /**
     * (with-mutex m body...) or (with-mutex [info m] body...) → (let [m# m info (lock-mutex m#)
     * v# (try (do body...) (catch Throwable e# (unlock-mutex m# {:repaired false}) (throw e#)))]
     * (unlock-mutex m#) v#).
     */
    private static final class WithMutex extends RestFn {
        @Override
        public int getRequiredArity() {
            return 3;
        }

        @Override
        protected Object doInvoke(Object form, Object env, Object target, Object body) {
            Object info = gensym("info"), m = target;
            if (target instanceof PersistentVector v) {
                if (v.count() != 2 || !(v.nth(0) instanceof Symbol)) {
                    throw new IpcException("with-mutex: the binding form is [name m], as in (with-mutex [info m] body...)");
                }
                info = v.nth(0);
                m = v.nth(1);
            }
            Symbol g = gensym("mutex"), value = gensym("value"), e = gensym("e");
            Object failed = RT.list(Symbol.intern("catch"), Symbol.intern("java.lang.Throwable"), e,
                    RT.list(core("unlock-mutex"), g, RT.map(Keyword.intern("repaired"), false)),
                    RT.list(Symbol.intern("throw"), e));
            Object run = RT.list(Symbol.intern("try"), RT.cons(Symbol.intern("do"), (ISeq) body), failed);
            return RT.list(Symbol.intern("clojure.core", "let"),
                    PersistentVector.create(g, m, info, RT.list(core("lock-mutex"), g), value, run),
                    RT.list(core("unlock-mutex"), g), value);
        }
    }

    private static PersistentVector bodyVector(ISeq body) {
        return body == null ? PersistentVector.EMPTY : PersistentVector.create(body);
    }
}
