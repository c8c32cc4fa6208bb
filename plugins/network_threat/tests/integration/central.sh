#!/usr/bin/env bash
# The events arrive in vigil-central: a scan's threat and its block
# action_result travel through kataedr to a real vigil-central (real TLS),
# stored as OCSF Detection Finding / Remediation Activity; and
# network_threat.list / .unblock work as central-node tasks.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/kataedr/tests/integration/kataedr_lib.sh"
source "$(dirname "$0")/nt_lib.sh"
nt_require_tools
kt_require_central
vt_init network_threat_central
nt_topology_up
nt_services_up

# vigil-central beside the agent, on the victim namespace's loopback (the
# test certificates are issued for 127.0.0.1).
kt_certs "$VT_DIR/certs"
port=$(ip netns exec "$NT_VIC" python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cfg=$(kt_central_config main "$port" "$VT_DIR/certs" false)
ip netns exec "$NT_VIC" "$KT_CENTRAL" serve --config "$cfg" >>"$VT_DIR/central-main.log" 2>&1 &
vt_track_pid $!
KT_CENTRAL_CFG_main=$cfg
vt_wait_until 20 ip netns exec "$NT_VIC" "$KT_CENTRAL" --config "$cfg" stats || vt_fail "vigil-central did not start"
kt_enroll_token "$cfg" ip netns exec "$NT_VIC"
kt_cli() { shift; ip netns exec "$NT_VIC" "$KT_CENTRAL" --config "$cfg" "$@"; }

nt_agent_config "" "  behavior:
    enabled: true
  kataedr:
    enabled: true
    servers: [\"https://127.0.0.1:$port\"]
    server_ca: $VT_DIR/certs/ca.crt
    max_send_delay_s: 1
    sync_period_s: 2
    task_poll_wait_s: 2
    enrollment_token_file: $VT_DIR/enroll.token
    allowed_tasks: [ping, \"network_threat.*\"]"
sed -i "s|plugin_dir: \[|plugin_dir: [$VIGIL_BUILD/test-plugins/kataedr, |" "$VT_DIR/vigil.yaml"
nt_start_agent
vt_wait_until 20 kt_status_ok "s.get('connected')" || vt_fail "kataedr did not connect: $(kt_status 's')"
# The connector's server is protected without any setting.
nt_status_ok "any('127.0.0.1' == e['prefix'] or e['why'].startswith('central node or proxy of the connector') for e in s['never_block'])" ||
  vt_fail "connector servers not protected"

nt_nmap 10.78.0.2 -sS -T4 --top-ports 100 10.78.0.1 >/dev/null
vt_wait_until 5 nt_has_threat 10.78.0.2 scan.tcp.syn || vt_fail "scan not detected"
t0=$SECONDS
kt_wait_events main "TCP SYN port scan from 10.78.0.2" 1 20 detection || vt_fail "the threat did not arrive in vigil-central"
kt_wait_events main "scan.tcp.syn" 2 20 || vt_fail "threat and block action did not both arrive"
vt_log "threat and action_result stored in vigil-central $((SECONDS - t0)) s after detection"
kt_cli main events --text "10.78.0.2" --type detection --limit 1 --json | python3 -c "
import json,sys
e=json.load(sys.stdin)['events'][0]['event']
assert e['class_uid']==2004, e
assert e['finding_info']['analytic']['category']=='network_threat', e
assert any(a.get('technique',{}).get('uid')=='T1046' for a in e['finding_info']['attacks']), e
assert e['unmapped']['details']['action']=='blocked', e
" || vt_fail "stored detection is not as expected"

# Central-node tasks.
agent=$(kt_agent_id)
id=$(kt_task main "$agent" network_threat.list)
res=$(kt_task_field main "$id" 'json.dumps(d)')
grep -q '10.78.0.2' <<<"$res" || vt_fail "network_threat.list task: $res"
id=$(kt_task main "$agent" network_threat.unblock '{"ip":"10.78.0.2"}')
res=$(kt_task_field main "$id" 'json.dumps(d)')
grep -q '"was_blocked": *true' <<<"$res" || vt_fail "network_threat.unblock task: $res"
nt_banned4 10.78.0.2 && vt_fail "still banned after the unblock task"
grep -a '"action":"unblock"' "$VT_DIR/actions.log" | grep -q '"origin":"task:' || vt_fail "unblock not attributed to the task"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
