# bench idle-rss: idle-server.ipcs in python3 (selectors, one readable handler per connection):
# a line echo server on a unix socket; the line "count" is answered with the number of open connections.
# usage: python3 idle-server.py PATH      (serves until killed)
import selectors, socket, sys
sel = selectors.DefaultSelector()
conns = {}

def accept(srv):
    c, _ = srv.accept()
    c.setblocking(False)
    conns[c] = b''
    sel.register(c, selectors.EVENT_READ, readable)

def readable(c):
    d = c.recv(4096)
    if not d:
        sel.unregister(c); del conns[c]; c.close(); return
    buf = conns[c] + d
    *lines, conns[c] = buf.split(b'\n')
    for line in lines:
        c.sendall((str(len(conns)).encode() if line == b'count' else line) + b'\n')

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(128); srv.setblocking(False)
sel.register(srv, selectors.EVENT_READ, accept)
while True:
    for key, _ in sel.select():
        key.data(key.fileobj)
