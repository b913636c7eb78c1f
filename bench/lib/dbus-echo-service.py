# bench dbus-call: the service both clients call, org.example.Bench at /bench: Str(s) -> s.
import sys
import dbus, dbus.service, dbus.bus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])

class Bench(dbus.service.Object):
    @dbus.service.method("org.example.Bench", in_signature="s", out_signature="s")
    def Str(self, s):
        return s

name = dbus.service.BusName("org.example.Bench", bus)
Bench(bus, "/bench")
print("ready", flush=True)
GLib.MainLoop().run()
