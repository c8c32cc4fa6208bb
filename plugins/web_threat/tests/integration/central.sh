#!/usr/bin/env bash
# The events arrive in vigil-central: a blocked request's threat and its
# block action_result, and the worker's degraded / restored action_results
# (kill -9, restart) travel through kataedr to a real vigil-central (real
# TLS); web_threat.set_lists sent as a central-node task blocks a new name in
# the running worker; the counters show in `vigilctl status`.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/kataedr/tests/integration/kataedr_lib.sh"
source "$(dirname "$0")/wt_lib.sh"
vt_init web_threat_central
wt_require
kt_require_central
wt_topology_up
wt_origin_up

# vigil-central beside the agent, on the client namespace's loopback (the
# test certificates are issued for 127.0.0.1; loopback is never redirected).
# The namespace is fresh: a fixed port is free.
port=8443
central() { ip netns exec "$WT_C" "$KT_CENTRAL" "$@"; }
kt_certs "$VT_DIR/certs"
cfg=$(kt_central_config main "$port" "$VT_DIR/certs" false)
KT_CENTRAL_CFG_main=$cfg
central serve --config "$cfg" >>"$VT_DIR/central-main.log" 2>&1 &
vt_track_pid $!
vt_wait_until 20 central --config "$cfg" stats || vt_fail "vigil-central did not start"
kt_enroll_token "$cfg" ip netns exec "$WT_C"
kt_cli() { shift; central --config "$cfg" "$@"; }

wt_config "$VT_DIR/vigil.yaml"
# kataedr needs a behavior plugin: the sensor-less stand-in of its tests.
sed -i "s|plugin_dir: \[|plugin_dir: [$VIGIL_BUILD/test-plugins/kataedr, |" "$VT_DIR/vigil.yaml"
printf '  behavior:\n    enabled: true\n' >>"$VT_DIR/vigil.yaml"
kt_kataedr_section "servers: [\"https://127.0.0.1:$port\"]
server_ca: $VT_DIR/certs/ca.crt
max_send_delay_s: 1
sync_period_s: 2
task_poll_wait_s: 2
allowed_tasks: [ping, \"web_threat.*\"]" >>"$VT_DIR/vigil.yaml"
wt_start "$VT_DIR/vigil.yaml"
vt_wait_until 20 kt_status_ok "s.get('connected')" || vt_fail "kataedr did not connect: $(kt_status 's')"

# A blocked request: its threat and the block action_result are stored.
page=$(wt_curl --resolve blocked.test:80:10.9.0.2 http://blocked.test/central-marker)
[[ $page == *" 403" ]] || vt_fail "blocked.test not blocked"
# The block page quotes the event id the central node shows (the finding's uid).
quoted=$(sed -n 's|.*<td>Event</td><td><code>\([^<]*\)</code>.*|\1|p' <<<"$page")
[[ $quoted == *:threat:* ]] || vt_fail "the block page quotes no event id: $page"
t0=$SECONDS
kt_wait_events main "central-marker" 2 20 || vt_fail "threat and block action did not both arrive"
kt_wait_events main "central-marker" 1 20 detection || vt_fail "no detection among them"
vt_log "threat and action_result stored in vigil-central $((SECONDS - t0)) s after the request; the block page's event id $quoted is the stored finding's uid"
kt_cli main events --text "central-marker" --type detection --limit 1 --json | python3 -c "
import json,sys
e = json.load(sys.stdin)['events'][0]['event']
d = e['unmapped']['details']
assert (e['class_uid'], e['finding_info']['analytic']['category']) == (2004, 'web_threat'), e
assert (d['action'], d['protocol'], d['list']) == ('blocked', 'http', 'bad-domains'), d
assert e['finding_info']['uid'] == sys.argv[1], (e['finding_info']['uid'], sys.argv[1])
" "$quoted" || vt_fail "stored detection is not as expected: $(kt_cli main events --text central-marker --type detection --limit 1 --json)"

# The worker dies and comes back: both action_results are stored.
kill -9 "$(wt_worker_pid)"
vt_wait_until 5 wt_running || vt_fail "the worker did not come back"
kt_wait_events main "killed by signal 9" 2 20 || vt_fail "degraded/restored did not both arrive: $(kt_cli main events --text 'signal 9' --json)"
vt_log "worker down / back again stored in vigil-central"

# web_threat.set_lists as a central-node task: the running worker blocks the name.
agent=$(kt_agent_id)
id=$(kt_task main "$agent" web_threat.set_lists '{"lists":[{"name":"from-central","format":"domains","category":"phishing","content":"task.test\n"}]}')
res=$(kt_task_field main "$id" 'json.dumps(d)')
grep -q '"from-central"' <<<"$res" || vt_fail "web_threat.set_lists task: $res"
vt_wait_until 10 vt_status_ok web_threat "s['interception']['worker_lists_generation'] >= 1" ||
  vt_fail "the worker did not take the task's lists: $(wt_st "s['interception']")"
[[ $(wt_curl --resolve task.test:80:10.9.0.2 http://task.test/x) == *'vigil-block-page'*" 403" ]] ||
  vt_fail "task.test not blocked after the task"
kt_wait_events main "task.test" 1 20 detection || vt_fail "the threat for task.test did not arrive"
vt_log "set_lists task applied by the running worker; its threat stored"

# Counters in vigilctl status (the text form).
vctl status | grep -q '^    interception: .*"blocked":[1-9]' || vt_fail "no interception counters in vigilctl status: $(vctl status)"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
