#!/usr/bin/env bash
# End to end: tasks created on the real vigil-central
# travel over TLS to the real vigild through kataedr, become response.*
# commands, and their results (and the get_file bytes) come back:
#   - a file fetched byte-identical with `vigil-central file get`
#   - a file deleted, then restored from the backup store (quarantine_restore)
#   - a process run with its output and exit code, and one killed on timeout
#   - a `sleep` terminated by pid (with its start time) and by path
#   - bad arguments answered with error results naming the problem
#   - the action_result events stored by the central node, the agent still up
# Skipped (77) when the build has no vigil-central / kataedr.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
KT_LIB=$VIGIL_SOURCE/plugins/kataedr/tests/integration/kataedr_lib.sh
if [[ ! -f $KT_LIB || ! -f $VIGIL_BUILD/plugins/kataedr.so || ! -f $VIGIL_BUILD/test-plugins/kataedr/behavior.so ]]; then
  echo "SKIP: kataedr (and its stand-in behavior plugin) are not part of this build" >&2
  exit 77
fi
source "$KT_LIB"
kt_require_central
vt_init response_e2e
[[ -n $VT_DIR && -d $VT_DIR ]] || exit 1

kt_main_central
kt_agent_config "$VT_DIR/vigil.yaml" "$(kt_main_servers)
max_send_delay_s: 1
sync_period_s: 2
task_poll_wait_s: 2"
cat >>"$VT_DIR/vigil.yaml" <<EOF
  response:
    enabled: true
    terminate_grace_s: 2
EOF
vt_start_daemon "$VT_DIR/vigil.yaml"
vt_wait_until 15 kt_status_ok "s.get('connected')" || vt_fail "kataedr did not connect: $(kt_status 's')"
[[ $(vt_plugin_state response) == running ]] || vt_fail "response plugin is not running"
agent=$(kt_agent_id)

# task TYPE ARGS_JSON -> waits for the final state; $T id, $STATE, $TASK (JSON)
task() {
  T=$(kt_task main "$agent" "$1" "$2" "${3:-}") || vt_fail "cannot create task $1 $2"
  TASK=$(kt_cli main task show "$T" --wait 30 --json 2>/dev/null)
  STATE=$(echo "$TASK" | vt_json 'd["state"]')
}
field() { echo "$TASK" | vt_json "$1"; }
expect_done() {
  task "$@"
  [[ $STATE == done ]] || vt_fail "task $1 $2 is $STATE: $TASK"
}
# expect_task_error TYPE ARGS TEXT
expect_task_error() {
  task "$1" "$2"
  [[ $STATE == error ]] || vt_fail "task $1 $2 should be an error, is $STATE: $TASK"
  field 'd["error"]' | grep -qF -- "$3" || vt_fail "task $1 $2: error lacks '$3': $(field 'd["error"]')"
}

# --------------------------------------------------------------- get_file
head -c 2500000 /dev/urandom >"$VT_DIR/evidence.bin"
expect_done get_file "{\"path\":\"$VT_DIR/evidence.bin\"}"
kt_cli main file get "$T" "$VT_DIR/evidence.back" >/dev/null || vt_fail "vigil-central file get failed: $TASK"
cmp -s "$VT_DIR/evidence.bin" "$VT_DIR/evidence.back" || vt_fail "fetched file differs from the original"
[[ $(field 'd["result"]["sha256"]') == $(sha256sum "$VT_DIR/evidence.bin" | cut -d' ' -f1) ]] || vt_fail "sha256 in the result"
staged=$(field 'd["result"]["staged_path"]')
vt_wait_until 5 test ! -e "$staged" || vt_fail "kataedr did not remove the staged copy $staged"
expect_task_error get_file '{"path":"relative/evidence.bin"}' 'must be an absolute path'
expect_task_error get_file "{\"path\":\"$VT_DIR\"}" 'is a directory'
expect_task_error get_file '{"path":"/dev/null"}' 'character device'

# ------------------------------------------------------------ delete_file
printf 'malicious %s\n' "$$" >"$VT_DIR/dropper"
chmod 0700 "$VT_DIR/dropper"
cp -p "$VT_DIR/dropper" "$VT_DIR/dropper.orig"
expect_done delete_file "{\"path\":\"$VT_DIR/dropper\",\"sha256\":\"$(sha256sum "$VT_DIR/dropper" | cut -d' ' -f1)\"}"
[[ ! -e $VT_DIR/dropper ]] || vt_fail "delete_file left the file"
backup=$(field 'd["result"]["backup_id"]')
expect_done quarantine_restore "{\"id\":\"$backup\"}"
cmp -s "$VT_DIR/dropper" "$VT_DIR/dropper.orig" || vt_fail "restored file differs"
[[ $(stat -c %a "$VT_DIR/dropper") == 700 ]] || vt_fail "restored mode differs"
expect_task_error delete_file '{"path":"/etc/passwd"}' 'protected path'
expect_task_error delete_file "{\"path\":\"$VT_DIR/dropper\",\"sha256\":\"$(printf 'a%.0s' {1..64})\"}" 'not the expected'
expect_task_error delete_file '{"path":"/tmp/x","force":true}' 'unknown field "force"'
[[ -f $VT_DIR/dropper ]] || vt_fail "a refused delete removed the file"

