package ipcsh.registry;

import ipcsh.groups.ChannelVerbs;
import ipcsh.groups.Descriptors;
import ipcsh.groups.CopyBuiltins;
import ipcsh.groups.Debugging;
import ipcsh.groups.EventLoopBuiltins;
import ipcsh.groups.ExpectBuiltins;
import ipcsh.groups.PipesAndFiles;
import ipcsh.groups.Processes;
import ipcsh.groups.SharedMemory;
import ipcsh.groups.QueuesAndSemaphores;
import ipcsh.groups.ShellBuiltins;
import ipcsh.groups.SignalBuiltins;
import ipcsh.groups.SocketBuiltins;
import ipcsh.groups.StdStreams;
import ipcsh.groups.Watches;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Every builtin, in man page order. Language bindings, completion and docs read it.
 *
 * <p>The groups are this module's own ({@link #groups()}), then those other modules provide as
 * services: a jar that lists a class in {@code META-INF/services/ipcsh.registry.Registry$Group}
 * adds its builtins (the script engine adds {@code js} that way, since this module must not
 * depend on it).
 */
public final class Registry {
    /** A set of related builtins: one man page section. */
    public interface Group {
        String title();

        void register(Registry r);
    }

    private static volatile Registry standard;
    private final Map<String, Builtin> byName = new LinkedHashMap<>();
    private String currentGroup = "";

    public static Registry standard() {
        Registry r = standard;
        if (r == null) {
            synchronized (Registry.class) {
                if (standard == null) {
                    r = new Registry();
                    List<Group> all = new ArrayList<>(groups());
                    for (Group g : ServiceLoader.load(Group.class, Registry.class.getClassLoader())) all.add(g);
                    for (Group g : all) {
                        r.currentGroup = g.title();
                        g.register(r);
                    }
                    standard = r;
                }
                r = standard;
            }
        }
        return r;
    }

    /** This module's groups in man page order; a new group adds one line here. Provided groups follow them. */
    public static List<Group> groups() {
        return List.of(new ChannelVerbs(), new CopyBuiltins(), new PipesAndFiles(), new SocketBuiltins(), new Processes(),
                new SharedMemory(),
                new QueuesAndSemaphores(),
                new Descriptors(), new Watches(),
                new EventLoopBuiltins(), new ShellBuiltins(),
                new SignalBuiltins(),
                new ExpectBuiltins(),
                new StdStreams(),
                new Debugging());
    }

    public void add(String name, String arglists, String doc, Builtin.Impl impl) {
        put(new Builtin(name, currentGroup, arglists, doc, impl, null));
    }

    /** A builtin whose name clojure.core also has: a call whose first argument is not a channel goes to clojure.core. */
    public void addShadowingCore(String name, String arglists, String doc, Builtin.Impl impl) {
        put(new Builtin(name, currentGroup, arglists, doc, impl, name));
    }

    private void put(Builtin b) {
        if (byName.putIfAbsent(b.name(), b) != null) throw new IllegalStateException("duplicate builtin " + b.name());
    }

    public Collection<Builtin> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    public Builtin get(String name) {
        return byName.get(name);
    }
}
