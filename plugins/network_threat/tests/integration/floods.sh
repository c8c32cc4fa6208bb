#!/usr/bin/env bash
# Floods (F1-F4): single-source SYN, UDP and ICMP floods are detected and the
# source banned; a spoofed-source SYN flood is one host-level event and bans
# nobody. The rates nping and the raw sender reached are logged.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/nt_lib.sh"
nt_require_tools
vt_init network_threat_floods
nt_topology_up
nt_services_up
# A UDP service that cannot keep up: what makes a UDP flood a flood.
nt_bg "$NT_VIC" python3 "$NT_HELPER" udp-slow 5301
# The distributed threshold is lowered to what a Python raw sender reaches on
# a shared 2-core machine (default 20,000/s).
nt_agent_config "thresholds: {distributed_syn_pps: 3000}"
nt_start_agent

flood() {  # flood NAME SOURCE CLASS NPING_ARGS...
  local name=$1 src=$2 cls=$3
  shift 3
  local out
  out=$(ip netns exec "$NT_ATK" nping -S "$src" -e eth0 -q "$@" 10.78.0.1 2>&1)
  vt_log "$name: $(grep -o 'Raw packets sent: [0-9]*' <<<"$out"), $(grep -o 'pinged in [0-9.]* seconds' <<<"$out")"
  vt_wait_until 5 nt_has_threat "$src" "$cls" || vt_fail "$name: no $cls for $src (seen: $(nt_threats "$src"))"
  nt_threats "$src" | grep "^$cls|" | head -1 | grep -q "|blocked|" || vt_fail "$name: not blocked: $(nt_threats "$src")"
  nt_banned4 "$src" || vt_fail "$name: $src not in the ban set"
}
flood F1 10.78.0.70 flood.syn --tcp --flags syn -p 8080 --rate 20000 -c 60000
flood F3 10.78.0.71 flood.udp --udp -p 5301 --rate 20000 -c 60000
flood F4 10.78.0.72 flood.icmp --icmp --icmp-type echo --rate 5000 -c 15000

# F2: random spoofed sources, a host-level event, no per-source ban.
bans_before=$(nt_status "s['bans']")
rate=$(ip netns exec "$NT_ATK" python3 "$NT_HELPER" spoof-syn 10.78.0.1 8080 8000 6)
vt_log "F2 spoofed SYN flood: $rate"
vt_wait_until 5 grep -q '"rule_id":"flood.distributed"' "$VT_DIR/threats.log" || vt_fail "no flood.distributed event"
grep -a '"rule_id":"flood.distributed"' "$VT_DIR/threats.log" | head -1 | grep -q '"object_type":"host"' ||
  vt_fail "distributed flood not reported at host level"
[[ $(grep -a -c '"rule_id":"flood.distributed"' "$VT_DIR/threats.log") == 1 ]] || vt_fail "more than one distributed-flood event"
[[ $(nt_status "s['bans']") == "$bans_before" ]] || vt_fail "the spoofed flood banned sources: $(vctl network_threat list)"
ip netns exec "$NT_VIC" nft list set inet "$NT_TABLE" ban4 | grep -q "198\.1[89]\." && vt_fail "a spoofed source was banned"
nt_tcp "$NT_LEG" 10.78.0.1 8080 || vt_fail "legit client lost the service"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
