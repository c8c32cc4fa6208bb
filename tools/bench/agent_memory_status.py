#!/usr/bin/env python3
"""What the plugins counted during agent_memory_bench.sh's load phase, as one
JSON line: per plugin, every number of its `vigilctl status` that changed over
the load (events seen, merged, filtered, lost, rate-limited...), so a small
memory figure cannot come from the agent seeing less, and the sizes after the
load of what can hold memory (tables, caches, queues, spools). The bus's own counters and the
load that was driven come along.

With the samples taken every 2 s during the load and the settle: the peak RSS
and each bus subscriber's deepest queue (what a burst held for a while).

Usage: agent_memory_status.py LABEL BEFORE.json AFTER.json DRIVEN_JSON RSS_END_KIB
                              AGENT_CPU_S LOADAVG SETTLE_S SAMPLES.txt"""
import json
import re
import sys

# A number whose own name says it is a size (how much is held now), not a count of events.
SIZE_WORDS = re.compile(r"^(entries|live|exited|queued|pending|waiting_now|size|bytes|batches|held|tracked|"
                        r"connections|sessions|backlog|active|loaded|.*_kib|.*_mib|.*_entries|.*_size)$", re.I)


def numbers(node, prefix=""):
    """The numeric leaves of a status object as {"a.b.c": value}; lists and the
    metrics arrays (the same figures again) are left out."""
    out = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "metrics":
                continue
            out.update(numbers(value, f"{prefix}{key}."))
    elif isinstance(node, bool):
        pass
    elif isinstance(node, (int, float)):
        out[prefix[:-1]] = node
    return out


def plugin_numbers(status):
    per = {}
    for p in status.get("plugins", []):
        n = numbers(p.get("status", {}))
        for key in ("messages_in", "messages_out", "messages_dropped"):
            if isinstance(p.get(key), int):
                n["bus." + key] = p[key]
        per[p["name"]] = n
    return per


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def peaks(path):
    """The peak RSS and the deepest queue per subscriber in the sampler's lines."""
    rss, depth = 0, {}
    try:
        with open(path) as f:
            lines = [line.split() for line in f]
    except OSError:
        lines = []
    for w in lines:
        if len(w) == 2 and w[0] == "rss" and w[1].isdigit():
            rss = max(rss, int(w[1]))
        elif len(w) == 3 and w[0] == "depth":
            m = re.search(r'subscriber="([^"]*)"', w[1])
            if m:
                depth[m.group(1)] = max(depth.get(m.group(1), 0), int(float(w[2])))
    return {"samples": sum(1 for w in lines if w and w[0] == "rss"), "peak_rss_kib": rss,
            "peak_queue_depth": depth}


def main():
    label, before_path, after_path, driven, rss_end, cpu_s, loadavg, settle, samples = sys.argv[1:10]
    before, after = load(before_path), load(after_path)
    b, a = plugin_numbers(before), plugin_numbers(after)
    plugins = {}
    for name, now in a.items():
        was = b.get(name, {})
        counted = {k: round(v - was.get(k, 0), 3) for k, v in now.items() if v != was.get(k, 0)}
        sizes = {k: v for k, v in now.items() if SIZE_WORDS.match(k.rsplit(".", 1)[-1])}
        plugins[name] = {"counted_during_load": counted, "sizes_after_load": sizes}
    bus_b, bus_a = before.get("bus", {}), after.get("bus", {})
    print(json.dumps({
        "load_of": label,
        "driven": json.loads(driven),
        "loadavg_at_end_of_load": loadavg,
        "agent_cpu_s_during_load": int(cpu_s),
        "rss_at_end_of_load_kib": int(rss_end),
        "settle_s": int(settle),
        "during_load": peaks(samples),
        "bus_during_load": {k: bus_a[k] - bus_b.get(k, 0) for k in bus_a if isinstance(bus_a[k], int)},
        "plugins": plugins,
    }))


if __name__ == "__main__":
    main()