# ------------------------------------------------------------ run_process
expect_done run_process '{"executable":"/bin/sh","args":["-c","echo from-task; echo oops >&2; exit 5"]}'
[[ $(field 'd["result"]["stdout"]') == from-task && $(field 'd["result"]["stderr"]') == oops ]] || vt_fail "output: $TASK"
[[ $(field 'd["result"]["exit_code"]') == 5 ]] || vt_fail "exit code: $TASK"
expect_done run_process '{"executable":"/bin/sh","args":["-c","echo started; sleep 60"],"timeout_s":1}'
[[ $(field 'd["result"]["timed_out"]') == True && $(field 'd["result"]["signal_name"]') == SIGKILL ]] ||
  vt_fail "timeout kill: $TASK"
[[ $(field 'd["result"]["stdout"]') == started ]] || vt_fail "output before the timeout: $TASK"
expect_task_error run_process '{"executable":"/bin/true","timeout_s":1e9}' 'field "timeout_s" is too large'
expect_task_error run_process '{"executable":42}' 'field "executable" must be a string'
expect_task_error run_process '{"args":["x"],"executable":"/bin/true","cwd":"relative"}' 'field "cwd" must be an absolute path'

# ------------------------------------------------------ terminate_process
sleep 300 &
s1=$!
vt_track_pid $s1
uniq_sleep=$VT_DIR/uniq_sleep
cp /bin/sleep "$uniq_sleep"
printf 'response-e2e-%s-%s' "$$" "$RANDOM" >>"$uniq_sleep"  # unique path: only our sleeps match
"$uniq_sleep" 300 &
s2=$!
vt_track_pid $s2
vt_wait_until 5 test "$(readlink /proc/$s2/exe)" == "$uniq_sleep"
start_ns=$(python3 - "$s1" <<'PY'
import os, sys, time
ticks = int(open(f"/proc/{sys.argv[1]}/stat").read().rsplit(")", 1)[1].split()[19])
boot = time.clock_gettime_ns(time.CLOCK_REALTIME) - time.clock_gettime_ns(time.CLOCK_BOOTTIME)
print(boot + ticks * 10**9 // os.sysconf("SC_CLK_TCK"))
PY
)
expect_task_error terminate_process "{\"pid\":$s1,\"start_time_ns\":$((start_ns + 3600000000000))}" 'not at the expected start_time_ns'
kill -0 $s1 || vt_fail "a refused terminate killed $s1"
expect_done terminate_process "{\"pid\":$s1,\"start_time_ns\":$start_ns}"
[[ $(field 'd["result"]["terminated"][0]["pid"]') == "$s1" ]] || vt_fail "sleep $s1 not terminated: $TASK"
wait $s1 2>/dev/null
expect_done terminate_process "{\"exe\":\"$uniq_sleep\"}"
[[ $(field 'd["result"]["terminated"][0]["pid"]') == "$s2" ]] || vt_fail "sleep $s2 not terminated by path: $TASK"
wait $s2 2>/dev/null
kill -0 $s2 2>/dev/null && vt_fail "$s2 survived"
expect_task_error terminate_process '{"pid":1}' 'pid 1 (init) is never terminated'
expect_task_error terminate_process "{\"pid\":$VT_VIGILD_PID}" 'is the agent itself'
expect_task_error terminate_process '{"pid":"abc"}' 'field "pid" must be an integer'

# ----------------------------------- action results reached the central node
# This central node serves only this test's agent: every action event is ours.
sleep 2  # max_send_delay_s 1
kt_cli main events --type action --limit 1000 --json >"$VT_DIR/actions.json" 2>/dev/null
python3 - "$VT_DIR/actions.json" <<'PY' || vt_fail "action_result events missing in vigil-central"
import json, sys
events = [e["event"] for e in json.load(open(sys.argv[1]))["events"]]
text = json.dumps(events)
for needle in ("response.get_file", "response.delete_file", "response.run_process",
               "response.terminate_process", "task:", "not at the expected start_time_ns"):
    assert needle in text, needle
print(f"{len(events)} action events stored")
PY
vctl status >/dev/null || vt_fail "vigild stopped answering"
[[ $(vt_plugin_state response) == running ]] || vt_fail "response plugin is no longer running"
[[ $(vt_plugin_state kataedr) == running ]] || vt_fail "kataedr is no longer running"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
