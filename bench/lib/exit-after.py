# bench/run exit: python3's figure for exit-after.ipcs
import time
time.sleep(0.5)
print(int(time.time() * 1000), flush=True)
