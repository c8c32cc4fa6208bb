#!/usr/bin/env bash
# Slow scans (S16-S18): nmap -T2 detected within 10 s, -T1 within 5 min and
# blocked; -T0 reported (notify only), with slow_ports 3. -T0 sends one probe
# every five minutes and the slow tier also waits out the medium window, so the
# -T0 part takes up to ~30 minutes (the same pace ten times faster, with the
# windows scaled, was reported after 5 probes / 301 s). The unit tests cover
# the default thresholds. Long suite only.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/nt_lib.sh"
nt_require_tools
vt_init network_threat_slow
nt_topology_up
nt_services_up
nt_agent_config "thresholds: {slow_ports: 3}"
nt_start_agent

timed_scan() {  # timed_scan SOURCE CLASS LIMIT_S NMAP_ARGS...
  local src=$1 cls=$2 limit=$3
  shift 3
  local t0=$SECONDS
  nt_nmap "$src" "$@" 10.78.0.1 >"$VT_DIR/nmap.$src.log" &
  local pid=$!
  vt_track_pid $pid
  vt_wait_until "$limit" nt_has_threat "$src" "$cls" || vt_fail "nmap $*: no $cls within $limit s"
  vt_log "nmap $*: $cls after $((SECONDS - t0)) s ($(nt_threats "$src" | head -1))"
  kill "$pid" 2>/dev/null
}
timed_scan 10.78.0.90 scan.tcp.syn 10 -sS -T2 -p 1-100
timed_scan 10.78.0.91 scan.tcp.syn 300 -sS -T1 -p 1-40
nt_threats 10.78.0.91 | grep -q "|blocked|" || vt_fail "-T1 scan not blocked"
timed_scan 10.78.0.92 scan.slow 2000 -sS -T0 -p 1-25
nt_threats 10.78.0.92 | grep -q "^scan.slow|.*|notified|" || vt_fail "-T0 scan not notify-only: $(nt_threats 10.78.0.92)"
nt_banned4 10.78.0.92 && vt_fail "-T0 scanner banned"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
