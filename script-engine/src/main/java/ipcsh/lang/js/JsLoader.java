package ipcsh.lang.js;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Makes the engine on the first JS use. A JS run has GraalJS on its class path. A Clojure run
 * does not: every jar on the class path is opened, and its directory kept in memory, by the
 * first lookup that walks the class path (the time zone's ServiceLoader, which Clojure's
 * namespace loading asks for), and the GraalJS, Truffle and ICU jars' directories are 2 MB of
 * heap. The launcher names those jars in {@value #PATH_PROPERTY}; the engine's classes are then
 * loaded from them and from this jar by a loader of their own, which asks the application's
 * loader for everything else (the shell, Clojure, this package's side that the shell sees).
 */
final class JsLoader {
    static final String PATH_PROPERTY = "ipcsh.js.classpath";
    private static final String PACKAGE = "ipcsh.lang.js.";
    /** This package's classes the shell itself uses: they stay the application loader's (and GraalVM-free). */
    private static final Set<String> SHELL_SIDE = Set.of("Js", "JsRuntime", "JsLoader", "JsErrors", "JsExtras", "JsText", "TrainJs");

    /** Packages whose classes the application loader (or the JDK) has: asked there first. */
    private static final List<String> PARENT_FIRST = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "ipcsh.", "clojure.");

    private JsLoader() {}

    static JsRuntime engine() {
        ClassLoader app = JsLoader.class.getClassLoader();
        String path = System.getProperty(PATH_PROPERTY, "");
        ClassLoader loader = path.isEmpty() || app.getResource("org/graalvm/polyglot/Context.class") != null
                ? app : new EngineLoader(urls(path), app);
        try {
            return (JsRuntime) Class.forName(PACKAGE + "JsEngine", true, loader).getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the JavaScript engine could not be loaded: " + e, e);
        }
    }

    /** This jar first (the engine's classes), then the named jars. */
    private static URL[] urls(String path) {
        List<URL> urls = new ArrayList<>();
        try {
            urls.add(JsLoader.class.getProtectionDomain().getCodeSource().getLocation().toURI().toURL());
            for (String p : path.split(File.pathSeparator)) {
                if (p.endsWith(".jar")) urls.add(new File(p).toURI().toURL());
            }
        } catch (MalformedURLException | URISyntaxException e) {
            throw new IllegalStateException(PATH_PROPERTY + ": " + e.getMessage(), e);
        }
        return urls.toArray(URL[]::new);
    }

    /**
     * Child-first for the engine's classes of this package and for GraalVM's own (everything
     * outside the JDK's, Clojure's and the shell's packages: asking the application loader first
     * cost a ClassNotFoundException for each of GraalJS's ~7,500 classes), parent-first for the rest.
     */
    private static final class EngineLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        EngineLoader(URL[] urls, ClassLoader parent) {
            super("ipcsh-js", urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            boolean engine = engineSide(name);
            if (!engine && !graalSide(name)) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        if (engine) throw e;
                        c = getParent().loadClass(name);
                    }
                }
                if (resolve) resolveClass(c);
                return c;
            }
        }

        private static boolean engineSide(String name) {
            if (!name.startsWith(PACKAGE) || name.indexOf('.', PACKAGE.length()) >= 0) return false;
            String simple = name.substring(PACKAGE.length());
            int nested = simple.indexOf('$');
            return !SHELL_SIDE.contains(nested < 0 ? simple : simple.substring(0, nested));
        }

        private static boolean graalSide(String name) {
            for (String p : PARENT_FIRST) {
                if (name.startsWith(p)) return false;
            }
            return true;
        }
    }
}
