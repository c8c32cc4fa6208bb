#!/usr/bin/env bash
# kataedr, the connector to the central node: with the real sensors: process, network and file
# events caused by commands this test runs (behavior plugin, eBPF or its
# fallback) appear in vigil-central within the send delay.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
kt_require_central
if [[ ! -f $VIGIL_BUILD/plugins/behavior.so ]]; then
  echo "SKIP: the behavior plugin is not built" >&2
  exit 77
fi
vt_init kataedr_behavior

kt_main_central
mkdir -p "$VT_DIR/watched"
m="ktreal$$x"
kt_behavior_config "$VT_DIR/vigil.yaml" "detection: false
file_watch_paths: [$VT_DIR/watched]" "max_send_delay_s: 1
rate_limit_enabled: false"
kt_start_daemon "$VT_DIR/vigil.yaml"
[[ $(vt_plugin_state behavior) == running ]] || vt_fail "behavior is not running: $(vctl --json plugins)"
vt_wait_until 15 kt_status_ok "s.get('connected')" || vt_fail "kataedr did not connect: $(kt_status 's')"
sleep 1  # sensors attached

start=$SECONDS
/bin/echo "$m" >/dev/null
curl -s --max-time 5 --cacert "$VT_DIR/certs/ca.crt" -o /dev/null "https://127.0.0.1:$KT_PORT/$m" || true
touch "$VT_DIR/watched/$m.txt"
vt_wait_until 20 bash -c "(( \$(\"$KT_CENTRAL\" --config \"$KT_CENTRAL_CFG_main\" events --text $m --type process --limit 100 --json |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"events\"]))') >= 2 ))" ||
  vt_fail "process events of the test's commands did not arrive: $(kt_status 's["telemetry"]')"
vt_log "process events stored $((SECONDS - start)) s after the commands ran"
kt_cli main events --text "$m" --type process --limit 100 --json | python3 -c "
import json,sys
ev=[e['event'] for e in json.load(sys.stdin)['events']]
cmds=[e['process']['cmd_line'] for e in ev]
assert any(c.startswith('/bin/echo') or c.startswith('echo') for c in cmds), cmds
assert any('curl' in c for c in cmds), cmds
" || vt_fail "the commands are not in the stored process events"
vt_wait_until 20 bash -c "(( \$(\"$KT_CENTRAL\" --config \"$KT_CENTRAL_CFG_main\" events --text $m --type file --limit 100 --json |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"events\"]))') >= 1 ))" ||
  vt_fail "the file event did not arrive"
vt_wait_until 20 bash -c "(( \$(\"$KT_CENTRAL\" --config \"$KT_CENTRAL_CFG_main\" events --text $m --type network --limit 100 --json |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"events\"]))') >= 1 ))" ||
  vt_fail "the network event of curl did not arrive"
vt_pass
