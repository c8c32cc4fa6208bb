#!/usr/bin/env python3
"""vigil-bench network-threat: the driver (run by `vigil-bench network-threat`).

Builds a victim namespace (vigild + network_threat) and an attacker
namespace on a bridge, then measures with the real kernel and real tools:
detection latency per scan kind (first probe -> event, both stamped by the
agent), ban latency (decision -> element in the kernel set, p50/p99),
agent CPU per 100,000 failed probes, CPU and RSS idle and under the fastest
flood this machine generates (the rate reached is reported), and events per
second per attacker under flood. Prints one JSON object. Run it under the
integration lock: it creates namespaces and floods them.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HELPER = os.path.join(HERE, "..", "tests", "integration", "nt_traffic.py")
TAG = str(os.getpid())
VIC, ATK = "ntb_vic_" + TAG, "ntb_atk_" + TAG
TABLE, GROUP = "ntb_" + TAG, str(30000 + os.getpid() % 10000)


def sh(*cmd, check=True, capture=False, timeout=None):
    r = subprocess.run(cmd, check=check, text=True, timeout=timeout,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.PIPE if capture else subprocess.DEVNULL)
    return r.stdout if capture else r.returncode


def nsx(ns, *cmd, **kw):
    return sh("ip", "netns", "exec", ns, *cmd, **kw)


def topology_up():
    sh("ip", "netns", "add", VIC)
    sh("ip", "netns", "add", ATK)
    sh("ip", "-n", VIC, "link", "set", "lo", "up")
    sh("ip", "-n", ATK, "link", "set", "lo", "up")
    sh("ip", "-n", VIC, "link", "add", "ntbr", "type", "bridge")
    sh("ip", "-n", VIC, "addr", "add", "10.79.0.1/24", "dev", "ntbr")
    sh("ip", "-n", VIC, "link", "set", "ntbr", "up")
    sh("ip", "link", "add", "ntbv" + TAG, "netns", VIC, "type", "veth", "peer", "name", "eth0", "netns", ATK)
    sh("ip", "-n", VIC, "link", "set", "ntbv" + TAG, "master", "ntbr", "up")
    sh("ip", "-n", ATK, "link", "set", "eth0", "up")
    sh("ip", "-n", ATK, "addr", "add", "10.79.0.2/24", "dev", "eth0")
    for i in range(20, 60):
        sh("ip", "-n", ATK, "addr", "add", "10.79.0.%d/24" % i, "dev", "eth0")
    # Replies to the 198.18/15 sources of spoofed floods leave through the bridge (and vanish).
    sh("ip", "-n", VIC, "route", "add", "198.18.0.0/15", "dev", "ntbr")


def topology_down():
    for ns in (ATK, VIC):
        sh("ip", "netns", "del", ns, check=False)


class Agent:
    def __init__(self, build, workdir, settings):
        self.build, self.dir = build, workdir
        self.sock = os.path.join(workdir, "vigild.sock")
        cfg = os.path.join(workdir, "vigil.yaml")
        with open(cfg, "w") as f:
            f.write("agent:\n  plugin_dir: [%s/plugins]\n  state_dir: %s/state\n  control_socket: %s\n"
                    "  log_level: warn\nplugins:\n  network_threat:\n    enabled: true\n    table: %s\n"
                    "    nflog_group: %s\n    max_new_bans_per_minute: 10000\n" % (build, workdir, self.sock, TABLE, GROUP))
            for k, v in settings.items():
                f.write("    %s: %s\n" % (k, v))
        self.log = open(os.path.join(workdir, "vigild.log"), "a")
        self.proc = subprocess.Popen(["ip", "netns", "exec", VIC, build + "/bin/vigild", "--config", cfg],
                                     stdout=self.log, stderr=self.log)
        self.events_path = os.path.join(workdir, "events.%d.log" % self.proc.pid)
        for _ in range(150):
            if self.status().get("detecting"):
                break
            time.sleep(0.1)
        self.events_file = open(self.events_path, "w")
        self.events = subprocess.Popen([build + "/bin/vigilctl", "--socket", self.sock, "events", "--type", "threat"],
                                       stdout=self.events_file, stderr=subprocess.DEVNULL)
        time.sleep(0.3)

    def ctl(self, *args):
        return sh(self.build + "/bin/vigilctl", "--socket", self.sock, *args, capture=True, check=False)

    def status(self):
        try:
            d = json.loads(self.ctl("--json", "status"))
            return next(p["status"] for p in d["plugins"] if p["name"] == "network_threat")
        except Exception:
            return {}

    def cpu_s(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / tick

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def threats(self):
        out = []
        with open(self.events_path, errors="replace") as f:
            for line in f:
                try:
                    d = json.loads(line)
                    p = d["payload"]
                    out.append((d["time_ns"] // 1000000, p, json.loads(p["details_json"])))
                except Exception:
                    pass
        return out

    def stop(self):
        for p in (self.events, self.proc):
            p.send_signal(signal.SIGTERM)
        for p in (self.events, self.proc):
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        self.events_file.close()
        self.log.close()


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def percentile(v, p):
    if not v:
        return None
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def sender(args, build_dir):
    out = nsx(ATK, os.path.join(build_dir, "bin", "network_threat_flood_sender"), *args, capture=True)
    return json.loads(out.strip().splitlines()[-1])


SCANS = [  # (kind, nmap arguments)
    ("syn", ["-sS", "--top-ports", "100"]), ("connect", ["-sT", "--top-ports", "100"]),
    ("fin", ["-sF", "--top-ports", "100"]), ("null", ["-sN", "--top-ports", "100"]),
    ("xmas", ["-sX", "--top-ports", "100"]), ("maimon", ["-sM", "--top-ports", "100"]),
    ("ack", ["-sA", "--top-ports", "100"]), ("window", ["-sW", "--top-ports", "100"]),
    ("udp", ["-sU", "--top-ports", "100"]), ("ip_protocol", ["-sO"]), ("sctp_init", ["-sY", "--top-ports", "100"]),
    ("os_fingerprint", ["-O", "-p", "22,80,8080"]),
]


def detection_latency(agent):
    """First probe -> threat event, per scan kind (each from its own source)."""
    out = {}
    for i, (kind, args) in enumerate(SCANS):
        src = "10.79.0.%d" % (20 + i)
        nsx(ATK, "nmap", "-n", "-Pn", "-T4", "--max-retries", "1", "-S", src, "-e", "eth0", *args, "10.79.0.1",
            check=False, timeout=120)
        time.sleep(0.5)
        first = [(t, e) for t, p, e in agent.threats() if p["object"] == src and e["first_report"]]
        if first:
            t, e = min(first, key=lambda x: x[0])
            out[kind] = {"class": e["class"], "latency_ms": t - e["first_seen_ms"]}
        else:
            out[kind] = {"class": None, "latency_ms": None}
    return out


def ban_latency(agent, build):
    """Many scanners at once (pool of 200 sources, each probing closed ports): every one is banned."""
    before = agent.status().get("policy", {}).get("bans_added", 0)
    sent = sender(["syn", "10.79.0.1", "10000", "6", "5000", "pool:200", "20000"], build)
    time.sleep(2)
    st = agent.status()
    return {"scanners": 200, "bans": st["policy"]["bans_added"] - before, "sender": sent,
            "ban_ms_p50": st["policy"]["ban_ms_p50"], "ban_ms_p99": st["policy"]["ban_ms_p99"]}


def cpu_per_probes(agent, build, probes=100000):
    """Agent CPU for 100,000 failed probes from 1,000 sources to closed ports (notify mode: nothing gets banned)."""
    c0, t0 = agent.cpu_s(), time.time()
    sent = sender(["syn", "10.79.0.1", "1000", "60", "0", "pool:1000", "50000", str(probes)], build)
    time.sleep(1.5)  # the plugin drains what the kernel logged
    cpu = agent.cpu_s() - c0
    time.sleep(5)  # the next periodic status carries the counters
    st = agent.status()
    return {"probes": sent["sent"], "probe_rate_pps": sent["pps"], "agent_cpu_s": round(cpu, 3),
            "agent_cpu_s_per_100k": round(cpu * 100000 / max(1, sent["sent"]), 3),
            "packets_logged": st.get("packets", {}).get("logged"), "wall_s": round(time.time() - t0, 2)}


def idle(agent, seconds):
    c0, t0 = agent.cpu_s(), time.time()
    time.sleep(seconds)
    return {"seconds": seconds, "cpu_percent": round(100 * (agent.cpu_s() - c0) / (time.time() - t0), 3),
            "rss_kib": agent.rss_kib()}


def flood(agent, build, kind, src, seconds):
    """The fastest flood this machine makes: agent CPU and RSS, events per attacker."""
    c0, t0 = agent.cpu_s(), time.time()
    n0 = len(agent.threats())
    port = "8080" if kind == "syn" else "5300"
    sent = sender([kind, "10.79.0.1", port, str(seconds), "0", src], build)
    wall = time.time() - t0
    cpu = agent.cpu_s() - c0
    events = [(t, p, e) for t, p, e in agent.threats()[n0:]]
    per_source = {}
    for t, p, e in events:
        per_source[p["object"]] = per_source.get(p["object"], 0) + 1
    worst = max(per_source.values()) if per_source else 0
    return {"kind": kind, "source": src, "rate_pps": sent["pps"], "packets": sent["sent"],
            "agent_cpu_percent": round(100 * cpu / wall, 2), "rss_kib": agent.rss_kib(),
            "events": len(events), "classes": sorted({e["class"] for t, p, e in events}),
            "max_events_per_s_per_attacker": round(worst / wall, 3)}


def run(args):
    report = {"scenario": "network-threat", "machine": {"cpus": os.cpu_count(), "loadavg_before": loadavg()}}
    work = tempfile.mkdtemp(prefix="ntbench.")
    topology_up()
    services = [subprocess.Popen(["ip", "netns", "exec", VIC, "python3", HELPER, "listen", str(p)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in (22, 8080)]
    services.append(subprocess.Popen(["ip", "netns", "exec", VIC, "python3", HELPER, "udp-echo", "5300"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(1.5)
    agent = None
    try:
        agent = Agent(args.build, work, {})
        report["idle"] = idle(agent, args.idle)
        report["detection_latency_ms"] = detection_latency(agent)
        report["ban_latency"] = ban_latency(agent, args.build)
        report["flood_block_mode"] = flood(agent, args.build, "syn", "10.79.0.50", args.flood)
        agent.stop()
        agent = Agent(args.build, work, {"action_on_detect": "notify"})
        report["flood_spoofed_sources"] = flood(agent, args.build, "syn", "random", args.flood)
        report["flood_notify_mode"] = flood(agent, args.build, "syn", "10.79.0.51", args.flood)
        report["failed_probes"] = cpu_per_probes(agent, args.build)
        report["idle_after"] = idle(agent, args.idle)
    finally:
        if agent:
            agent.stop()
        for s in services:
            s.kill()
        topology_down()
        shutil.rmtree(work, ignore_errors=True)
    report["machine"]["loadavg_after"] = loadavg()
    lat = [v["latency_ms"] for v in report["detection_latency_ms"].values() if v["latency_ms"] is not None]
    report["targets"] = {
        "syn_scan_detected_le_1000ms": (report["detection_latency_ms"]["syn"]["latency_ms"] or 1e9) <= 1000,
        "ban_p99_le_50ms": report["ban_latency"]["ban_ms_p99"] <= 50,
        "cpu_le_50ms_per_100k_failed_probes": report["failed_probes"]["agent_cpu_s_per_100k"] <= 0.05,
        "idle_cpu_le_0.1_percent": report["idle"]["cpu_percent"] <= 0.1,
        "rss_le_32MiB": max(report["idle"]["rss_kib"], report["flood_spoofed_sources"]["rss_kib"]) <= 32768,
        "events_le_1_per_s_per_attacker": report["flood_notify_mode"]["max_events_per_s_per_attacker"] <= 1,
        "detection_latency_max_ms": max(lat) if lat else None,
    }
    return report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--idle", type=float, default=60)
    ap.add_argument("--flood", type=float, default=10)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print(json.dumps({"scenario": "network-threat", "error": "needs root (network namespaces)"}))
        return 77
    print(json.dumps(run(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
