# bench zmq-lat from pyzmq: the same REQ/REP round trips as zmq-lat.ipcs; or, with "echo", the
# echo REP both clients talk to.
# usage: python3 zmq-lat.py ENDPOINT WARM BATCHES ROUNDS | python3 zmq-lat.py echo ENDPOINT
import sys, time, zmq
ctx = zmq.Context()
if sys.argv[1] == "echo":
    s = ctx.socket(zmq.REP)
    s.bind(sys.argv[2])
    print("listening", flush=True)
    while True:
        s.send(s.recv())
ep, warm, batches, rounds = sys.argv[1], *map(int, sys.argv[2:5])
s = ctx.socket(zmq.REQ)
s.connect(ep)
msg = b'x' * 64
for _ in range(warm):
    s.send(msg); s.recv()
per = []
for _ in range(batches):
    t0 = time.perf_counter_ns()
    for _ in range(rounds):
        s.send(msg); s.recv()
    per.append((time.perf_counter_ns() - t0) / 1e3 / rounds)
per.sort()
print(f"median_us={per[batches // 2]}")
