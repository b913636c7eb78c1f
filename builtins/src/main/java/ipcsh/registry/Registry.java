package ipcsh.registry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Every builtin, in man page order. Language bindings, completion and docs read it.
 *
 * <p>It knows no group: each module lists its groups as services, in man page order, in
 * {@code META-INF/services/ipcsh.registry.Registry$Group} (the builtins module's thirteen, the
 * script engine's js, repl-server and help). Groups sort by {@link Group#rank}, then by their
 * line there, so the order never depends on the class path's.
 */
public final class Registry {
    /** A set of related builtins: one man page section. */
    public interface Group {
        String title();

        void register(Registry r);

        /** Lower first: 0 for the builtins module's groups; a module above it says more. */
        default int rank() {
            return 0;
        }
    }

    private static volatile Registry standard;
    private final Map<String, Builtin> byName = new LinkedHashMap<>();
    private String currentGroup = "";

    public static Registry standard() {
        Registry r = standard;
        if (r == null) {
            synchronized (Registry.class) {
                if (standard == null) standard = of(groups());
                r = standard;
            }
        }
        return r;
    }

    /** The groups on the class path, in man page order. */
    public static List<Group> groups() {
        List<Group> found = inOrder(ServiceLoader.load(Group.class, Registry.class.getClassLoader()));
        if (found.isEmpty()) {
            throw new IllegalStateException("no builtin groups: no META-INF/services/" + Group.class.getName()
                    + " on the class path (the builtins module's jar is missing)");
        }
        return found;
    }

    /** Groups as found, sorted by rank; the sort is stable, so a module's own order stays. */
    static List<Group> inOrder(Iterable<Group> found) {
        List<Group> all = new ArrayList<>();
        for (Group g : found) all.add(g);
        all.sort(Comparator.comparingInt(Group::rank));
        return all;
    }

    /** A registry of these groups, registered in this order. */
    public static Registry of(List<Group> groups) {
        Registry r = new Registry();
        for (Group g : groups) {
            r.currentGroup = g.title();
            g.register(r);
        }
        return r;
    }

    /** Registers a builtin; the entry it returns declares more about it (its return type...). */
    public Entry add(String name, String arglists, String doc, Builtin.Impl impl) {
        return put(new Builtin(name, currentGroup, arglists, doc, impl, null));
    }

    /** A builtin whose name clojure.core also has: a call whose first argument is not a channel goes to clojure.core. */
    public Entry addShadowingCore(String name, String arglists, String doc, Builtin.Impl impl) {
        return put(new Builtin(name, currentGroup, arglists, doc, impl, name));
    }

    private Entry put(Builtin b) {
        if (byName.putIfAbsent(b.name(), b) != null) throw new IllegalStateException("duplicate builtin " + b.name());
        return new Entry(b.name());
    }

    /**
     * A registered builtin, to declare what its arglists and doc cannot say:
     * {@code r.add("pipe", "([])", doc, impl).returns("[Channel, Channel]")}.
     */
    public final class Entry {
        private final String name;

        private Entry(String name) {
            this.name = name;
        }

        /** What it returns, in TypeScript's notation: "Channel", "void" (nil), "boolean", "number | null"... */
        public Entry returns(String type) {
            byName.computeIfPresent(name, (k, b) -> b.returning(type));
            return this;
        }

        /** JS has a Promise form under its plain name, the binding's own; the builtin is then name + "Sync". */
        public Entry promiseInJs(String summary) {
            byName.computeIfPresent(name, (k, b) -> b.withPromiseForm(summary));
            return this;
        }
    }

    public Collection<Builtin> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    public Builtin get(String name) {
        return byName.get(name);
    }
}
