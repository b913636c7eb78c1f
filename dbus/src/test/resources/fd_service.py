# A D-Bus service for the unix fd (h) tests: Read reads a descriptor it is given to its end,
# Make returns the read end of a pipe that holds the text it is given.
import os, sys
import dbus, dbus.service, dbus.bus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])

class Fds(dbus.service.Object):
    @dbus.service.method("org.example.Fds", in_signature="h", out_signature="s")
    def Read(self, fd):
        n = fd.take()
        chunks = []
        while True:
            b = os.read(n, 65536)
            if not b:
                break
            chunks.append(b)
        os.close(n)
        return b"".join(chunks).decode()

    @dbus.service.method("org.example.Fds", in_signature="s", out_signature="h")
    def Make(self, text):
        r, w = os.pipe()
        os.write(w, text.encode())
        os.close(w)
        fd = dbus.types.UnixFd(r)  # a copy of r
        os.close(r)
        return fd

    @dbus.service.method("org.example.Fds", in_signature="hs", out_signature="")
    def Write(self, fd, text):
        n = fd.take()
        os.write(n, text.encode())
        os.close(n)

    @dbus.service.method("org.example.Fds", in_signature="s", out_signature="s")
    def ReadFrom(self, dest):
        """Calls dest's Give (at /org/example/Here), which returns a descriptor, and reads it to its end."""
        fd = bus.call_blocking(dest, "/org/example/Here", "org.example.Here", "Give", "", ())
        return self.Read(fd)

    @dbus.service.method("org.example.Fds", in_signature="is", out_signature="h")
    def MakeAfterNoise(self, n, text):
        """Make, after n signals: the reply's descriptor comes behind other messages on the caller's socket."""
        for i in range(n):
            self.Noise(i)
        return self.Make(text)

    @dbus.service.signal("org.example.Fds", signature="i")
    def Noise(self, i):
        pass

    @dbus.service.method("org.example.Fds", in_signature="", out_signature="i")
    def OpenFds(self):
        return len(os.listdir("/proc/self/fd"))

    @dbus.service.method("org.example.Fds", in_signature="ssi", out_signature="i")
    def CallWithFds(self, dest, method, n):
        """Calls dest's method (at /org/example/Here) n times with a pipe end; returns how many failed."""
        failed = 0
        for i in range(n):
            r, w = os.pipe()
            try:
                bus.call_blocking(dest, "/org/example/Here", "org.example.Here", method, "h", (dbus.types.UnixFd(r),))
            except dbus.exceptions.DBusException:
                failed += 1
            os.close(r)
            os.close(w)
        return failed

    @dbus.service.method("org.example.Fds", in_signature="s", out_signature="")
    def Signal(self, text):
        r, w = os.pipe()
        os.write(w, text.encode())
        os.close(w)
        self.Piped(dbus.types.UnixFd(r))
        os.close(r)

    @dbus.service.signal("org.example.Fds", signature="h")
    def Piped(self, fd):
        pass

name = dbus.service.BusName("org.example.Fds", bus)
Fds(bus, "/org/example/Fds")
print("ready", flush=True)
GLib.MainLoop().run()
