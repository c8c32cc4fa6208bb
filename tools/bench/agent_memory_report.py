#!/usr/bin/env python3
"""Folds the per-run lines of agent_memory_bench.sh into one JSON report:
each plugin's RSS over the bare host (no plugin), the whole agent against the
40 MiB idle goal, and the sum of the single-plugin deltas next to the measured
total (what the plugins share, such as OpenSSL or libbpf, counts once there)."""
import json
import sys

GOAL_IDLE_KIB = 40 * 1024


def main():
    idle_s = int(sys.argv[1])
    runs = [json.loads(line) for line in sys.stdin if line.strip().startswith("{")]
    by_label = {r["label"]: r for r in runs}
    bare = by_label.get("none")
    everything = by_label.get("all")
    if bare is None or everything is None:
        print(json.dumps({"scenario": "agent-memory", "error": "missing runs",
                          "runs": [r["label"] for r in runs]}))
        return 1
    per_plugin = []
    for r in runs:
        if r["label"] in ("none", "all"):
            continue
        base = by_label.get(r["base"], by_label["none"])
        per_plugin.append({
            "plugin": r["label"],
            "delta_over": r["base"],
            "state": r["plugins"],
            "rss_delta_kib": r["rss_kib"] - base["rss_kib"],
            "anonymous_delta_kib": r["anonymous_kib"] - base["anonymous_kib"],
            "shared_delta_kib": r["shared_kib"] - base["shared_kib"],
            "threads_delta": r["threads"] - base["threads"],
            "by_mapping": r["by_mapping"][:8],
        })
    per_plugin.sort(key=lambda p: -p["rss_delta_kib"])
    print(json.dumps({
        "scenario": "agent-memory",
        "idle_s": idle_s,
        "bare_host_rss_kib": bare["rss_kib"],
        "all_plugins": {k: everything[k] for k in
                        ("plugins", "rss_kib", "anonymous_kib", "shared_kib", "private_file_kib", "threads",
                         "by_mapping")},
        "idle_goal_kib": GOAL_IDLE_KIB,
        "idle_goal_met": everything["rss_kib"] <= GOAL_IDLE_KIB,
        "sum_of_plugin_deltas_kib": sum(p["rss_delta_kib"] for p in per_plugin),
        "per_plugin": per_plugin,
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
