# lock-cycle.py FILE N: N fcntl.lockf(LOCK_EX) + lockf(LOCK_UN) cycles on one open file after as
# many to warm up; prints us_per_cycle=X. The baseline of bench/run's locks row.
import fcntl, sys, time

path, n = sys.argv[1], int(sys.argv[2])
f = open(path, 'a+')
for _ in range(n):
    fcntl.lockf(f, fcntl.LOCK_EX)
    fcntl.lockf(f, fcntl.LOCK_UN)
t = time.perf_counter()
for _ in range(n):
    fcntl.lockf(f, fcntl.LOCK_EX)
    fcntl.lockf(f, fcntl.LOCK_UN)
print('us_per_cycle=%.3f' % ((time.perf_counter() - t) / n * 1e6))
