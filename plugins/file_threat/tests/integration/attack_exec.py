#!/usr/bin/python3
"""Exec attempts by an unprivileged user against file_threat's fail modes.

attack_exec.py SECONDS FLOOD_DIR PROGRAM...

For SECONDS: floods the agent with concurrent opens of the files in FLOOD_DIR
(to fill its queue and make scans wait), and executes each PROGRAM again and
again meanwhile.
Prints "tries=N ran=M denied=D slowest_ms=S": an exec that "ran" got through.
"""
import errno
import os
import sys
import time

seconds, flood_dir, programs = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
# The flood files exist already (written before the agent ran): opening them
# is all that is needed to keep every worker and the whole queue busy.
flood_files = sorted(os.path.join(flood_dir, f) for f in os.listdir(flood_dir))
stats = {'tries': 0, 'ran': 0, 'denied': 0, 'other': 0}
slowest = 0.0
deadline = time.time() + seconds
while time.time() < deadline:
    flood = []
    for p in flood_files:  # opens that each wait for a (slow) scan, all at once
        pid = os.fork()
        if pid == 0:
            try:
                os.close(os.open(p, os.O_RDONLY))
            finally:
                os._exit(0)
        flood.append(pid)
    for prog in programs:
        stats['tries'] += 1
        t0 = time.time()
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                os.execv(prog, [prog])
            except OSError as e:
                os.write(w, str(e.errno).encode())
            os._exit(127)
        os.close(w)
        err = os.read(r, 16)
        os.close(r)
        os.waitpid(pid, 0)
        slowest = max(slowest, time.time() - t0)
        if not err:
            stats['ran'] += 1
        elif int(err) == errno.EPERM:
            stats['denied'] += 1
        else:
            stats['other'] += 1
    for pid in flood:
        os.waitpid(pid, 0)
print(' '.join('%s=%d' % kv for kv in stats.items()) + ' slowest_ms=%d' % (slowest * 1000))
