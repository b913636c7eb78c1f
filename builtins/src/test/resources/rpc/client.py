"""Sends each line of argv[2] (a file) to the JSON-RPC server at argv[1] (unix socket path)
as one frame (json-lines, or Content-Length with argv[3] == 'content-length'), half-closes,
and prints every reply frame it gets, one JSON text a line."""
import json, socket, sys
path, lines = sys.argv[1], open(sys.argv[2], 'rb').read().split(b'\n')
cl = len(sys.argv) > 3 and sys.argv[3] == 'content-length'
s = socket.socket(socket.AF_UNIX); s.connect(path)
for l in lines:
    if not l: continue
    s.sendall(b'Content-Length: %d\r\n\r\n%s' % (len(l), l) if cl else l + b'\n')
s.shutdown(socket.SHUT_WR)
f = s.makefile('rb')
while True:
    if cl:
        head = {}
        while True:
            h = f.readline()
            if not h: sys.exit(0)
            if h == b'\r\n': break
            k, v = h.decode().split(':', 1); head[k.lower()] = v.strip()
        body = f.read(int(head['content-length']))
    else:
        body = f.readline()
        if not body: break
    print(json.dumps(json.loads(body)), flush=True)
