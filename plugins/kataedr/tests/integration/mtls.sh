#!/usr/bin/env bash
# kataedr, the connector to the central node: with client certificates required by the server, an
# agent without its PKCS#12 container is refused; with it, it works; a wrong
# container password is a clear error at start.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
kt_require_central
vt_init kataedr_mtls

kt_main_central true
base="$(kt_main_servers)
max_send_delay_s: 1
connect_timeout_s: 3
rate_limit_enabled: false"

# mtls_agent P12 PASSWORD_FILE: starts the agent with mutual TLS through that container.
mtls_agent() {
  kt_agent_config "$VT_DIR/vigil.yaml" "$base
mutual_auth: true
client_p12: $1
client_p12_password_file: $2"
  kt_start_daemon "$VT_DIR/vigil.yaml"
}

# Without a client certificate: refused by the server.
kt_agent_config "$VT_DIR/vigil.yaml" "$base"
kt_start_daemon "$VT_DIR/vigil.yaml"
kt_emit file 2 "ktnocert$$x"
vt_wait_until 15 kt_status_ok "s.get('last_error') and s['last_error']['kind']=='tls'" ||
  vt_fail "no TLS error without a client certificate: $(kt_status 's')"
vt_log "without client certificate: $(kt_status "s['last_error']['message']")"
[[ $(kt_cli main agents --json | vt_json 'len(d["agents"])') == 0 ]] || vt_fail "agent without certificate was accepted"
vt_wait_until 10 kt_status_ok "s['spool']['events']==2" || vt_fail "refused events not spooled: $(kt_status 's["spool"]')"
vt_stop_daemon

# With the PKCS#12 container: works (and the spooled events follow).
mtls_agent "$VT_DIR/certs/client.p12" "$VT_DIR/certs/client.p12.pass"
kt_emit file 3 "ktcert$$x"
kt_wait_events main "ktcert$$x" 3 15 || vt_fail "mTLS agent: events did not arrive"
kt_wait_events main "ktnocert$$x" 2 15 || vt_fail "events spooled while refused did not arrive"
kt_status_ok "s['connected'] and s['tls']['mutual_auth']" || vt_fail "status: $(kt_status 's')"
vt_stop_daemon

# Wrong password: a clear error at start; the daemon keeps running.
echo "not-the-password" >"$VT_DIR/wrong.pass"
mtls_agent "$VT_DIR/certs/client.p12" "$VT_DIR/wrong.pass"
[[ $(vt_plugin_state kataedr) == failed ]] || vt_fail "kataedr started with a wrong PKCS#12 password"
err=$(vctl --json plugins | python3 -c "import json,sys; print(next(p['error'] for p in json.load(sys.stdin) if p['name']=='kataedr'))")
vt_log "wrong password: $err"
grep -q "wrong password" <<<"$err" || vt_fail "the error does not say the password is wrong: $err"
[[ $(vt_plugin_state test_source) == running ]] || vt_fail "other plugins were affected"
vt_stop_daemon

# mutual_auth without the container file: refused with the path named.
mtls_agent "$VT_DIR/certs/absent.p12" "$VT_DIR/certs/client.p12.pass"
[[ $(vt_plugin_state kataedr) == failed ]] || vt_fail "kataedr started without its PKCS#12 file"
vctl --json plugins | grep -q "absent.p12" || vt_fail "error does not name the missing container"
vt_pass
