#!/usr/bin/env python3
"""Reads build_bench.sh's JSON lines on stdin and prints the `vigil-bench build`
report: per workload the wall times without and with the agent, the slowdown
as the ratio of medians and per round (the goal is judged on the median), the
workload's own CPU, the agent's and the central node's CPU, and the counters
the agent's plugins moved during the measured runs (events seen, lost,
merged), so a low cost cannot come from seeing less."""
import json
import statistics
import sys

GOAL = 1.05


def flatten(prefix, value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(f"{prefix}.{k}" if prefix else k, v, out)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out[prefix] = value
    return out


def counter_deltas(pairs):
    total = {}
    for before, after in pairs:
        b, a = flatten("", before, {}), flatten("", after, {})
        for k, v in a.items():
            if k in b and v != b[k]:
                total[k] = total.get(k, 0) + (v - b[k])
    # Counters only: the names of gauges and timestamps say what they are.
    skip = ("uptime", "_at", "time", "rss", "generation", "pending", "queue_depth")
    return {k: round(v, 3) for k, v in sorted(total.items()) if not any(s in k for s in skip)}


def workload_report(runs):
    by = {ph: [r for r in runs if r["phase"] == ph] for ph in ("off", "on")}
    off = [r["wall_s"] for r in by["off"]]
    on = [r["wall_s"] for r in by["on"]]
    per_round = []
    for r_on in by["on"]:
        match = [r for r in by["off"] if r["round"] == r_on["round"]]
        if match:
            per_round.append(round(r_on["wall_s"] / match[0]["wall_s"], 4))
    cpu_off = statistics.median(r["cpu_s"] for r in by["off"])
    cpu_on = statistics.median(r["cpu_s"] for r in by["on"])
    slowdown = statistics.median(on) / statistics.median(off)
    failed = [r for r in runs if r["exit"] != 0]
    return {
        "off_wall_s": off, "on_wall_s": on,
        "slowdown_median": round(slowdown, 4), "slowdown_per_round": per_round,
        "workload_cpu_off_s": cpu_off, "workload_cpu_on_s": cpu_on,
        "workload_cpu_ratio": round(cpu_on / cpu_off, 4) if cpu_off else None,
        "agent_and_central_cpu_s_median": statistics.median(r["others_cpu_s"] for r in by["on"]),
        "central_only_cpu_s_median_off": statistics.median(r["others_cpu_s"] for r in by["off"]),
        "goal_slowdown": GOAL, "goal_met": slowdown <= GOAL and not failed,
        "failed_runs": len(failed),
    }


def main():
    lines = [json.loads(l) for l in sys.stdin if l.strip()]
    head = next((l for l in lines if "load_before" in l), {})
    runs = [l for l in lines if "label" in l]
    before = {l["round"]: l["status_before"] for l in lines if "status_before" in l}
    after = {l["round"]: l for l in lines if "status_after" in l}
    if not runs:
        print(json.dumps({"scenario": "build", "error": "no measured run completed"}))
        sys.exit(1)
    report = {"scenario": "build", **head,
              "load_after": next((l["load_after"] for l in lines if "load_after" in l), None),
              "workloads": {label: workload_report([r for r in runs if r["label"] == label])
                            for label in sorted({r["label"] for r in runs})},
              "agent_counters_during_on_runs": counter_deltas(
                  [(before[r], after[r]["status_after"]) for r in before if r in after]),
              "vigild_rss_kib_after_runs": [after[r]["vigild_rss_kib"] for r in sorted(after)]}
    print(json.dumps(report, indent=1))
    sys.exit(0 if all(w["failed_runs"] == 0 for w in report["workloads"].values()) else 1)


if __name__ == "__main__":
    main()
