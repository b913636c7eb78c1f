# A D-Bus echo service for the tests: Echo returns its arguments as they came, types and all.
import sys, time
import dbus, dbus.service, dbus.bus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])

class Echo(dbus.service.Object):
    @dbus.service.method("org.example.Echo", in_signature=None, out_signature=None, byte_arrays=False)
    def Echo(self, *args):
        return tuple(args) if len(args) != 1 else args[0]

    @dbus.service.method("org.example.Echo", in_signature="s", out_signature="s")
    def Str(self, s):
        return s

    @dbus.service.method("org.example.Echo", in_signature="u", out_signature="")
    def Sleep(self, ms):
        time.sleep(ms / 1000.0)

    @dbus.service.method("org.example.Echo", in_signature="s", out_signature="")
    def Fail(self, why):
        raise dbus.exceptions.DBusException(why, name="org.example.Error.Busy")

    @dbus.service.method("org.example.Echo", in_signature="u", out_signature="")
    def Blast(self, n):
        for i in range(n):
            self.Tick(i)

    props = {"Volume": dbus.UInt32(5), "Label": dbus.String("speaker")}

    @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="ss", out_signature="v")
    def Get(self, iface, name):
        return self.props[name]

    @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="ssv", out_signature="")
    def Set(self, iface, name, value):
        if name == "Volume" and not isinstance(value, dbus.UInt32):
            raise dbus.exceptions.DBusException("Volume takes a u", name="org.freedesktop.DBus.Error.InvalidArgs")
        self.props[name] = value

    @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        return self.props

    @dbus.service.signal("org.example.Echo", signature="u")
    def Tick(self, i):
        pass

name = dbus.service.BusName("org.example.Echo", bus)
Echo(bus, "/org/example/Echo")
print("ready", flush=True)
GLib.MainLoop().run()
