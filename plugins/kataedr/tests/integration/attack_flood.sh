#!/usr/bin/env bash
# Review M1: an unprivileged user (uid 65534 through setpriv) runs /bin/true far past the
# hourly telemetry budget (here 300/h, so 600 execs = 1,200 events are 4x the budget; with
# VIGIL_LONG=1 4,000 execs at the default 3000/h). The real behavior sensors and the real
# vigil-central: process events of another unprivileged user (uid 65532) started during
# and after the flood must all be stored, and the central node must get a
# "telemetry_limited" event naming the flooding user. (Not root as the victim: on a shared
# build host root's own share is busy with everyone's compilers.)
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
kt_require_central
kt_require_behavior_root
vt_init kataedr_attack_flood
TRIES=${VIGIL_ATTACK_TRIES:-$([[ ${VIGIL_LONG:-0} == 1 ]] && echo 4000 || echo 600)}
PER_HOUR=$([[ ${VIGIL_LONG:-0} == 1 ]] && echo 3000 || echo 300)

kt_main_central
kt_behavior_config "$VT_DIR/vigil.yaml" "detection: false
network_events: false
file_events: false" "max_send_delay_s: 1
events_per_hour: $PER_HOUR"
kt_start_daemon "$VT_DIR/vigil.yaml"
vt_wait_until 15 kt_status_ok "s.get('connected')" || vt_fail "kataedr did not connect: $(kt_status 's')"
sleep 1

m="ktflood$$x"
start=$SECONDS
setpriv --reuid=65534 --regid=65534 --clear-groups -- bash -c "for ((i=0;i<$TRIES;i++)); do /bin/true; done" &
FLOOD=$!
vt_track_pid $FLOOD
victim() { setpriv --reuid=65532 --regid=65532 --clear-groups -- /bin/sh -c "sleep 0.2; : $1"; }
# The other user's processes during the flood (one every 2 s, at most 12: each probe is two
# processes, a shell and its sleep, so 15 probes stay within the victim's own share of
# the budget however long a loaded machine takes for the flood), then after it.
probes=0
while kill -0 $FLOOD 2>/dev/null; do
  if ((probes < 12)); then
    probes=$((probes + 1))
    victim "$m-during-$probes"
  fi
  sleep 2
done
wait $FLOOD || true
vt_log "flood: $TRIES execs of /bin/true by uid 65534 in $((SECONDS - start)) s ($probes probes of uid 65532 meanwhile); rate limit: $(kt_status 's["rate_limit"]')"
for i in 1 2 3; do victim "$m-after-$i"; done
# Every probe's process (started during or after the flood) must be stored.
expected=$(for ((i = 1; i <= probes; i++)); do echo "$m-during-$i"; done; for i in 1 2 3; do echo "$m-after-$i"; done)
want=$((probes + 3))
probes_stored() {  # how many of the expected markers are in stored process events
  kt_cli main events --text "$m" --type process --limit 10000 --json 2>/dev/null | python3 -c '
import json, sys
text = json.dumps(json.load(sys.stdin)["events"])
print(sum(1 for w in sys.argv[1].split() if w + "\"" in text or w + " " in text))' "$expected" || echo -1
}
got=0
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  got=$(probes_stored)
  ((got >= want)) && break
  sleep 0.5
done
((got >= want)) || vt_fail "only $got of the $want processes of uid 65532 reached the central node while or after uid 65534 flooded"
vt_log "all $want processes of uid 65532 stored"
vt_wait_until 20 bash -c "\"$KT_CENTRAL\" --config \"$KT_CENTRAL_CFG_main\" events --type telemetry_limited --limit 100 --json |
  python3 -c 'import json,sys; ev=json.load(sys.stdin)[\"events\"]; sys.exit(0 if any(e[\"event\"][\"unmapped\"][\"owner_uid\"]==65534 for e in ev) else 1)'" ||
  vt_fail "no telemetry_limited event for uid 65534 reached the central node"
vt_pass
