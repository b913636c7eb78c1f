package ipcsh.dbus;

import ipcsh.registry.Registry;

/**
 * The D-Bus builtins. Loaded at every start-up to register them, so it names no dbus-java class:
 * each body is a call into {@link DbusVerbs}, whose classes load on the first D-Bus call.
 */
public final class DbusBuiltins implements Registry.Group {
    @Override
    public String title() {
        return "DBus, the Linux service bus";
    }

    @Override
    public int rank() {
        return 2;
    }

    @Override
    public void register(Registry r) {
        r.add("dbus", "([] [address])", """
                Connects to a D-Bus bus and returns it: the session bus (DBUS_SESSION_BUS_ADDRESS) with no \
                argument, :system for the system bus, or any address string ("unix:path=/run/user/1000/bus"). \
                (close bus) disconnects; the bus then drops this connection's names, exports and match rules. \
                A bus that is not there is a one-line error naming the address and why (no such file, \
                permission denied, connection refused, authentication rejected). Only unix:path= addresses are \
                supported (not unix:abstract= or tcp:). See (help :dbus) and ipcsh(1), D-BUS.""",
                a -> DbusVerbs.open(a)).returns("DbusBus");
        r.add("dbus-call", "([bus dest path iface method & values])", """
                Calls iface.method on the object at path of dest and returns the reply: nil for no values, \
                the value for one, a vector for several. values are converted by the method's signature, read \
                from the object's introspection data (cached per bus), or given with a last argument \
                {:signature "a{sv}"} (a last map whose keys are only :signature, :timeout, :no-reply is \
                options; to send such a map as the last D-Bus argument, add {} after it). Options: \
                :timeout ms (default 25000; then an error), :no-reply true (send and return nil at once). \
                Conversions are the table in ipcsh(1), D-BUS: integers are range-checked (300 for a y is an \
                error), a variant takes a plain value's natural type or (dbus-variant "u" 5). A D-Bus error \
                reply is an error whose data has :dbus-error (its name) and :dbus-message. The wait serves no \
                callbacks; Ctrl-C ends it. With {:on-reply f} it returns nil at once and (f {:value v}) or \
                (f {:error "…" :dbus-error … :dbus-message …}) runs later on the interpreter thread. iface \
                may be nil.""",
                a -> DbusVerbs.call(a)).returns("any")
                .promiseInJs("A Promise of the reply (dbus-call's :on-reply); it rejects with the error, its dbus-error and dbus-message properties set.");
        r.add("dbus-variant", "([signature value])", """
                A value sent as a variant of the given type: (dbus-variant "u" 5) where a plain 5 would \
                go as an int32 (i). Checked now: (dbus-variant "y" 300) is an error.""",
                a -> DbusVerbs.variant(a)).returns("any");
        r.add("dbus-names", "([bus] [bus opts])", """
                Every name on the bus, well-known ones first, as rows {:name :owner :pid :uid :command} (the \
                owner's unique name, process id and user from the bus daemon, its command line from /proc; \
                nil where unknown). {:activatable true} adds the names the bus can start, with \
                :activatable true or false. A table in the REPL.""",
                a -> DbusVerbs.names(a)).returns("any[]");
        r.add("dbus-owner", "([bus name])", """
                Who owns name now: {:name :owner :pid :uid :command}, or nil when nobody does.""",
                a -> DbusVerbs.owner(a)).returns("any");
        r.add("dbus-introspect", "([bus dest path])", """
                The object at path of dest as data: {:interfaces [{:name :methods [{:name :args [{:name :type \
                :direction}] :in "s" :out "s"}] :signals [{:name :args :signature}] :properties [{:name :type \
                :access}]}] :children ["child" …]}.""",
                a -> DbusVerbs.introspect(a)).returns("any");
        r.add("dbus-tree", "([bus dest])", """
                Every object path of dest, from "/" down through the introspection data's child nodes, as \
                busctl tree shows them (a vector of strings, at most 10000).""",
                a -> DbusVerbs.tree(a)).returns("string[]");
        r.add("dbus-get", "([bus dest path iface prop])", """
                The value of property prop of iface (org.freedesktop.DBus.Properties.Get), unwrapped.""",
                a -> DbusVerbs.get(a)).returns("any");
        r.add("dbus-set", "([bus dest path iface prop value] [bus dest path iface prop value opts])", """
                Sets property prop to value, sent as a variant of the property's type (from the \
                introspection data, or {:signature "u"}, or a dbus-variant). Returns nil.""",
                a -> DbusVerbs.set(a)).returns("void");
        r.add("dbus-props", "([bus dest path iface])", """
                Every property of iface at path as a map (GetAll), values unwrapped.""",
                a -> DbusVerbs.props(a)).returns("any");
        r.add("dbus-on", "([bus rule f])", """
                Watches signals: rule is a map of :sender :path :path-namespace :interface :member \
                :destination :arg0 … :arg3 (all optional), added to the bus as a match rule and checked \
                here. Calls (f signal) on the interpreter thread with {:sender :path :interface :member \
                :args [...] :signature} for each signal (f may take no arguments). Returns a watch; \
                (cancel w) stops delivery and removes the match rule. A script keeps running while a watch \
                is set; an f that throws cancels its watch and its error is reported once.""",
                a -> DbusVerbs.on(a)).returns("Timer");
        r.add("dbus-emit", "([bus path iface member & values])", """
                Sends signal iface.member from path with values, typed by a last {:signature "…"}, else by \
                the signal's declaration in this bus's dbus-export of path, else by each value's natural \
                type. Returns nil.""",
                a -> DbusVerbs.emit(a)).returns("void");
        r.add("dbus-export", "([bus path iface methods] [bus path iface methods opts])", """
                Serves iface at path from script functions: methods is {"Name" {:in "s" :out "s" :fn f \
                :error "org.example.Error.Busy"}}. A call runs (f arg…) on the interpreter thread; its \
                return value is converted by :out (several out types: return a vector) and sent back; a \
                thrown error becomes a D-Bus error reply named by :error (default \
                org.freedesktop.DBus.Error.Failed) with the error's message. opts: :properties {"Name" \
                {:type "i" :get f :set f :value v}} (served by org.freedesktop.DBus.Properties) and \
                :signals {"Name" "signature"}. Introspection XML is generated (busctl introspect, gdbus \
                introspect). Returns the export; (cancel e) takes it off. Exporting iface at a path that \
                exports it already is an error. A script keeps running while something is exported.""",
                a -> DbusVerbs.export(a)).returns("any");
        r.add("dbus-request-name", "([bus name] [bus name opts])", """
                Asks the bus for a well-known name: returns :primary-owner, :already-owner or (with {:queue \
                true}) :in-queue; a name someone else owns is an error naming them. Options :replace and \
                :allow-replacement set those flags. The name is released by dbus-release-name, at close and \
                at exit.""",
                a -> DbusVerbs.requestName(a)).returns("string");
        r.add("dbus-monitor", "([bus] [bus opts])", """
                Watches every message on the bus from a connection of its own (BecomeMonitor; where the \
                bus refuses that, match rules with eavesdrop='true'), as dbus-monitor and busctl monitor \
                do. Prints one line per message (type, serial, reply-to, sender -> destination, path, \
                interface.member or error name, arguments; {:print false} stops that) and returns a \
                message channel: recv gives each message as a map {:type :method-call :serial :sender \
                :destination :path :interface :member :signature :args ...}, gets and expect read its \
                line, on-readable fires for it. Options: :match, a match rule or a vector of them \
                ("interface='org.example.Foo'"; default: everything), :log "file" (every line appended), \
                :pcap "file" (a capture Wireshark opens, as busctl capture writes: link type 231, each \
                message's bytes as they came). \
                Messages the script has not read wait in a queue of :max-queue (default 100000); past that they are dropped \
                and counted: a {:type :dropped :count n} message says how many, and close reports what \
                was still uncounted. (close ch) ends the monitor.""",
                a -> DbusVerbs.monitor(a)).returns("Channel");
        r.add("dbus-release-name", "([bus name])", """
                Gives up a well-known name: returns :released, :non-existent or :not-owner.""",
                a -> DbusVerbs.releaseName(a)).returns("string");
    }
}
