#!/usr/bin/env python3
"""Folds the per-run lines of agent_memory_bench.sh into one JSON report:
each plugin's RSS over the bare host (no plugin), the whole agent against the
40 MiB idle goal, and the sum of the single-plugin deltas next to the measured
total (what the plugins share, such as OpenSSL or libbpf, counts once there).
With a load phase: the RSS after the load against the 64 MiB goal, its growth
by mapping, what the plugins counted meanwhile and their table sizes, and each
single-plugin run's growth when those runs took a load too."""
import json
import sys

GOAL_IDLE_KIB = 40 * 1024
GOAL_AFTER_LOAD_KIB = 64 * 1024


def growth_by_mapping(idle, after, at_least_kib=32):
    """RSS per mapping before and after the load, the mappings that moved most first."""
    was = {m["what"]: m["rss_kib"] for m in idle["by_mapping"]}
    now = {m["what"]: m["rss_kib"] for m in after["by_mapping"]}
    rows = [{"what": k, "idle_kib": was.get(k, 0), "after_load_kib": now.get(k, 0),
             "growth_kib": now.get(k, 0) - was.get(k, 0)} for k in set(was) | set(now)]
    rows = [r for r in rows if abs(r["growth_kib"]) >= at_least_kib]
    return sorted(rows, key=lambda r: -abs(r["growth_kib"]))


def load_summary(idle, after, counted):
    out = {
        "driven": counted.get("driven", {}),
        "rss_idle_kib": idle["rss_kib"],
        "rss_at_end_of_load_kib": counted.get("rss_at_end_of_load_kib"),
        "rss_after_load_kib": after["rss_kib"],
        "settle_s": counted.get("settle_s"),
        "growth_kib": after["rss_kib"] - idle["rss_kib"],
        "anonymous_growth_kib": after["anonymous_kib"] - idle["anonymous_kib"],
        "threads_after_load": after["threads"],
        "agent_cpu_s_during_load": counted.get("agent_cpu_s_during_load"),
        "during_load": counted.get("during_load", {}),
        "loadavg_at_end_of_load": counted.get("loadavg_at_end_of_load"),
        "growth_by_mapping": growth_by_mapping(idle, after),
    }
    return out


def all_plugins_load(idle, after, counted):
    if after is None:
        return None
    out = load_summary(idle, after, counted or {})
    out["after_load_goal_kib"] = GOAL_AFTER_LOAD_KIB
    out["after_load_goal_met"] = after["rss_kib"] <= GOAL_AFTER_LOAD_KIB
    out["by_mapping_after_load"] = [m for m in after["by_mapping"] if m["rss_kib"] >= 64]
    out["bus_during_load"] = (counted or {}).get("bus_during_load", {})
    out["plugins"] = (counted or {}).get("plugins", {})
    return out


def per_plugin_load(runs, afters, counts):
    """Each single-plugin run's growth over its load, and that growth less the growth of
    the run it is measured over (the bare host, or the plugin it needs)."""
    rows = []
    for label, after in afters.items():
        if label in ("none", "all"):
            continue
        s = load_summary(runs[label], after, counts.get(label, {}))
        base, base_after = runs.get(after["base"]), afters.get(after["base"])
        if base and base_after:
            s["growth_over_base_kib"] = s["growth_kib"] - (base_after["rss_kib"] - base["rss_kib"])
        s["plugin"] = label
        s["delta_over"] = after["base"]
        s["counted"] = counts.get(label, {}).get("plugins", {})
        s["growth_by_mapping"] = s["growth_by_mapping"][:8]
        rows.append(s)
    return sorted(rows, key=lambda r: -r["growth_kib"])


def idle_per_plugin(runs):
    rows = []
    for r in runs.values():
        if r["label"] in ("none", "all"):
            continue
        base = runs.get(r["base"], runs["none"])
        rows.append({
            "plugin": r["label"],
            "delta_over": r["base"],
            "state": r["plugins"],
            "rss_delta_kib": r["rss_kib"] - base["rss_kib"],
            "anonymous_delta_kib": r["anonymous_kib"] - base["anonymous_kib"],
            "shared_delta_kib": r["shared_kib"] - base["shared_kib"],
            "threads_delta": r["threads"] - base["threads"],
            "by_mapping": [m for m in r["by_mapping"] if m["rss_kib"] >= 64][:8],
        })
    return sorted(rows, key=lambda p: -p["rss_delta_kib"])


def main():
    idle_s = int(sys.argv[1])
    lines = [json.loads(line) for line in sys.stdin if line.strip().startswith("{")]
    runs = {r["label"]: r for r in lines if "label" in r and r.get("phase", "idle") == "idle"}
    afters = {r["label"]: r for r in lines if "label" in r and r.get("phase") == "after_load"}
    counts = {r["load_of"]: r for r in lines if "load_of" in r}
    loadavg = {k: r[k] for r in lines for k in ("load_before", "load_after") if k in r}
    bare, everything = runs.get("none"), runs.get("all")
    if bare is None or everything is None:
        print(json.dumps({"scenario": "agent-memory", "error": "missing runs", "runs": list(runs)}))
        return 1
    per_plugin = idle_per_plugin(runs)
    report = {
        "scenario": "agent-memory",
        "idle_s": idle_s,
        "loadavg": loadavg,
        "bare_host_rss_kib": bare["rss_kib"],
        "all_plugins": {k: everything[k] for k in
                        ("plugins", "rss_kib", "anonymous_kib", "shared_kib", "private_file_kib", "threads")},
        "idle_goal_kib": GOAL_IDLE_KIB,
        "idle_goal_met": everything["rss_kib"] <= GOAL_IDLE_KIB,
        "sum_of_plugin_deltas_kib": sum(p["rss_delta_kib"] for p in per_plugin),
        "per_plugin": per_plugin,
    }
    report["all_plugins"]["by_mapping"] = [m for m in everything["by_mapping"] if m["rss_kib"] >= 64]
    load = all_plugins_load(everything, afters.get("all"), counts.get("all"))
    if load is not None:
        report["all_plugins_load"] = load
    if any(label not in ("none", "all") for label in afters):
        report["per_plugin_load"] = per_plugin_load(runs, afters, counts)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
