#!/usr/bin/env bash
# Execution prevention: the list set by file_threat.set_prevention_list (as the
# central node does) makes exec of a matching file fail; the denial is reported
# as a threat and an action result; the list survives a restart; replacing it
# with an empty list lets the file run again (the verdict cache is invalidated).
#
# Denied exec returns EPERM: fanotify answers FAN_DENY with EPERM, and the
# kernel refuses any other errno (such as EACCES) for content permission
# events (FAN_DENY_ERRNO is limited to pre-content groups and a short list).
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/file_threat/tests/integration/ft_lib.sh"
ft_enter_namespace "$0" "$@"
vt_init file_threat_prevention_exec
ft_mount_tmpfs

ft_config_tmpfs "$VT_DIR/vigil.yaml" <<EOF
    on_access:
      scan_on_exec: true
    execution_prevention:
      enabled: true
EOF
vt_start_daemon "$VT_DIR/vigil.yaml"
ft_wait_on_access

mkdir -p "$FT_MNT/bin"
cp /bin/true "$FT_MNT/bin/blocked_tool"
cp /bin/echo "$FT_MNT/bin/allowed_tool"
sha=$(sha256sum "$FT_MNT/bin/blocked_tool" | cut -d' ' -f1)

# errno of execve(PATH) as a number (0 = ran and exited 0)
exec_errno() { perl -e 'exec { $ARGV[0] } $ARGV[0]; exit($! + 0)' "$1"; echo $?; }

[[ $(exec_errno "$FT_MNT/bin/blocked_tool") == 0 ]] || vt_fail "tool does not run before the list is set"

out=$(vctl call file_threat.set_prevention_list "{\"sha256\":[\"$sha\"],\"md5\":[]}") || vt_fail "set_prevention_list failed: $out"
out=$(vctl call file_threat.set_prevention_list '{"sha256":["nothex"]}' 2>&1) && vt_fail "a bad hash was accepted"
echo "$out" | grep -q "nothex" || vt_fail "bad hash error does not name the entry: $out"
ft_wait_status "s['prevention']['sha256'] == 1" || vt_fail "the bad list replaced the good one"

ft_events_start "$VT_DIR/events.jsonl"
[[ $(exec_errno "$FT_MNT/bin/blocked_tool") == 1 ]] || vt_fail "exec of a file on the prevention list was not denied with EPERM"
"$FT_MNT/bin/blocked_tool" 2>/dev/null && vt_fail "shell could run the prevented file"
out=$("$FT_MNT/bin/allowed_tool" hello) || vt_fail "a file not on the list was blocked"
[[ $out == hello ]] || vt_fail "allowed tool output: $out"

vt_wait_until 5 grep -q '"action_result"' "$VT_DIR/events.jsonl" || vt_fail "no action_result event"
n=$(ft_event_count "$VT_DIR/events.jsonl" "e['type']=='threat' and e['payload']['detector']=='prevention' and e['payload']['sha256']=='$sha' and e['payload']['object']=='$FT_MNT/bin/blocked_tool' and json.loads(e['payload']['details_json'])['trigger']=='exec'")
[[ $n -ge 1 ]] || vt_fail "no prevention threat event: $(cat "$VT_DIR/events.jsonl")"
n=$(ft_event_count "$VT_DIR/events.jsonl" "e['type']=='action_result' and e['payload']['action']=='block' and e['payload']['status']==0")
[[ $n -ge 1 ]] || vt_fail "no block action_result: $(cat "$VT_DIR/events.jsonl")"
[[ -f $FT_MNT/bin/blocked_tool ]] || vt_fail "prevention must not remove the file"

# The list persists across a restart of the agent.
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_start_daemon "$VT_DIR/vigil.yaml"
ft_wait_on_access
[[ $(vctl --json call file_threat.get_prevention_list | vt_json "d['result']['sha256']") == "['$sha']" ]] ||
  vt_fail "list not restored after restart"
[[ $(exec_errno "$FT_MNT/bin/blocked_tool") == 1 ]] || vt_fail "exec allowed after restart"
[[ $(exec_errno "$FT_MNT/bin/blocked_tool") == 1 ]] || vt_fail "exec allowed on the cached verdict"

# A new list replaces the old one (here: empty), and cached verdicts go with it.
out=$(vctl file_threat set_prevention_list) || vt_fail "clearing the list failed: $out"
[[ $(exec_errno "$FT_MNT/bin/blocked_tool") == 0 ]] || vt_fail "exec still denied after the list was replaced"
ft_wait_status "s['prevention']['sha256'] == 0" || vt_fail "list not replaced"

vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
