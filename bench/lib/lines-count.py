# bench lines from python3: the same count as lines-count.ipcs (cat's output, line by line).
# usage: python3 lines-count.py FILE     prints: lines=N secs=S
import subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.Popen(['cat', sys.argv[1]], stdout=subprocess.PIPE)
n = 0
for line in p.stdout:
    n += 1
p.wait()
print(f"lines={n} secs={time.perf_counter() - t0}")
