#!/usr/bin/env bash
# kataedr, the connector to the central node: the first configured server is down, the second is up
# -> telemetry goes to the second, and `vigilctl status` names it.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
kt_require_central
vt_init kataedr_failover

kt_certs "$VT_DIR/certs"
dead=$(kt_free_port)  # nothing listens there
live=$(kt_free_port)
kt_start_central second "$live" "$VT_DIR/certs"
kt_agent_config "$VT_DIR/vigil.yaml" "servers: [\"https://127.0.0.1:$dead\", \"https://127.0.0.1:$live\"]
server_ca: $VT_DIR/certs/ca.crt
max_send_delay_s: 1
rate_limit_enabled: false"
kt_start_daemon "$VT_DIR/vigil.yaml"
m="ktfo$$x"
kt_emit file 7 "$m"
kt_wait_events second "$m" 7 30 || vt_fail "events did not fail over to the second server"
vt_wait_until 5 kt_status_ok "s.get('server')=='https://127.0.0.1:$live' and s.get('connected')" ||
  vt_fail "status does not show the second server: $(kt_status 's')"

# The first server comes up: the agent stays with the working one until it fails,
# then fails over again, in configured order.
kt_start_central first "$dead" "$VT_DIR/certs"
kt_stop_central second
m2="ktfo2$$x"
kt_emit network 4 "$m2"
kt_wait_events first "$m2" 4 30 || vt_fail "events did not fail over back to the first server"
[[ $(kt_count_events first "$m") == 0 ]] || vt_fail "old events were sent twice"
vt_pass
