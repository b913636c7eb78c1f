# SOCK CLIENTS N: CLIENTS processes each make N sequential JSON-RPC calls; prints rps= (all calls / wall time).
import json, multiprocessing, socket, sys, time
def client(path, n, start):
    s = socket.socket(socket.AF_UNIX); s.connect(path)
    f = s.makefile('rb'); w = s.makefile('wb')
    start.wait()
    for i in range(n):
        w.write(b'{"jsonrpc":"2.0","method":"echo","params":[%d],"id":%d}\n' % (i, i)); w.flush()
        r = json.loads(f.readline())
        assert r['id'] == i
if __name__ == '__main__':
    path, k, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    start = multiprocessing.Barrier(k + 1)
    ps = [multiprocessing.Process(target=client, args=(path, n, start)) for _ in range(k)]
    for p in ps: p.start()
    start.wait(); t0 = time.perf_counter()
    for p in ps: p.join()
    dt = time.perf_counter() - t0
    if any(p.exitcode for p in ps): sys.exit('a client failed')
    print('rps=%.0f' % (k * n / dt))
