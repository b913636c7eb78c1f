package ipcsh.dbus;

import ipcsh.IpcException;
import ipcsh.chan.Channel;

import java.io.IOException;
import java.util.List;

/**
 * (dbus-monitor bus): a connection of its own that becomes a monitor (BecomeMonitor), or, where
 * the bus refuses that, eavesdrops through match rules with eavesdrop='true'; its messages are
 * a {@link MonitorDriver} channel.
 */
final class BusMonitor {
    private static final List<String> ALL = List.of("type='method_call'", "type='method_return'", "type='error'", "type='signal'");

    private BusMonitor() {}

    static Channel open(String who, Bus of, List<String> rules, boolean print, String log, String pcap, long max) {
        Bus m = BusOpen.open(who, of.address);
        MonitorDriver d;
        try {
            d = new MonitorDriver(m, print, log, pcap, max);
        } catch (IOException e) {
            m.close();
            throw new IpcException(who + ": cannot open " + (log != null ? ":log \"" + log : ":pcap \"" + pcap) + "\": " + Calls.oneLine(e));
        }
        m.inbox.keepRaw = pcap != null;
        m.monitor = d;
        try {
            Calls.call(m, who, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                    Signature.parse(who, "asu"), List.of(rules, 0L), Calls.DEFAULT_TIMEOUT, false);
        } catch (IpcException refused) {
            if (refused.data().get("dbus-error") == null) {
                d.close();
                throw refused;
            }
            try {
                for (String r : rules.isEmpty() ? ALL : rules) {
                    Calls.daemon(m, who, "AddMatch", "s", r + ",eavesdrop='true'");
                }
            } catch (IpcException e) {
                d.close();
                throw new IpcException(who + " " + of.address + ": the bus refused BecomeMonitor (" + refused.data().get("dbus-error")
                        + ") and eavesdropping (" + e.getMessage() + ")");
            }
        }
        return new Channel(d);
    }
}
