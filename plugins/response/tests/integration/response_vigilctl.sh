#!/usr/bin/env bash
# Integration test of the response plugin through the real vigild + vigilctl:
# every action on a real target, the backup store round trip, bad arguments
# answered with errors that name the problem, action_result events, and an
# agent that keeps running throughout.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
vt_init response_vigilctl
[[ -n $VT_DIR && -d $VT_DIR ]] || exit 1

vt_config "$VT_DIR/vigil.yaml" <<EOF
  response:
    enabled: true
    terminate_grace_s: 2
    extra_protected_paths: ["$VT_DIR/protected/**"]
EOF
vt_start_daemon "$VT_DIR/vigil.yaml"
[[ $(vt_plugin_state response) == running ]] || vt_fail "response plugin is not running"

# Every action_result event, for the checks at the end.
vctl events --type action_result >"$VT_DIR/events.jsonl" 2>&1 &
EVENTS_PID=$!
vt_track_pid "$EVENTS_PID"
sleep 0.5

# call VERB ARGS_JSON -> the vigilctl reply line in $CALL_OUT, rc in $CALL_RC
call() {
  CALL_OUT=$(vctl --json --timeout 60 call "response.$1" "$2" 2>"$VT_DIR/call.err")
  CALL_RC=$?
}
expect_ok() {
  call "$1" "$2"
  ((CALL_RC == 0)) || vt_fail "response.$1 $2 failed: $(cat "$VT_DIR/call.err") $CALL_OUT"
}
# expect_error VERB ARGS_JSON TEXT: the call fails and its error names TEXT.
expect_error() {
  call "$1" "$2"
  ((CALL_RC != 0)) || vt_fail "response.$1 $2 should have failed: $CALL_OUT"
  grep -qF -- "$3" "$VT_DIR/call.err" || vt_fail "response.$1 $2: error lacks '$3': $(cat "$VT_DIR/call.err")"
}
result() { echo "$CALL_OUT" | vt_json "$1"; }

# ---------------------------------------------------------------- get_file
head -c 3000000 /dev/urandom >"$VT_DIR/sample.bin"
chmod 0640 "$VT_DIR/sample.bin"
expect_ok get_file "{\"path\":\"$VT_DIR/sample.bin\"}"
staged=$(result "d['result']['staged_path']")
cmp -s "$staged" "$VT_DIR/sample.bin" || vt_fail "staged copy differs from the original"
[[ $(result "d['result']['sha256']") == $(sha256sum "$VT_DIR/sample.bin" | cut -d' ' -f1) ]] || vt_fail "sha256 differs"
[[ $(result "d['result']['size']") == 3000000 ]] || vt_fail "size wrong"
[[ $(result "d['result']['mode']") == 0640 ]] || vt_fail "mode wrong"
[[ $(result "d['result']['upload_file']") == "$staged" ]] || vt_fail "upload_file missing"
[[ $(result "d['result']['upload_file_delete']") == True ]] || vt_fail "upload_file_delete missing"
[[ $(result "d['result']['symlink_followed']") == False ]] || vt_fail "symlink_followed should be false"
ln -s "$VT_DIR/sample.bin" "$VT_DIR/link"
# The vigilctl generic form.
vctl --json response get_file "$VT_DIR/link" >"$VT_DIR/out.json" || vt_fail "generic get_file failed"
[[ $(vt_json "d['result']['symlink_followed']" <"$VT_DIR/out.json") == True ]] ||
  vt_fail "symlink_followed should be true: $(cat "$VT_DIR/out.json")"
mkfifo "$VT_DIR/fifo"
expect_error get_file "{\"path\":\"$VT_DIR/fifo\"}" "is a FIFO"
expect_error get_file "{\"path\":\"$VT_DIR\"}" "is a directory"
expect_error get_file '{"path":"/dev/zero"}' "is a character device"
expect_error get_file '{"path":"relative/file"}' 'field "path" must be an absolute path'
expect_error get_file '{}' 'missing field "path"'
expect_error get_file '{"path":7}' 'field "path" must be a string'
expect_error get_file "{\"path\":\"$VT_DIR/sample.bin\",\"offset\":5}" 'unknown field "offset"'

