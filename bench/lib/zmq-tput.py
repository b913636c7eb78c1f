# bench zmq-tput from pyzmq: "pull ENDPOINT N" as zmq-pull.ipcs, "push ENDPOINT N SIZE" as zmq-push.ipcs.
import sys, time, zmq
ctx = zmq.Context()
if sys.argv[1] == "pull":
    s = ctx.socket(zmq.PULL); s.bind(sys.argv[2]); n = int(sys.argv[3])
    print("ready", flush=True)
    s.recv()
    t0 = time.perf_counter()
    for _ in range(n - 1):
        s.recv()
    print(f"msgs={n} secs={time.perf_counter() - t0}")
else:
    s = ctx.socket(zmq.PUSH); s.setsockopt(zmq.LINGER, -1); s.connect(sys.argv[2])
    msg = b'x' * int(sys.argv[4])
    for _ in range(int(sys.argv[3])):
        s.send(msg)
    s.close(); ctx.term()
