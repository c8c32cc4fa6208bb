#!/usr/bin/env bash
# kataedr, the connector to the central node: a server whose certificate does not match the
# configured CA or pinned certificate is refused: nothing is sent, and
# `vigilctl status` shows a clear TLS error. With the right CA, and with the
# server's own certificate pinned, the same agent connects.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
kt_require_central
vt_init kataedr_tls

kt_certs "$VT_DIR/certs"
kt_certs "$VT_DIR/other"  # an unrelated CA and server certificate
port=$(kt_free_port)
kt_start_central main "$port" "$VT_DIR/certs"

run_agent() {  # run_agent SERVER_CA MARKER
  kt_agent_config "$VT_DIR/vigil.yaml" "servers: [\"https://127.0.0.1:$port\"]
server_ca: $1
max_send_delay_s: 1
connect_timeout_s: 3
rate_limit_enabled: false"
  kt_start_daemon "$VT_DIR/vigil.yaml"
  kt_emit process_start 3 "$2"
}

# Wrong CA: refused, the reason is visible, nothing stored, data kept in the spool.
run_agent "$VT_DIR/other/ca.crt" "ktca$$x"
vt_wait_until 10 kt_status_ok "s.get('last_error') and s['last_error']['kind']=='tls'" ||
  vt_fail "no TLS error in status: $(kt_status 's')"
msg=$(kt_status "s['last_error']['message']")
vt_log "status shows: $msg"
grep -q "certificate" <<<"$msg" || vt_fail "TLS error does not explain the certificate problem: $msg"
vctl status | grep -q "last_error" || vt_fail "vigilctl status does not print the error"
vt_wait_until 10 kt_status_ok "s['spool']['events']==3" || vt_fail "refused events not spooled: $(kt_status 's["spool"]')"
[[ $(kt_cli main agents --json | vt_json 'len(d["agents"])') == 0 ]] || vt_fail "an agent behind a wrong CA was registered"
[[ $(kt_count_events main "ktca$$x") == 0 ]] || vt_fail "events were sent to an untrusted server"
vt_stop_daemon

# Pinned certificate of another server: refused with a pin message.
run_agent "$VT_DIR/other/server.crt" "ktpin$$x"
vt_wait_until 10 kt_status_ok "s.get('last_error') and 'pinned' in s['last_error']['message']" ||
  vt_fail "pin mismatch not shown: $(kt_status 's')"
[[ $(kt_count_events main "ktpin$$x") == 0 ]] || vt_fail "events were sent despite a pin mismatch"
vt_stop_daemon

# The server's own certificate pinned: connects, and the spooled events of
# both refused runs arrive (the spool survived the restarts).
run_agent "$VT_DIR/certs/server.crt" "ktok$$x"
kt_wait_events main "ktok$$x" 3 15 || vt_fail "pinned server: events did not arrive"
kt_wait_events main "ktca$$x" 3 15 || vt_fail "spooled events from the refused run did not arrive"
kt_wait_events main "ktpin$$x" 3 15 || vt_fail "spooled events from the pin-mismatch run did not arrive"
kt_status_ok "s['tls']['server_trust']=='pinned certificate'" || vt_fail "status does not show pin mode"
vt_stop_daemon

# server_ca is required: without it the plugin refuses to start, the host keeps running.
kt_agent_config "$VT_DIR/vigil.yaml" "servers: [\"https://127.0.0.1:$port\"]
server_ca: $VT_DIR/missing-ca.pem"
kt_start_daemon "$VT_DIR/vigil.yaml"
[[ $(vt_plugin_state kataedr) == failed ]] || vt_fail "kataedr started without a readable server_ca"
vctl --json plugins | grep -q "kataedr.server_ca" || vt_fail "error does not name server_ca: $(vctl --json plugins)"
vt_pass
