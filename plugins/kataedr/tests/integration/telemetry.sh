#!/usr/bin/env bash
# kataedr, the connector to the central node: events produced on the agent appear in
# vigil-central within the send delay; the per-type rate limit drops and
# counts; the heartbeat carries host facts and drop counters; tasks round-trip
# (ping, a bus command, unknown type, plugin not running, timeout, malformed
# tasks) with exactly one result each while the agent stays up.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
kt_require_central
vt_init kataedr_telemetry

kt_main_central
kt_agent_config "$VT_DIR/vigil.yaml" "$(kt_main_servers)
max_send_delay_s: 1
sync_period_s: 2
task_poll_wait_s: 2
events_per_hour: 1000
type_threshold_percent: 1
allowed_tasks: [ping, isolate, test_behaviors.*]"
kt_start_daemon "$VT_DIR/vigil.yaml"
vt_wait_until 15 kt_status_ok "s.get('connected')" || vt_fail "kataedr did not connect: $(kt_status 's')"
agent=$(kt_agent_id)

# --- 1. events reach the central node within the send delay -----------------
m="ktel$$x"
kt_emit process_start 3 "$m"
kt_emit process_exit 2 "$m"
kt_emit network 4 "$m"
kt_emit file 5 "$m"
kt_emit threat 2 "$m"
kt_emit action_result 2 "$m"
start=$SECONDS
kt_wait_events main "$m" 18 10 || vt_fail "events did not arrive"
vt_log "18 events stored after $((SECONDS - start)) s (send delay 1 s)"
[[ $(kt_count_events main "$m" process) == 5 ]] || vt_fail "process events"
[[ $(kt_count_events main "$m" network) == 4 ]] || vt_fail "network events"
[[ $(kt_count_events main "$m" file) == 5 ]] || vt_fail "file events"
[[ $(kt_count_events main "$m" detection) == 2 ]] || vt_fail "detection events"
[[ $(kt_count_events main "$m" action) == 2 ]] || vt_fail "action events"
# OCSF shape as stored by the server.
kt_cli main events --text "$m" --type detection --limit 1 --json | python3 -c "
import json,sys
e=json.load(sys.stdin)['events'][0]['event']
assert e['class_uid']==2004 and e['finding_info']['title'].startswith('test threat'), e
assert e['device']['uid']=='$agent' and e['metadata']['product']['name']=='Vigil', e
" || vt_fail "detection event is not OCSF-shaped"

# --- rate limit: 1 % of 1000/h = 10 events per type and hour ---------------
m2="ktrl$$x"
kt_emit network 20 "$m2"  # 4 network events were sent already: 6 more fit
kt_wait_events main "$m2" 6 10 network || vt_fail "rate limit did not cap the type at 10 per hour"
vt_wait_until 5 kt_status_ok "s['telemetry']['rate_limited']==14" || vt_fail "rate-limited events not counted: $(kt_status 's["telemetry"]')"
kt_emit file 3 "$m2"       # another type still has its share (5 + 3 <= 10)
kt_wait_events main "$m2" 9 10 || vt_fail "the rate limit of one type starved another"

# --- heartbeat: host facts and drop counters --------------------------------
vt_wait_until 10 bash -c "\"$KT_CENTRAL\" --config \"$KT_CENTRAL_CFG_main\" agents --json |
  python3 -c 'import json,sys; a=json.load(sys.stdin)[\"agents\"][0]; sys.exit(0 if a[\"drops\"][\"rate_limit\"]==14 else 1)'" ||
  vt_fail "heartbeat does not report the rate-limit drops"
kt_cli main agents --json | python3 -c "
import json,sys,socket
a=json.load(sys.stdin)['agents'][0]
assert a['agent_id']=='$agent', a
assert a['hostname'] and a['os'] and a['kernel'].startswith('Linux'), a
assert a['ips'], a
assert any(p=='kataedr' or (isinstance(p,dict) and p.get('name')=='kataedr') for p in a['plugins']), a['plugins']
" || vt_fail "heartbeat lacks host facts: $(kt_cli main agents --json)"

