package ipcsh.dbus;

import java.util.Map;

/** The introspection XML of an exported path, as busctl introspect and gdbus introspect read it. */
final class IntrospectXml {
    private IntrospectXml() {}

    private static final String STANDARD = """
             <interface name="org.freedesktop.DBus.Introspectable">
              <method name="Introspect"><arg name="xml_data" type="s" direction="out"/></method>
             </interface>
             <interface name="org.freedesktop.DBus.Peer">
              <method name="Ping"/>
              <method name="GetMachineId"><arg name="machine_uuid" type="s" direction="out"/></method>
             </interface>
            """;

    private static final String PROPERTIES = """
             <interface name="org.freedesktop.DBus.Properties">
              <method name="Get"><arg name="interface_name" type="s" direction="in"/><arg name="property_name" type="s" direction="in"/><arg name="value" type="v" direction="out"/></method>
              <method name="GetAll"><arg name="interface_name" type="s" direction="in"/><arg name="props" type="a{sv}" direction="out"/></method>
              <method name="Set"><arg name="interface_name" type="s" direction="in"/><arg name="property_name" type="s" direction="in"/><arg name="value" type="v" direction="in"/></method>
              <signal name="PropertiesChanged"><arg name="interface_name" type="s"/><arg name="changed_properties" type="a{sv}"/><arg name="invalidated_properties" type="as"/></signal>
             </interface>
            """;

    static String of(String path, Map<String, Map<String, Exported>> objects) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n")
          .append(" \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n<node>\n").append(STANDARD);
        Map<String, Exported> here = objects.get(path);
        if (here != null) {
            sb.append(PROPERTIES);
            for (Exported e : here.values()) iface(sb, e);
        }
        for (String child : Exports.children(path, objects)) sb.append(" <node name=\"").append(child).append("\"/>\n");
        return sb.append("</node>\n").toString();
    }

    private static void iface(StringBuilder sb, Exported e) {
        sb.append(" <interface name=\"").append(e.iface).append("\">\n");
        for (Exported.Method m : e.methods.values()) {
            sb.append("  <method name=\"").append(m.name()).append("\">\n");
            int i = 0;
            for (Signature.Type t : m.in().types()) arg(sb, "arg_" + i++, t, "in");
            i = 0;
            for (Signature.Type t : m.out().types()) arg(sb, "out_" + i++, t, "out");
            sb.append("  </method>\n");
        }
        for (Map.Entry<String, Signature> s : e.signals.entrySet()) {
            sb.append("  <signal name=\"").append(s.getKey()).append("\">\n");
            int i = 0;
            for (Signature.Type t : s.getValue().types()) arg(sb, "arg_" + i++, t, null);
            sb.append("  </signal>\n");
        }
        for (Exported.Property p : e.properties.values()) {
            sb.append("  <property name=\"").append(p.name()).append("\" type=\"").append(escape(p.type().text()))
              .append("\" access=\"").append(p.access()).append("\"/>\n");
        }
        sb.append(" </interface>\n");
    }

    private static void arg(StringBuilder sb, String name, Signature.Type t, String direction) {
        sb.append("   <arg name=\"").append(name).append("\" type=\"").append(escape(t.text())).append('"');
        if (direction != null) sb.append(" direction=\"").append(direction).append('"');
        sb.append("/>\n");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;");
    }
}
