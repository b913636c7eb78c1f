# The JSON-RPC 2.0 peer both round-trip clients call: json-lines on a unix socket, a thread per
# connection, answers "echo" with its params.
import json, os, socket, sys, threading
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(64)
print('listening', flush=True)
def serve(c):
    f = c.makefile('rb'); w = c.makefile('wb')
    for line in f:
        r = json.loads(line)
        w.write(json.dumps({'jsonrpc': '2.0', 'result': r.get('params'), 'id': r['id']}).encode() + b'\n'); w.flush()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
