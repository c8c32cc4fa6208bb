#!/usr/bin/env python3
"""bench_time.py LABEL [PID...] -- CMD...: runs CMD and prints one JSON line:
its wall time, the CPU (user + system) of CMD and every process it waited for,
and the CPU the given other processes (the agent, the central node) used
meanwhile, read from /proc/PID/stat including their reaped children."""
import json
import os
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime stime cutime cstime are fields 14-17 (1-based), i.e. 11..14 after the name.
    return sum(int(v) for v in fields[11:15]) / TICK


def main():
    if "--" not in sys.argv[2:]:
        sys.exit("usage: bench_time.py LABEL [PID...] -- CMD...")
    sep = sys.argv.index("--")
    label, pids, cmd = sys.argv[1], sys.argv[2:sep], sys.argv[sep + 1:]
    if not all(p.isdigit() for p in pids) or not cmd:
        sys.exit("bench_time.py: PIDs must be numbers and a command must follow --")
    others0 = sum(proc_cpu_s(p) for p in pids)
    t0 = time.monotonic()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - t0
    others = sum(proc_cpu_s(p) for p in pids) - others0
    print(json.dumps({"label": label, "wall_s": round(wall, 4),
                      "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
                      "others_cpu_s": round(others, 4), "exit": os.waitstatus_to_exitcode(status)}))


if __name__ == "__main__":
    main()
