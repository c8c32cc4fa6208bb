#!/usr/bin/env bash
# nmap scan kinds from the test matrix are detected with their class, each from
# its own source address, in notify mode (so no ban gets in the way of the next
# scan). The default run covers one scan of each detection path (SYN, connect,
# stealth, ACK, UDP, OS fingerprint, IPv6); NT_SCANS=all (label long) runs every
# kind (S1-S14, S20). Fast timing (-T4, 30 ports) keeps it short.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/nt_lib.sh"
nt_require_tools
vt_init network_threat_scans
nt_topology_up
nt_services_up
nt_agent_config "action_on_detect: notify"
nt_start_agent

# scan SOURCE EXPECTED_CLASS NMAP_ARGS...
n=0
scan() {
  local src=$1 want=$2
  shift 2
  local t0=$SECONDS
  nt_nmap "$src" -T4 --max-retries 1 "$@" >"$VT_DIR/nmap.$src.log"
  if ! vt_wait_until 5 nt_has_threat "$src" "$want"; then
    vt_log "nmap $*: $(tail -3 "$VT_DIR/nmap.$src.log")"
    vt_fail "nmap $* from $src: no $want (seen: $(nt_threats "$src" | tr '\n' ' '))"
  fi
  n=$((n + 1))
  vt_log "ok: nmap $* -> $want ($(nt_threats "$src" | cut -d'|' -f1,2 | sort -u | tr '\n' ' ')) in $((SECONDS - t0)) s"
}

P=(--top-ports 30)
scan 10.78.0.21 scan.tcp.syn -sS "${P[@]}" 10.78.0.1                  # S1
scan 10.78.0.22 scan.tcp.connect -sT "${P[@]}" 10.78.0.1              # S2
scan 10.78.0.25 scan.tcp.xmas -sX "${P[@]}" 10.78.0.1                 # S5
scan 10.78.0.27 scan.tcp.ack -sA "${P[@]}" 10.78.0.1                  # S7
scan 10.78.0.31 scan.udp -sU "${P[@]}" 10.78.0.1                      # S10
scan 10.78.0.35 recon.os_fingerprint -O -p 22,80,81,8080 10.78.0.1    # S13
scan fd78::40 scan.tcp.syn -6 -sS "${P[@]}" fd78::1                   # S20
min_events=7
if [[ ${NT_SCANS:-quick} == all ]]; then
  scan 10.78.0.23 scan.tcp.fin -sF "${P[@]}" 10.78.0.1                # S3
  scan 10.78.0.24 scan.tcp.null -sN "${P[@]}" 10.78.0.1               # S4
  scan 10.78.0.26 scan.tcp.maimon -sM "${P[@]}" 10.78.0.1             # S6
  scan 10.78.0.28 scan.tcp.ack -sW "${P[@]}" 10.78.0.1                # S8
  scan 10.78.0.29 malformed.tcp_flags --scanflags SYNFIN "${P[@]}" 10.78.0.1   # S9
  nt_has_threat 10.78.0.29 scan.tcp.custom || vt_fail "--scanflags SYNFIN: no scan.tcp.custom"
  scan 10.78.0.30 scan.tcp.xmas --scanflags URGPSHFIN "${P[@]}" 10.78.0.1
  scan 10.78.0.32 scan.ip_protocol -sO 10.78.0.1                      # S11
  scan 10.78.0.33 scan.sctp -sY "${P[@]}" 10.78.0.1                   # S12
  scan 10.78.0.34 scan.sctp -sZ "${P[@]}" 10.78.0.1
  nt_threats 10.78.0.34 | grep -q "nmap -sZ" || vt_fail "-sZ not told from -sY"
  scan 10.78.0.36 scan.tcp.syn -f -sS "${P[@]}" 10.78.0.1             # S14: reassembled before L4
  nt_has_threat 10.78.0.36 malformed.fragment || vt_fail "-f: tiny fragments not reported"
  scan fd78::41 scan.tcp.fin -6 -sF "${P[@]}" fd78::1                 # S20: IPv6 parity
  scan fd78::42 scan.tcp.xmas -6 -sX "${P[@]}" fd78::1
  scan fd78::43 scan.udp -6 -sU "${P[@]}" fd78::1
  min_events=20
fi

# Notify mode: nothing was banned, and every report says so.
[[ $(nt_status "s['bans']") == 0 ]] || vt_fail "bans in notify mode: $(nt_status 's')"
grep -q '"action":"block"' "$VT_DIR/actions.log" && vt_fail "a block action in notify mode"
python3 - "$VT_DIR/threats.log" "$min_events" <<'PY' || vt_fail "a threat event is not shaped as documented"
import json, sys
n = 0
for line in open(sys.argv[1], errors="replace"):
    p = json.loads(line)["payload"]
    e = json.loads(p["details_json"])
    assert p["detector"] == "network_threat", p
    assert p["tags"].startswith("attack.t"), p
    assert e["action"] == "notified", e
    assert e["mitre_technique"].startswith("T"), e
    n += 1
assert n >= int(sys.argv[2]), n
PY
# Metrics: the detections by class and the sensor's watchdog heartbeat.
metrics=$(vctl metrics) || vt_fail "vigilctl metrics failed"
grep -E '^vigil_network_threat_detections_total\{.*class="scan.tcp.syn"' <<<"$metrics" | grep -q 'plugin="network_threat"' ||
  vt_fail "no detections metric: $(grep network_threat <<<"$metrics" | head -20)"
grep -q '^vigil_network_threat_evidence_packets_total{plugin="network_threat"} [1-9]' <<<"$metrics" ||
  vt_fail "no evidence packets metric"
age=$(grep -E '^vigil_watchdog_heartbeat_age_seconds\{' <<<"$metrics" | grep 'component="sensor"' |
  grep 'plugin="network_threat"' | awk '{print $2}')
[[ -n $age ]] || vt_fail "no sensor heartbeat: $(grep watchdog <<<"$metrics")"
python3 -c "import sys; sys.exit(0 if float('$age') < 5 else 1)" || vt_fail "sensor heartbeat is $age s old"
# The legitimate client was never disturbed.
nt_tcp "$NT_LEG" 10.78.0.1 8080 || vt_fail "legit client lost the service"
vt_log "$n scan kinds detected"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
