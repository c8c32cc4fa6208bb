#!/usr/bin/env bash
# An EICAR file generated here is detected on close-after-write and moved to
# the quarantine store; `vigilctl quarantine restore` brings it back
# byte-identical with its owner and mode; the restored file is not quarantined
# again by the agent's own write.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/file_threat/tests/integration/ft_lib.sh"
ft_enter_namespace "$0" "$@"
vt_init file_threat_on_access_quarantine
ft_mount_tmpfs

ft_config_tmpfs "$VT_DIR/vigil.yaml" <<EOF
    on_access:
      scan_after_write: true
      scan_on_exec: true
      first_action: quarantine
      second_action: block
EOF
vt_start_daemon "$VT_DIR/vigil.yaml"
ft_wait_on_access
[[ $(ft_status "s['on_access']['marks']") == "['mount:$FT_MNT']" ]] || vt_fail "unexpected marks: $(ft_status "s['on_access']['marks']")"
ft_events_start "$VT_DIR/events.jsonl"

ft_eicar "$VT_DIR/reference.com"   # outside the watched mount
target=$FT_MNT/docs/eicar.com
mkdir -p "$FT_MNT/docs"
# Owner and mode first (an empty file is clean), then the content.
install -m 0640 -o nobody -g nogroup /dev/null "$target"
cat "$VT_DIR/reference.com" >>"$target"

vt_wait_until 10 test ! -e "$target" || vt_fail "EICAR file was not quarantined after close-after-write"
vt_wait_until 5 grep -q '"action_result"' "$VT_DIR/events.jsonl" || vt_fail "no action_result event"
n=$(ft_event_count "$VT_DIR/events.jsonl" "e['type']=='threat' and e['payload']['object']=='$target' and e['payload']['detector']=='eicar' and json.loads(e['payload']['details_json'])['trigger']=='write'")
[[ $n == 1 ]] || vt_fail "expected 1 threat event for $target, got $n: $(cat "$VT_DIR/events.jsonl")"
n=$(ft_event_count "$VT_DIR/events.jsonl" "e['type']=='action_result' and e['payload']['action']=='quarantine' and e['payload']['status']==0 and e['payload']['object']=='$target'")
[[ $n == 1 ]] || vt_fail "expected a successful quarantine action_result, got: $(cat "$VT_DIR/events.jsonl")"

list=$(vctl --json quarantine list) || vt_fail "quarantine list failed: $list"
id=$(echo "$list" | python3 -c "
import json, sys
d = json.load(sys.stdin)['result']['entries']
e = [x for x in d if x['original_path'] == '$target']
assert len(e) == 1, d
assert 'EICAR' in json.dumps(e[0]), e[0]   # our detection is in the metadata
print(e[0]['id'])") || vt_fail "no quarantine entry with the detection for $target: $list"

out=$(vctl quarantine restore "$id") || vt_fail "restore failed: $out"
[[ -f $target ]] || vt_fail "restore did not bring $target back"
cmp -s "$target" "$VT_DIR/reference.com" || vt_fail "restored file differs from the original"
[[ $(stat -c '%U:%G %a' "$target") == "nobody:nogroup 640" ]] || vt_fail "owner/mode not restored: $(stat -c '%U:%G %a' "$target")"
sleep 1
[[ -f $target ]] || vt_fail "restored file was quarantined again"
ft_wait_status "s['threats'] == 1" || vt_fail "unexpected threat count $(ft_status "s['threats']")"

vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
