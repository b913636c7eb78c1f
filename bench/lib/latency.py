# bench latency from python3: the same ping-pong as latency.ipcs (sendall + recv to newline).
# usage: python3 latency.py PATH WARM BATCHES ROUNDS     prints: median_us=X
import socket, sys, time
path, warm, batches, rounds = sys.argv[1], *map(int, sys.argv[2:5])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
msg = b'x' * 63 + b'\n'
def rt():
    s.sendall(msg)
    buf = s.recv(65536)
    while not buf.endswith(b'\n'):
        buf += s.recv(65536)
for _ in range(warm): rt()
per = []
for _ in range(batches):
    t0 = time.perf_counter_ns()
    for _ in range(rounds): rt()
    per.append((time.perf_counter_ns() - t0) / 1e3 / rounds)
per.sort()
s.close()
print(f"median_us={per[batches // 2]}")
