# python3's JSON-RPC call round trip: SOCK WARM N; prints median_us= (64-byte params).
import json, socket, sys, time
path, warm, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_UNIX); s.connect(path)
f = s.makefile('rb'); w = s.makefile('wb')
params = ['x' * 58]  # 64 bytes of JSON: ["xxx..."]
ts = []
for i in range(warm + n):
    t0 = time.perf_counter_ns()
    w.write(json.dumps({'jsonrpc': '2.0', 'method': 'echo', 'params': params, 'id': i}).encode() + b'\n'); w.flush()
    r = json.loads(f.readline())
    assert r['id'] == i and r['result'] == params
    if i >= warm: ts.append(time.perf_counter_ns() - t0)
ts.sort()
print('median_us=%.2f' % (ts[len(ts) // 2] / 1000))
