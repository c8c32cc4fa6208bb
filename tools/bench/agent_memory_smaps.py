#!/usr/bin/env python3
"""One vigild's memory from /proc/PID/smaps as a JSON line (agent_memory_bench.sh),
tagged with its run (label) and phase (idle, or after_load).

RSS is split into anonymous, file-backed and shared (BPF ring buffers and maps
mapped into the process count as shared) and grouped by what a mapping is:
the heap, thread stacks (the mappings holding a thread's stack pointer), the
other anonymous memory (malloc arenas), each shared object by file name, BPF maps."""
import collections
import json
import os
import re
import sys

HEADER = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$")


def mapping_group(path, start, end, stack_pointers):
    if path == "[heap]":
        return "heap"
    if path.startswith("[stack"):
        return "main stack"
    if path.startswith("anon_inode:bpf"):
        return "bpf maps (" + path.split(":", 1)[1] + ")"
    if path.startswith("["):
        return path
    if not path:
        # A thread's stack holds that thread's stack pointer; the other anonymous
        # mappings are glibc's malloc arenas (per-thread heaps) and large mmap blocks.
        if any(start <= sp < end for sp in stack_pointers):
            return "thread stacks"
        return "anonymous (malloc arenas, mmap)"
    return os.path.basename(path.replace(" (deleted)", ""))


def stack_pointers(pid):
    """Each thread's stack pointer from /proc/PID/task/TID/syscall (root; a thread
    blocked in a system call, as an idle agent's threads are, shows it)."""
    sps = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/syscall") as f:
                fields = f.read().split()
        except OSError:
            continue
        if len(fields) >= 9:
            sps.append(int(fields[7], 16))
    return sps


def read_smaps(pid):
    groups = collections.Counter()
    totals = collections.Counter()
    group = None
    sps = stack_pointers(pid)
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = HEADER.match(line)
            if m:
                group = mapping_group(m.group(4).strip(), int(m.group(1), 16), int(m.group(2), 16), sps)
                continue
            key, _, rest = line.partition(":")
            if key in ("Rss", "Anonymous", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty"):
                kib = int(rest.split()[0])
                totals[key] += kib
                if key == "Rss":
                    groups[group] += kib
    return totals, groups


def threads(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def main():
    pid, label, base, states = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    phase = sys.argv[5] if len(sys.argv) > 5 else "idle"
    totals, groups = read_smaps(pid)
    # Every group, however small: the report subtracts runs mapping by mapping.
    top = [{"what": k, "rss_kib": v} for k, v in groups.most_common() if v > 0]
    print(json.dumps({
        "label": label,
        "phase": phase,
        "base": base,
        "plugins": states,
        "rss_kib": totals["Rss"],
        "anonymous_kib": totals["Anonymous"],
        "shared_kib": totals["Shared_Clean"] + totals["Shared_Dirty"],
        "private_file_kib": totals["Private_Clean"] + totals["Private_Dirty"] - totals["Anonymous"],
        "threads": threads(pid),
        "by_mapping": top,
    }))


if __name__ == "__main__":
    main()