# --- 7. tasks ----------------------------------------------------------------
t=$(kt_task main "$agent" ping)
[[ $(kt_task_field main "$t" 'd["state"]') == done ]] || vt_fail "ping not done: $(kt_cli main task show "$t" --json)"
[[ $(kt_task_field main "$t" 'd["result"]["pong"]') == True ]] || vt_fail "ping result"
t=$(kt_task main "$agent" test_behaviors.echo '{"hello":"world"}')
[[ $(kt_task_field main "$t" 'd["result"]["hello"]') == world ]] || vt_fail "bus command task: $(kt_cli main task show "$t" --json)"
# A command result naming "upload_file" makes the connector stream that file
# to the server before the result (how get_file works); echo stands in for
# the response plugin here.
head -c 3000000 /dev/urandom >"$VT_DIR/payload.bin"
cp "$VT_DIR/payload.bin" "$VT_DIR/payload.copy"
t=$(kt_task main "$agent" test_behaviors.echo "{\"upload_file\":\"$VT_DIR/payload.copy\",\"upload_file_delete\":true}")
[[ $(kt_task_field main "$t" 'd["state"]') == done ]] || vt_fail "upload task: $(kt_cli main task show "$t" --json)"
kt_cli main file get "$t" "$VT_DIR/payload.back" >/dev/null || vt_fail "no file stored for the upload task"
cmp -s "$VT_DIR/payload.bin" "$VT_DIR/payload.back" || vt_fail "uploaded file differs"
[[ ! -e $VT_DIR/payload.copy ]] || vt_fail "upload_file_delete did not remove the file"
t=$(kt_task main "$agent" no_such_task)
[[ $(kt_task_field main "$t" 'd["state"]') == error ]] || vt_fail "unknown type not an error"
kt_task_field main "$t" 'd["error"]' | grep -q 'unknown task type "no_such_task"' || vt_fail "unknown type reason"
t=$(kt_task main "$agent" isolate)
kt_task_field main "$t" 'd["error"]' | grep -qi 'isolation' || vt_fail "task for a missing plugin: $(kt_cli main task show "$t" --json)"
t=$(kt_task main "$agent" test_behaviors.noreply '{}' 2)
kt_task_field main "$t" 'd["error"]' | grep -qi 'tim' || vt_fail "timeout not reported: $(kt_cli main task show "$t" --json)"
# allowed_tasks: a raw command the agent does not list is refused by the agent itself.
t=$(kt_task main "$agent" agent.quarantine_delete '{"id":"x"}')
kt_task_field main "$t" 'd["error"]' | grep -q "refused by the agent: .*not in this agent's allowed_tasks" ||
  vt_fail "unlisted raw command: $(kt_cli main task show "$t" --json)"

# Malformed tasks: the operator API refuses them, so they are corrupted in the
# server's database while the agent is down, then delivered when it returns.
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
# The server still holds the stopped agent's last long poll (wait 2 s); a task
# created now would be handed to that dead request (and redelivered only after
# its timeout, by design). Let the poll run out first.
sleep 3
bad_args=$(kt_task main "$agent" ping)
bad_type=$(kt_task main "$agent" ping)
bad_timeout=$(kt_task main "$agent" ping)
sqlite3 "$VT_DIR/central-main/central.db" \
  "UPDATE tasks SET args='[1,2]' WHERE id='$bad_args'; UPDATE tasks SET type='Bad Type!' WHERE id='$bad_type';
   UPDATE tasks SET timeout_s=-5 WHERE id='$bad_timeout';" || vt_fail "cannot corrupt the tasks"
kt_start_daemon "$VT_DIR/vigil.yaml"
kt_task_field main "$bad_args" 'd["error"]' | grep -q 'invalid arguments' || vt_fail "array args: $(kt_cli main task show "$bad_args" --json)"
kt_task_field main "$bad_type" 'd["error"]' | grep -q 'unknown task type' || vt_fail "bad type: $(kt_cli main task show "$bad_type" --json)"
kt_task_field main "$bad_timeout" 'd["state"]' | grep -q 'error' || vt_fail "bad timeout: $(kt_cli main task show "$bad_timeout" --json)"
[[ $(vt_plugin_state kataedr) == running ]] || vt_fail "kataedr is not running after malformed tasks"
t=$(kt_task main "$agent" ping)
[[ $(kt_task_field main "$t" 'd["state"]') == done ]] || vt_fail "ping after malformed tasks"
# Exactly one result per task: every task of this agent is final, none delivered twice.
kt_cli main task list --agent "$agent" --json | python3 -c "
import json,sys
ts=json.load(sys.stdin)['tasks']
assert len(ts)==11, len(ts)
assert all(t['state'] in ('done','error') for t in ts), [(t['id'],t['state']) for t in ts]
" || vt_fail "not every task has a final result"
vt_pass
