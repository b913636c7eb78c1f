# bench dbus-call, the baseline: python3-dbus's client calling Str with 64 bytes, ROUNDS times
# after WARM; prints us=mean microseconds per call of the timed rounds.
import sys, time
import dbus, dbus.bus
address, warm, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bus = dbus.bus.BusConnection(address)
obj = dbus.Interface(bus.get_object("org.example.Bench", "/bench"), "org.example.Bench")
s = "x" * 64
for _ in range(warm):
    obj.Str(s)
t0 = time.perf_counter()
for _ in range(rounds):
    assert obj.Str(s) == s
print("us=%.2f" % ((time.perf_counter() - t0) / rounds * 1e6))