# ------------------------------------------------------------- delete_file
printf 'dropped payload %s\n' "$$" >"$VT_DIR/victim"
chmod 0600 "$VT_DIR/victim"
cp -p "$VT_DIR/victim" "$VT_DIR/victim.orig"
expect_error delete_file "{\"path\":\"$VT_DIR/victim\",\"sha256\":\"$(printf '0%.0s' {1..64})\"}" "not the expected"
[[ -f $VT_DIR/victim ]] || vt_fail "a refused delete removed the file"
sha=$(sha256sum "$VT_DIR/victim" | cut -d' ' -f1)
expect_ok delete_file "{\"path\":\"$VT_DIR/victim\",\"sha256\":\"$sha\"}"
[[ ! -e $VT_DIR/victim ]] || vt_fail "delete_file left the file"
backup=$(result "d['result']['backup_id']")
vctl --json quarantine list | grep -qF "$backup" || vt_fail "backup $backup not in the store"
vctl quarantine restore "$backup" >/dev/null || vt_fail "restore of $backup failed"
cmp -s "$VT_DIR/victim" "$VT_DIR/victim.orig" || vt_fail "restored file differs"
[[ $(stat -c %a "$VT_DIR/victim") == 600 ]] || vt_fail "restored mode differs"
expect_error delete_file '{"path":"/etc/passwd"}' 'protected path (rule "/etc/passwd")'
expect_error delete_file '{"path":"/usr/bin/sleep"}' 'protected path'
mkdir -p "$VT_DIR/protected"
echo x >"$VT_DIR/protected/keep"
expect_error delete_file "{\"path\":\"$VT_DIR/protected/keep\"}" 'protected path'
echo x >"$VT_DIR/state/own-file"
expect_error delete_file "{\"path\":\"$VT_DIR/state/own-file\"}" 'belongs to the agent'
expect_error delete_file "{\"path\":\"$VIGIL_BUILD/bin/vigild\"}" "agent's own file"
expect_error delete_file "{\"path\":\"$VT_DIR/protected\"}" 'is a directory'
expect_error delete_file '{"path":"../victim"}' 'must be an absolute path'
expect_error delete_file "{\"path\":\"$VT_DIR/victim\",\"sha256\":\"xyz\"}" '64 hex digits'
[[ -f $VT_DIR/protected/keep && -f $VT_DIR/state/own-file ]] || vt_fail "a refused delete removed a file"

# ------------------------------------------------------------- run_process
expect_ok run_process '{"executable":"/bin/sh","args":["-c","echo out; echo err >&2; exit 7"],"timeout_s":20}'
[[ $(result "d['result']['exit_code']") == 7 ]] || vt_fail "exit code wrong: $CALL_OUT"
[[ $(result "d['result']['stdout']") == out ]] || vt_fail "stdout wrong"
[[ $(result "d['result']['stderr']") == err ]] || vt_fail "stderr wrong"
expect_ok run_process "{\"executable\":\"pwd\",\"cwd\":\"$VT_DIR\",\"user\":\"nobody\",\"env\":{\"X\":\"1\"}}"
[[ $(result "d['result']['stdout']") == "$VT_DIR" && $(result "d['result']['user']") == nobody ]] ||
  vt_fail "cwd/user wrong: $CALL_OUT"
# Timeout: the whole group dies, including a background child.
expect_ok run_process '{"executable":"/bin/sh","args":["-c","sleep 60 & echo $!; wait"],"timeout_s":1}'
[[ $(result "d['result']['timed_out']") == True ]] || vt_fail "timeout not reported: $CALL_OUT"
[[ $(result "d['result']['signal_name']") == SIGKILL ]] || vt_fail "timeout kill not reported"
bg=$(result "d['result']['stdout'].strip()")
[[ $bg =~ ^[0-9]+$ ]] || vt_fail "no background pid in $CALL_OUT"
gone() { [[ ! -e /proc/$1/exe ]] || [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) == Z ]]; }
vt_wait_until 5 gone "$bg" || vt_fail "the background sleep $bg survived the timeout"
vctl --json response run_process /bin/echo hello world >"$VT_DIR/out.json" || vt_fail "generic run_process failed"
[[ $(vt_json "d['result']['stdout']" <"$VT_DIR/out.json") == "hello world" ]] || vt_fail "generic run_process output wrong"
expect_error run_process '{"executable":"/bin/true","timeout_s":99999999}' 'field "timeout_s" is too large'
expect_error run_process '{"args":[]}' 'missing field "executable"'
expect_error run_process '{"executable":"bin/true"}' 'must be an absolute path'
expect_error run_process '{"executable":"/bin/true","user":"no-such-user-xyz"}' 'unknown user'
expect_error run_process '{"executable":"/bin/true","env":{"BAD NAME":"1"}}' 'not a valid variable name'

