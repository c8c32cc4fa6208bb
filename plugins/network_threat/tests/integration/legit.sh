#!/usr/bin/env bash
# The legitimate corpus (L1-L8) produces no detection and no ban:
#   L1/L6 500 new TCP connections a second from one client to an open port
#   L3    the service restarts (down 10 s) while L1 runs
#   L4    late DNS/NTP/QUIC replies and TCP ACK/FIN from port 443 to closed ephemeral ports
#   L5    a monitoring poller: 8 ports every 10 s, 2 of them closed
#   L7    broadcast and multicast service noise (NetBIOS, DHCP, SSDP, mDNS, LLMNR), IPv6 ND
#   L8    the victim's own outbound connections
# NT_LEGIT_SECONDS sets the length: 40 s in the default run, 600 s under --long.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/nt_lib.sh"
nt_require_tools
vt_init network_threat_legit
secs=${NT_LEGIT_SECONDS:-40}
nt_topology_up
nt_services_up
nt_bg "$NT_VIC" python3 "$NT_HELPER" listen 8081
l8081=${NT_PIDS[-1]}
for p in 8082 8083 8084 8085 8086 8087; do nt_bg "$NT_VIC" python3 "$NT_HELPER" listen "$p"; done
nt_bg "$NT_LEG" python3 "$NT_HELPER" http 8080
vt_wait_until 10 nt_tcp "$NT_LEG" 10.78.0.1 8087 || vt_fail "services did not start"
nt_agent_config ""
nt_start_agent

ip netns exec "$NT_LEG" python3 "$NT_HELPER" load 10.78.0.1 8081 500 "$secs" >"$VT_DIR/load.json" 2>&1 &
load=$!
vt_track_pid $load
nt_bg "$NT_LEG" python3 "$NT_HELPER" late-replies 10.78.0.1 "$secs"
nt_bg "$NT_LEG" python3 "$NT_HELPER" poll 10.78.0.1 "$secs" 10 8080 22 8082 8083 8084 8085 9101 9102
nt_bg "$NT_LEG" python3 "$NT_HELPER" noise 10.78.0.4 "$secs"
nt_bg "$NT_LEG" ip -6 neigh flush all
# L3: the service on 8081 goes away for 10 s in the middle, then comes back.
sleep $((secs / 3))
kill "$l8081"
sleep 10
nt_bg "$NT_VIC" python3 "$NT_HELPER" listen 8081
# L8: the victim's own outbound traffic.
end=$((SECONDS + secs / 2))
while ((SECONDS < end)); do
  ip netns exec "$NT_VIC" python3 "$NT_HELPER" connect 10.78.0.4 8080 1 || true
  ip netns exec "$NT_VIC" python3 "$NT_HELPER" connect 10.78.0.4 9999 1 || true
  sleep 1
done
wait $load
vt_log "L1 load: $(cat "$VT_DIR/load.json")"
python3 -c "import json; d=json.load(open('$VT_DIR/load.json')); assert d['attempted'] >= 400 * $secs * 0.8, d" ||
  vt_fail "the load generator did not reach 500 connections a second: $(cat "$VT_DIR/load.json")"
# Only the 10 s outage (L3) may fail: ~5,000 refused connections, plus 2 % slack.
python3 -c "import json; d=json.load(open('$VT_DIR/load.json')); assert d['failed'] <= 500 * 10 * 1.25 + 0.02 * d['attempted'], d" ||
  vt_fail "legitimate connections failed outside the outage: $(cat "$VT_DIR/load.json")"
sleep 2
findings=$(nt_status "s['findings']")
[[ $findings == 0 ]] || vt_fail "$findings detection(s) on legitimate traffic: $(cut -c1-400 "$VT_DIR/threats.log")"
[[ $(nt_status "s['bans']") == 0 ]] || vt_fail "bans on legitimate traffic"
vt_log "legit corpus ($secs s): 0 detections, 0 bans; logged $(nt_status "s['packets']")"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
