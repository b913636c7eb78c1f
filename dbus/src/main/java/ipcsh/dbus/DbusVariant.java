package ipcsh.dbus;

/** A value with its variant type stated, from (dbus-variant "u" 5): sent as that type inside a v. */
public record DbusVariant(String signature, Object value) implements ipcsh.Handle {
    @Override
    public String toString() {
        return "#dbus-variant[" + signature + " " + value + "]";
    }
}
