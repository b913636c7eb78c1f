# push.py ENDPOINT COUNT [BURST PAUSE_MS]: sends COUNT messages "0".."COUNT-1" on a PUSH socket,
# pausing PAUSE_MS after every BURST of them; waits until all are sent (linger -1).
import sys, time, zmq
ep, n = sys.argv[1], int(sys.argv[2])
burst = int(sys.argv[3]) if len(sys.argv) > 3 else 0
pause = int(sys.argv[4]) / 1000.0 if len(sys.argv) > 4 else 0
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH)
s.setsockopt(zmq.LINGER, -1)
s.connect(ep)
for i in range(n):
    s.send(str(i).encode())
    if burst and i % burst == burst - 1:
        time.sleep(pause)
s.close()
ctx.term()
