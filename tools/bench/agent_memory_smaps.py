#!/usr/bin/env python3
"""One vigild's memory from /proc/PID/smaps as a JSON line (agent_memory_bench.sh).

RSS is split into anonymous, file-backed and shared (BPF ring buffers and maps
mapped into the process count as shared) and grouped by what a mapping is:
the heap and other anonymous memory, thread stacks (anonymous mappings that
begin with a guard page), each shared object by file name, BPF maps."""
import collections
import json
import os
import re
import sys

HEADER = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$")


def mapping_group(path, prev_perms):
    if path == "[heap]":
        return "heap"
    if path.startswith("[stack"):
        return "main stack"
    if path.startswith("anon_inode:bpf"):
        return "bpf maps (" + path.split(":", 1)[1] + ")"
    if path.startswith("["):
        return path
    if not path:
        # A thread's stack follows a PROT_NONE guard page; glibc's malloc arenas
        # (per-thread heaps) are plain anonymous mappings.
        return "thread stacks" if prev_perms == "---p" else "anonymous (malloc arenas, mmap)"
    return os.path.basename(path.replace(" (deleted)", ""))


def read_smaps(pid):
    groups = collections.Counter()
    totals = collections.Counter()
    group, prev_perms, perms = None, "", ""
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = HEADER.match(line)
            if m:
                prev_perms, perms = perms, m.group(3)
                group = mapping_group(m.group(4).strip(), prev_perms)
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
    totals, groups = read_smaps(pid)
    top = [{"what": k, "rss_kib": v} for k, v in groups.most_common() if v >= 64]
    print(json.dumps({
        "label": label,
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
