#!/usr/bin/env bash
# behavior against a FUSE file system that never answers the agent (review H3, FUSE
# variant). A FUSE server (fuse_stall.py, the protocol spoken directly on /dev/fuse)
# mounts a directory like an unprivileged user's allow_other mount (uid 65534) holding a
# copy of sleep, and leaves every request that comes from a vigild thread unanswered
# forever. The unprivileged user runs that binary and chmods it (a file event, whose
# path the agent must not stat) over and over while root starts a probe process every
# second (file events on). The sensors must keep counting new processes, no vigild thread
# may wait on the FUSE server, and the FUSE processes must be reported with no hash and
# hash_status "remote_fs" (the reason). The server is killed and the mount detached at
# exit, also on failure (killing the server releases any request it holds).
# Arguments: SENSOR (ebpf|netlink). VIGIL_ATTACK_SECONDS (default 8; 30 with VIGIL_LONG=1).
set -euo pipefail
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/behavior/tests/integration/attack_lib.sh"
SENSOR=${1:-ebpf}
vt_init "behavior_attack_fuse_$SENSOR"
if [[ $(id -u) != 0 ]] || ! command -v setpriv >/dev/null || [[ ! -c /dev/fuse ]] || [[ ! -x /usr/bin/python3 ]]; then
  vt_log "SKIP: needs root, setpriv, /dev/fuse and /usr/bin/python3"
  exit 77
fi
DURATION=${VIGIL_ATTACK_SECONDS:-$([[ ${VIGIL_LONG:-0} == 1 ]] && echo 30 || echo 8)}
MNT=$VT_DIR/fuse
mkdir -p "$MNT"

ba_start_agent "$SENSOR" true

# The server must die before the mount goes (vt_on_exit runs the last registered first).
vt_on_exit "umount -l '$MNT'"
/usr/bin/python3 "$VIGIL_SOURCE/plugins/behavior/tests/integration/fuse_stall.py" "$MNT" /bin/sleep "$VT_VIGILD_PID" \
  "$VT_DIR/fuse-agent-requests.log" >"$VT_DIR/fuse.out" 2>&1 &
FUSE_PID=$!
vt_on_exit "kill -KILL $FUSE_PID"
vt_wait_until 10 grep -q mounted "$VT_DIR/fuse.out" || vt_fail "FUSE mount failed: $(cat "$VT_DIR/fuse.out")"
[[ $(stat -f -c %t "$MNT") == 65735546 ]] || vt_fail "$MNT is not a FUSE mount"

vctl events >"$VT_DIR/events.jsonl" 2>/dev/null &
vt_track_pid $!
sleep 0.5

# The attacker: runs the FUSE binary (sleep 0.2) and chmods it as uid 65534, counting the runs.
setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs -- bash -c '
  end=$((SECONDS+$2)); n=0; while ((SECONDS<end)); do "$1/prog" 0.2; chmod 755 "$1/prog"; n=$((n+1)); done; echo $n' \
  _ "$MNT" "$DURATION" >"$VT_DIR/attack.tries" 2>"$VT_DIR/attack.err" &
ATTACKER=$!
vt_track_pid $ATTACKER
ba_probe_seconds "$DURATION"
frozen=$FROZEN
wait $ATTACKER || vt_fail "the attacker could not run the FUSE binary: $(cat "$VT_DIR/attack.err")"
tries=$(cat "$VT_DIR/attack.tries")
kill -0 "$VT_VIGILD_PID" || vt_fail "vigild died during the attack"
stuck=$( (grep -l 'request_wait_answer\|fuse' /proc/"$VT_VIGILD_PID"/task/*/wchan 2>/dev/null || true) | wc -l)
asked=$(wc -l <"$VT_DIR/fuse-agent-requests.log" 2>/dev/null || echo 0)

# The FUSE processes: reported, without a hash, with the reason.
report=$(python3 - "$VT_DIR/events.jsonl" "$MNT/prog" <<'PY'
import collections, json, sys
seen = collections.Counter()
for line in open(sys.argv[1]):
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    p = ev.get("payload", {}).get("process", {})
    if ev.get("type") == "process_start" and p.get("exe") == sys.argv[2]:
        seen[(p.get("hash_status", "none"), bool(p.get("sha256")))] += 1
print(" ".join("%s/sha256=%s:%d" % (k[0], k[1], n) for k, n in sorted(seen.items())))
PY
)
va_line="fuse execs $tries, seconds with no new process seen $frozen of $DURATION, vigild threads waiting on FUSE $stuck, requests from vigild to the FUSE server $asked, FUSE process events: ${report:-none}"
vt_log "ATTACK behavior-fuse-$SENSOR: $va_line"
echo "behavior-fuse-$SENSOR tries=$tries $va_line" >>"${VIGIL_ATTACK_REPORT:-/dev/null}"
((asked == 0)) || vt_log "requests vigild sent to the FUSE server: $(sort "$VT_DIR/fuse-agent-requests.log" | uniq -c | tr '\n' ';')"
((tries > 0)) || vt_fail "the attacker never ran the FUSE binary"
((frozen <= 1)) || vt_fail "the sensor stopped reporting processes for $frozen of $DURATION seconds"
((stuck == 0)) || vt_fail "$stuck vigild thread(s) wait on the FUSE server"
[[ -n $report ]] || vt_fail "no process_start event for $MNT/prog"
[[ $report =~ ^remote_fs/sha256=False:[0-9]+$ ]] ||
  vt_fail "FUSE processes must have no hash and hash_status remote_fs, got: $report"

# Release the server's hold, detach the mount; the agent must still stop cleanly.
kill -KILL $FUSE_PID; wait $FUSE_PID 2>/dev/null || true
umount -l "$MNT" || true
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
