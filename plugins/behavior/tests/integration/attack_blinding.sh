#!/usr/bin/env bash
# behavior under attack by an unprivileged user (uid 65534 through setpriv): it must never
# stop seeing new processes.
#   - FIFO swap (review H3): run a fresh copy of a binary, then at once replace it with a
#     FIFO, so that a re-open by path would block the sensor thread for good;
#   - executables above the hash size limit, and a stream of fresh 40 MiB ones that keep
#     the hash workers busy;
#   - a stream of /bin/true as a backlog for the sensor.
# While it runs, root starts a probe process every second: the process_start counter must
# keep rising, vigild must stay up, no vigild thread may wait in a FIFO open, and a probe
# started after the attack must be reported. Arguments: SENSOR (ebpf|netlink).
# VIGIL_LONG=1 (tools/test --long) runs the attack 30 s instead of 8 s; VIGIL_ATTACK_SECONDS
# overrides. The tries and outcomes are printed.
set -euo pipefail
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/behavior/tests/integration/attack_lib.sh"
SENSOR=${1:-ebpf}
vt_init "behavior_attack_blinding_$SENSOR"
if [[ $(id -u) != 0 ]] || ! command -v setpriv >/dev/null; then
  vt_log "SKIP: needs root and setpriv"
  exit 77
fi
DURATION=${VIGIL_ATTACK_SECONDS:-$([[ ${VIGIL_LONG:-0} == 1 ]] && echo 30 || echo 8)}
ATK=$VT_DIR/atk
mkdir -p "$ATK"
chmod 0755 "$VT_DIR"
# Large executables: /bin/true padded with zeros (the padding is never loaded).
{ cat /bin/true; head -c $((70 << 20)) /dev/zero; } >"$ATK/huge"
{ cat /bin/true; head -c $((40 << 20)) /dev/zero; } >"$ATK/big"
chmod 0755 "$ATK/huge" "$ATK/big"
chown -R 65534:65534 "$ATK"

ba_start_agent "$SENSOR"

as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }

# The three attack loops, as the unprivileged user; each writes its number of tries.
as_user bash -c 'cd "$1"; end=$((SECONDS+$2)); n=0
  while ((SECONDS<end)); do cp /bin/true b; ./b; rm -f b; mkfifo b; rm -f b; n=$((n+1)); done
  echo $n > fifo.tries' _ "$ATK" "$DURATION" &
FIFO_PID=$!
as_user bash -c 'cd "$1"; end=$((SECONDS+$2)); n=0
  while ((SECONDS<end)); do ./huge; cp big b$n; ./b$n; rm -f b$n; n=$((n+1)); done
  echo $n > big.tries' _ "$ATK" "$DURATION" &
BIG_PID=$!
as_user bash -c 'end=$((SECONDS+$1)); n=0; while ((SECONDS<end)); do /bin/true; n=$((n+1)); done
  echo $n > "$2/true.tries"' _ "$DURATION" "$ATK" &
TRUE_PID=$!
vt_track_pid $FIFO_PID; vt_track_pid $BIG_PID; vt_track_pid $TRUE_PID

# Root probes once a second: the counter must rise every second.
ba_probe_seconds "$DURATION"
frozen=$FROZEN
wait $FIFO_PID $BIG_PID $TRUE_PID || true
tries="fifo swaps $(cat "$ATK/fifo.tries" 2>/dev/null || echo ?), large execs $(cat "$ATK/big.tries" 2>/dev/null || echo ?), /bin/true $(cat "$ATK/true.tries" 2>/dev/null || echo ?)"
vt_log "attack over $DURATION s: $tries; seconds with no new process seen: $frozen"

kill -0 "$VT_VIGILD_PID" || vt_fail "vigild died during the attack"
stuck=$( (grep -l 'pipe_read\|fifo_open\|wait_for_partner' /proc/"$VT_VIGILD_PID"/task/*/wchan 2>/dev/null || true) | wc -l)
((stuck == 0)) || vt_fail "$stuck vigild thread(s) wait in a FIFO"
((frozen <= 1)) || vt_fail "the sensor stopped reporting processes for $frozen of $DURATION seconds"
# After the attack a new process is still seen (the counter is not stuck behind a backlog).
before=$(ba_starts)
vt_wait_until 15 bash -c "/bin/true; [[ \$('$VIGIL_BUILD/bin/vigilctl' --socket '$VT_DIR/vigild.sock' --json status | python3 -c \"import json,sys; d=json.load(sys.stdin); print(next(p for p in d['plugins'] if p['name']=='behavior')['status']['events']['process_start'])\") -gt $before ]]" ||
  vt_fail "no process seen after the attack"
vt_log "hash status: $(vctl --json status | python3 -c "import json,sys; d=json.load(sys.stdin); s=next(p for p in d['plugins'] if p['name']=='behavior')['status']; print(s.get('exe_hash'), s.get('lost'))")"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
