# Emits N signals (path /blast, interface and member given, one u argument 0..N-1) as fast as the
# socket takes them: the wire messages are built here (EXTERNAL auth, Hello, then a template whose
# serial and argument are patched), so the peer is not the bottleneck of a throughput test.
import os, re, socket, struct, sys

address, n, iface, member = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
path = address.split("unix:path=")[1].split(",")[0]

def pad(b, k):
    return b + b"\0" * (-len(b) % k)

def field(code, sig, value):
    out = pad(b"", 8) + bytes([code]) + bytes([len(sig)]) + sig.encode() + b"\0"
    v = value.encode()
    if sig in ("s", "o"):
        out = pad(out, 4) + struct.pack("<I", len(v)) + v + b"\0"
    else:
        out += bytes([len(v)]) + v + b"\0"
    return out

def message(mtype, serial, fields, body):
    hdr = b""
    for f in fields:
        hdr = pad(hdr, 8) + f
    fixed = b"l" + bytes([mtype, 0, 1]) + struct.pack("<III", len(body), serial, len(hdr))
    return pad(fixed + hdr, 8) + body

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.sendall(b"\0AUTH EXTERNAL " + str(os.getuid()).encode().hex().encode() + b"\r\n")
if not s.recv(4096).startswith(b"OK"):
    sys.exit("auth rejected")
s.sendall(b"BEGIN\r\n")
s.sendall(message(1, 1, [field(1, "o", "/org/freedesktop/DBus"), field(6, "s", "org.freedesktop.DBus"),
                         field(2, "s", "org.freedesktop.DBus"), field(3, "s", "Hello")], b""))
template = message(4, 0, [field(1, "o", "/blast"), field(2, "s", iface), field(3, "s", member), field(8, "g", "u")],
                   struct.pack("<I", 0))
batch = []
for i in range(n):
    m = bytearray(template)
    struct.pack_into("<I", m, 8, i + 2)
    struct.pack_into("<I", m, len(m) - 4, i)
    batch.append(bytes(m))
    if len(batch) == 2000:
        s.sendall(b"".join(batch))
        batch = []
s.sendall(b"".join(batch))
# a round trip with the bus before closing, so every signal has left this socket's queue
s.sendall(message(1, n + 2, [field(1, "o", "/org/freedesktop/DBus"), field(6, "s", "org.freedesktop.DBus"),
                             field(2, "s", "org.freedesktop.DBus"), field(3, "s", "GetId")], b""))
buf = b""
while not re.search(rb"[0-9a-f]{32}\0", buf):
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
s.close()
print("sent", n, flush=True)
