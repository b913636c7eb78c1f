package ipcsh.dbus;

/** The object path rule of the D-Bus specification: "/" or /-separated [A-Za-z0-9_] elements. */
final class ObjectPaths {
    private ObjectPaths() {}

    static boolean valid(String p) {
        if (p.equals("/")) return true;
        if (!p.startsWith("/") || p.endsWith("/") || p.contains("//")) return false;
        for (int i = 1; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c != '/' && c != '_' && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9')) return false;
        }
        return true;
    }
}
