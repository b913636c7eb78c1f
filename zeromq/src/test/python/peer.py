# The python3 (pyzmq, libzmq) peers of the ZeroMQ tests: peer.py MODE ARGS...
# Each prints what it saw on stdout and exits 0 when all went as the test expects.
import sys, zmq

ctx = zmq.Context()
mode, args = sys.argv[1], sys.argv[2:]


def sock(kind, **opts):
    s = ctx.socket(kind)
    s.setsockopt(zmq.LINGER, 2000)
    for k, v in opts.items():
        s.setsockopt(getattr(zmq, k), v)
    return s


if mode == "echo-rep":  # ENDPOINT N: a REP bound at ENDPOINT echoing N requests
    s = sock(zmq.REP); s.bind(args[0])
    for _ in range(int(args[1])):
        s.send_multipart(s.recv_multipart())
elif mode == "req":  # ENDPOINT N: N requests "r<i>", each reply must be "r<i>!"
    s = sock(zmq.REQ); s.connect(args[0])
    for i in range(int(args[1])):
        s.send(b"r%d" % i)
        got = s.recv()
        if got != b"r%d!" % i:
            print("bad reply", got); sys.exit(1)
    print("ok", args[1])
elif mode == "sub":  # PUB_EP REPORT_EP TOPIC: counts TOPIC messages between sync and end
    s = sock(zmq.SUB); s.connect(args[0])
    for t in (args[2], "sync", "end"):
        s.setsockopt(zmq.SUBSCRIBE, t.encode())
    r = sock(zmq.PUSH); r.connect(args[1])
    ready, n = False, 0
    while True:
        m = s.recv()
        if m.startswith(b"sync"):
            if not ready:
                r.send(b"ready py"); ready = True
        elif m.startswith(b"end"):
            break
        elif m.startswith(args[2].encode()):
            n += 1
        else:
            r.send(b"unsubscribed topic " + m); sys.exit(1)
    r.send(b"count py %d" % n)
elif mode == "worker":  # IN_EP OUT_EP NAME: PULL work, PUSH "NAME:<work>" until "end"
    i = sock(zmq.PULL); i.connect(args[0])
    o = sock(zmq.PUSH); o.connect(args[1])
    while i.getsockopt(zmq.EVENTS) is None:
        pass
    import time; time.sleep(0.3)  # the connection to the ventilator is made in the background
    o.send(b"hello " + args[2].encode())
    while True:
        m = i.recv()
        if m == b"end":
            o.send(b"end " + args[2].encode()); break
        o.send(args[2].encode() + b":" + m)
elif mode == "dealer":  # ROUTER_EP IDENTITY: sends [hello, more], expects [world, IDENTITY]
    s = sock(zmq.DEALER, IDENTITY=args[1].encode()); s.connect(args[0])
    s.send_multipart([b"hello", b"more"])
    got = s.recv_multipart()
    print(got)
    sys.exit(0 if got == [b"world", args[1].encode()] else 1)
elif mode == "router":  # ENDPOINT: one message [id, *frames] answered [id, b"seen", id, *frames]
    s = sock(zmq.ROUTER); s.bind(args[0])
    f = s.recv_multipart()
    s.send_multipart([f[0], b"seen"] + f)
elif mode == "curve-rep":  # ENDPOINT SECRET N: a CURVE server echoing N requests, printing the count at the end
    s = sock(zmq.REP, CURVE_SERVER=1, CURVE_SECRETKEY=args[1].encode(), RCVTIMEO=int(args[3]) if len(args) > 3 else -1)
    s.bind(args[0])
    n = 0
    try:
        for _ in range(int(args[2])):
            s.send(s.recv()); n += 1
    except zmq.Again:
        pass
    print("served", n)
elif mode == "curve-req":  # ENDPOINT SERVER_KEY: a CURVE client with a key pair of its own, one request
    pk, sk = zmq.curve_keypair()
    s = sock(zmq.REQ, CURVE_SERVERKEY=args[1].encode(), CURVE_PUBLICKEY=pk, CURVE_SECRETKEY=sk, RCVTIMEO=1500)
    s.connect(args[0])
    s.send(b"secret")
    try:
        print("reply", s.recv().decode())
    except zmq.Again:
        print("no reply")
elif mode == "plain-req":  # ENDPOINT USER PASSWORD: one request with PLAIN credentials
    s = sock(zmq.REQ, PLAIN_USERNAME=args[1].encode(), PLAIN_PASSWORD=args[2].encode(), RCVTIMEO=1500)
    s.connect(args[0])
    s.send(b"let me in")
    try:
        print("reply", s.recv().decode())
    except zmq.Again:
        print("no reply")
else:
    print("unknown mode", mode); sys.exit(2)
