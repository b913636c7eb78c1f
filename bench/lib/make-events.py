# make-events.py DIR PAIRS: creates and removes DIR/f PAIRS times, 2 x PAIRS inotify events
# that the kernel cannot merge (each differs from the one before it).
import os, sys
d, pairs = sys.argv[1], int(sys.argv[2])
p = os.path.join(d, "f")
for _ in range(pairs):
    os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o600))
    os.unlink(p)
