"""A JSON-RPC 2.0 peer for the tests: json-lines on a unix socket (argv[1]) or tcp port
(argv[1] a number). Answers add/echo; buffers requests while more are readable and answers
them in reverse order (replies out of order); "ask" calls the client back (client/double)
before answering; "note" sends a notification first; "stray" sends a reply with an id
nobody asked for first; "hangup" closes the connection without a reply; "after" writes its reply and a notification
"later" behind it at once."""
import json, os, select, socket, sys, threading

def serve(conn):
    f = conn.makefile('rb')
    out = conn.makefile('wb')
    backlog = []
    def send(obj):
        out.write(json.dumps(obj).encode() + b'\n')
        out.flush()
    def reply(r):
        m, p, i = r.get('method'), r.get('params'), r.get('id')
        if m == 'add': return {'jsonrpc': '2.0', 'result': p[0] + p[1], 'id': i}
        if m == 'echo': return {'jsonrpc': '2.0', 'result': p, 'id': i}
        if m == 'fail': return {'jsonrpc': '2.0', 'error': {'code': -32001, 'message': 'failed on purpose', 'data': p}, 'id': i}
        if m == 'note':
            send({'jsonrpc': '2.0', 'method': 'noted', 'params': p})
            return {'jsonrpc': '2.0', 'result': True, 'id': i}
        if m == 'stray':
            send({'jsonrpc': '2.0', 'result': 'nobody', 'id': 999999})
            return {'jsonrpc': '2.0', 'result': 'ok', 'id': i}
        if m == 'ask':
            send({'jsonrpc': '2.0', 'method': 'client/double', 'params': p, 'id': 's1'})
            while True:
                line = f.readline()
                if not line: return None
                x = json.loads(line)
                if isinstance(x, dict) and x.get('id') == 's1' and 'method' not in x:
                    if 'error' in x: return {'jsonrpc': '2.0', 'error': x['error'], 'id': i}
                    return {'jsonrpc': '2.0', 'result': x['result'] + 1, 'id': i}
                backlog.append(x)
        return {'jsonrpc': '2.0', 'error': {'code': -32601, 'message': 'Method not found'}, 'id': i}
    pending = []
    def flush():
        for r in reversed(pending): send(r)
        pending.clear()
    while True:
        if backlog:
            req = backlog.pop(0)
        else:
            line = f.readline()
            if not line: break
            req = json.loads(line)
        if isinstance(req, list):
            send([x for x in map(reply, req) if x and 'id' in x])
            continue
        if req.get('method') == 'after':
            # the reply and a notification behind it in one write: they arrive in one read
            out.write(json.dumps({'jsonrpc': '2.0', 'result': True, 'id': req['id']}).encode() + b'\n'
                      + json.dumps({'jsonrpc': '2.0', 'method': 'later', 'params': req.get('params')}).encode() + b'\n')
            out.flush()
            continue
        if req.get('method') == 'hangup':
            conn.shutdown(socket.SHUT_RDWR)
            conn.close()
            return
        r = reply(req)
        if r is None: break
        if 'id' not in req: continue
        pending.append(r)
        if len(pending) >= 100 or not select.select([conn], [], [], 0)[0]:
            flush()
    flush()
    conn.close()

addr = sys.argv[1]
if addr.isdigit():
    s = socket.socket(socket.AF_INET); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', int(addr)))
else:
    s = socket.socket(socket.AF_UNIX); s.bind(addr)
s.listen(16)
print('ready', flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