# -------------------------------------------------------- terminate_process
uniq_sleep=$VT_DIR/uniq_sleep
cp /bin/sleep "$uniq_sleep"
printf 'response-test-%s-%s' "$$" "$RANDOM" >>"$uniq_sleep"  # unique path and hash: only our sleeps match
"$uniq_sleep" 300 &
s1=$!
vt_track_pid $s1
"$uniq_sleep" 300 &
s2=$!
vt_track_pid $s2
"$uniq_sleep" 300 &
s3=$!
vt_track_pid $s3
vt_wait_until 5 test "$(readlink /proc/$s3/exe)" == "$uniq_sleep"
# The start time of s1 in ns since the epoch, as the README documents it.
start_ns=$(python3 - "$s1" <<'PY'
import os, sys, time
pid = sys.argv[1]
ticks = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[19])
boot = time.clock_gettime_ns(time.CLOCK_REALTIME) - time.clock_gettime_ns(time.CLOCK_BOOTTIME)
print(boot + ticks * 10**9 // os.sysconf("SC_CLK_TCK"))
PY
)
expect_error terminate_process "{\"pid\":$s1,\"start_time_ns\":$((start_ns - 60000000000))}" 'not at the expected start_time_ns'
expect_error terminate_process "{\"pid\":$s1,\"exe\":\"/usr/bin/true\"}" 'not the expected /usr/bin/true'
kill -0 $s1 || vt_fail "a refused terminate killed $s1"
expect_ok terminate_process "{\"pid\":$s1,\"start_time_ns\":$start_ns,\"exe\":\"$uniq_sleep\"}"
[[ $(result "d['result']['terminated'][0]['pid']") == "$s1" ]] || vt_fail "pid $s1 not terminated: $CALL_OUT"
wait $s1 2>/dev/null
# By path, generic form: both remaining sleeps.
vctl --json response terminate_process "$uniq_sleep" >"$VT_DIR/out.json" || vt_fail "terminate by path failed"
[[ $(vt_json "len(d['result']['terminated'])" <"$VT_DIR/out.json") == 2 ]] ||
  vt_fail "terminate by path: $(cat "$VT_DIR/out.json")"
wait $s2 $s3 2>/dev/null
kill -0 $s2 2>/dev/null && vt_fail "$s2 survived"
expect_error terminate_process '{"pid":1}' 'pid 1 (init) is never terminated'
expect_error terminate_process "{\"pid\":$VT_VIGILD_PID}" 'is the agent itself'
expect_error terminate_process '{"pid":-4}' 'must not be negative'
expect_error terminate_process '{"pid":99999999999}' 'is not a valid pid'
expect_error terminate_process '{"pid":"12"}' 'field "pid" must be an integer'
expect_error terminate_process "{\"exe\":\"$uniq_sleep\"}" 'no running process matches'
expect_error terminate_process '{}' 'missing target'

# ------------------------------------- concurrency cap and live reconfigure
# Settings reloaded on SIGHUP: one action at a time, tiny get_file limit.
sed -i 's/^    terminate_grace_s: 2$/    terminate_grace_s: 2\n    max_concurrent_actions: 1\n    max_file_size: 1000/' "$VT_DIR/vigil.yaml"
grep -q 'max_file_size: 1000' "$VT_DIR/vigil.yaml" || vt_fail "could not edit the config"
kill -HUP "$VT_VIGILD_PID"
reloaded() {
  call get_file "{\"path\":\"$VT_DIR/sample.bin\"}"
  ((CALL_RC != 0)) && grep -qF 'larger than max_file_size (1000)' "$VT_DIR/call.err"
}
vt_wait_until 10 reloaded || vt_fail "max_file_size not applied after SIGHUP: $(cat "$VT_DIR/call.err")"
# The busy action must outlast starting two vigilctl processes on a loaded machine.
vctl --timeout 60 call response.run_process '{"executable":"/bin/sleep","args":["15"]}' >/dev/null 2>&1 &
busy_call=$!
vt_wait_until 5 vt_status_ok response "s.get('running_actions')==1" || vt_fail "the first action did not start"
expect_error run_process '{"executable":"/bin/true"}' 'busy: 1 response actions are running (max_concurrent_actions 1)'
wait $busy_call || vt_fail "the first action failed"
expect_ok run_process '{"executable":"/bin/true"}'

# ------------------------------------------------ events and a healthy agent
sleep 0.5
kill "$EVENTS_PID" 2>/dev/null
python3 - "$VT_DIR/events.jsonl" <<'PY' || vt_fail "action_result events incomplete"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
events = [e for e in events if e["source"] == "response"]  # the host reports quarantine restores too
by_action = {}
for e in events:
    p = e["payload"]
    details = json.loads(p["details_json"])
    assert details["command"] == "response." + p["action"], details
    assert p["origin"] == "vigilctl", p
    by_action.setdefault(p["action"], []).append((p["status"], details))
for action in ("get_file", "delete_file", "run_process", "terminate_process"):
    statuses = [s for s, _ in by_action.get(action, [])]
    assert 0 in statuses, f"{action}: no successful action_result event"
    assert any(s != 0 for s in statuses), f"{action}: no failed action_result event"
ok_get = next(d for s, d in by_action["get_file"] if s == 0)
assert "sha256" in ok_get["result"] and "path" in ok_get["args"], ok_get
print(f"{len(events)} action_result events")
PY
vctl status >/dev/null || vt_fail "vigild stopped answering"
[[ $(vt_plugin_state response) == running ]] || vt_fail "response plugin is no longer running"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
