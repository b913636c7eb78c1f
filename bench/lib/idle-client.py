# bench idle-conns client: measures the server's RSS with no client, opens N idle connections,
# checks the server holds them all, measures RSS again, then times PROBES new clients that each
# connect, send one line and wait for its echo.
# usage: python3 idle-client.py PATH N SERVER-PID PROBES
# prints: rss0_kb=A rssN_kb=B held=H probe_ms_median=M probe_ms_max=X
import socket, sys, time
path, n, pid, probes = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])

def rss_kb():
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])

def ask(line, timeout=10.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    t0 = time.perf_counter()
    for attempt in range(1000):           # a full backlog answers EAGAIN when a timeout is set
        try:
            s.connect(path)
            break
        except BlockingIOError:
            time.sleep(0.001)
    s.sendall(line + b'\n')
    buf = b''
    while not buf.endswith(b'\n'):
        d = s.recv(4096)
        if not d: break
        buf += d
    ms = (time.perf_counter() - t0) * 1e3
    s.close()
    return buf.strip(), ms

for _ in range(3): ask(b'warm')          # the handler path is loaded and compiled once
time.sleep(0.3)
rss0 = rss_kb()
held = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for attempt in range(1000):           # a full backlog answers EAGAIN: retry while it drains
        try:
            s.connect(path)
            break
        except BlockingIOError:
            time.sleep(0.01)
    else:
        raise SystemExit('connect: backlog stayed full')
    held.append(s)
count = 0
for _ in range(100):                      # accepts are served by the event loop: wait for all
    reply, _ = ask(b'count')
    count = int(reply) - 1                # minus the asking connection itself
    if count >= n: break
    time.sleep(0.05)
time.sleep(0.5)
rssn = rss_kb()
times = []
for _ in range(probes):
    reply, ms = ask(b'ping')
    if reply != b'ping': raise SystemExit(f'bad echo {reply!r}')
    times.append(ms)
times.sort()
for s in held: s.close()
print(f'rss0_kb={rss0} rssN_kb={rssn} held={count} probe_ms_median={times[len(times) // 2]:.3f} probe_ms_max={times[-1]:.3f}')
