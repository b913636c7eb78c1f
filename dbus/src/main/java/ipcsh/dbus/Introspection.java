package ipcsh.dbus;

import ipcsh.IpcException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An object's introspection XML as data ({:interfaces [...] :children [...]}), the tree of
 * paths under a destination, and the signature a call without {:signature} is sent with.
 */
final class Introspection {
    static final int TREE_MAX = 10_000;

    private Introspection() {}

    static Map<String, Object> of(Bus bus, String who, String dest, String path) {
        Object xml = Calls.result(Calls.call(bus, who, dest, path, "org.freedesktop.DBus.Introspectable", "Introspect",
                Signature.parse(who, ""), List.of(), Calls.DEFAULT_TIMEOUT, false));
        Map<String, Object> data = parse(who + " " + dest + " " + path, String.valueOf(xml));
        bus.introspected.put(dest + " " + path, data);
        return data;
    }

    static Map<String, Object> parse(String what, String xml) {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            doc = f.newDocumentBuilder().parse(new org.xml.sax.InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new IpcException(what + ": its introspection data is not XML: " + Calls.oneLine(e));
        }
        Element root = doc.getDocumentElement();
        List<Object> ifaces = new ArrayList<>();
        List<Object> children = new ArrayList<>();
        for (Element e : kids(root)) {
            if (e.getTagName().equals("interface")) ifaces.add(iface(e));
            else if (e.getTagName().equals("node")) children.add(e.getAttribute("name"));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("interfaces", ifaces);
        out.put("children", children);
        return out;
    }

    private static Map<String, Object> iface(Element e) {
        List<Object> methods = new ArrayList<>(), signals = new ArrayList<>(), props = new ArrayList<>();
        for (Element k : kids(e)) {
            switch (k.getTagName()) {
                case "method" -> methods.add(member(k, true));
                case "signal" -> signals.add(member(k, false));
                case "property" -> {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("name", k.getAttribute("name"));
                    p.put("type", k.getAttribute("type"));
                    p.put("access", k.getAttribute("access"));
                    props.add(p);
                }
                default -> { }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.getAttribute("name"));
        m.put("methods", methods);
        m.put("signals", signals);
        m.put("properties", props);
        return m;
    }

    private static Map<String, Object> member(Element k, boolean method) {
        List<Object> args = new ArrayList<>();
        StringBuilder in = new StringBuilder(), out = new StringBuilder();
        for (Element a : kids(k)) {
            if (!a.getTagName().equals("arg")) continue;
            Map<String, Object> arg = new LinkedHashMap<>();
            String dir = a.getAttribute("direction");
            if (dir.isEmpty()) dir = method ? "in" : "out";
            arg.put("name", a.getAttribute("name"));
            arg.put("type", a.getAttribute("type"));
            if (method) arg.put("direction", dir);
            args.add(arg);
            (dir.equals("in") ? in : out).append(a.getAttribute("type"));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", k.getAttribute("name"));
        m.put("args", args);
        if (method) {
            m.put("in", in.toString());
            m.put("out", out.toString());
        } else {
            m.put("signature", out.toString());
        }
        return m;
    }

    private static List<Element> kids(Element e) {
        List<Element> out = new ArrayList<>();
        NodeList nl = e.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            Node n = nl.item(i);
            if (n instanceof Element el) out.add(el);
        }
        return out;
    }

    /** Every object path under dest, from "/", as busctl tree walks it. */
    static List<Object> tree(Bus bus, String who, String dest) {
        List<Object> paths = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>(List.of("/"));
        while (!todo.isEmpty() && paths.size() < TREE_MAX) {
            String p = todo.poll();
            paths.add(p);
            Map<String, Object> data;
            try {
                data = of(bus, who, dest, p);
            } catch (IpcException e) {
                if (p.equals("/")) throw e;
                continue;
            }
            List<?> kids = (List<?>) data.get("children");
            for (int i = kids.size() - 1; i >= 0; i--) todo.push((p.equals("/") ? "" : p) + "/" + kids.get(i));
        }
        return paths;
    }

    /** The in-signature of iface.method at dest/path by its introspection data; null when it does not say. */
    @SuppressWarnings("unchecked")
    static String inSignature(Bus bus, String who, String dest, String path, String iface, String method) {
        Map<String, Object> data = bus.introspected.get(dest + " " + path);
        if (data == null) {
            try {
                data = of(bus, who, dest, path);
            } catch (IpcException e) {
                return null;
            }
        }
        for (Object i : (List<Object>) data.get("interfaces")) {
            Map<String, Object> im = (Map<String, Object>) i;
            if (iface != null && !iface.equals(im.get("name"))) continue;
            for (Object m : (List<Object>) im.get("methods")) {
                Map<String, Object> mm = (Map<String, Object>) m;
                if (method.equals(mm.get("name"))) return (String) mm.get("in");
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    static String propertyType(Bus bus, String who, String dest, String path, String iface, String prop) {
        Map<String, Object> data = bus.introspected.get(dest + " " + path);
        if (data == null) data = of(bus, who, dest, path);
        for (Object i : (List<Object>) data.get("interfaces")) {
            Map<String, Object> im = (Map<String, Object>) i;
            if (!iface.equals(im.get("name"))) continue;
            for (Object p : (List<Object>) im.get("properties")) {
                Map<String, Object> pm = (Map<String, Object>) p;
                if (prop.equals(pm.get("name"))) return (String) pm.get("type");
            }
        }
        return null;
    }
}
