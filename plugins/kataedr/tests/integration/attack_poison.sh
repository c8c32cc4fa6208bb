#!/usr/bin/env bash
# Review M2: an unprivileged user (uid 65534) makes one telemetry batch too large for the
# central node (command lines of 32 KiB of control bytes, each escaped to 6 bytes) and
# triggers a detection in the same batch. The central node here accepts 2 MiB per batch
# decompressed (256 MiB by default: the same attack, 128 times smaller). The detection
# must reach the central node: events are capped in size, batches sealed by size, and a
# batch refused with 413 is split and sent again. Repeated VIGIL_LONG=1 ? 10 : 2 rounds.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
kt_require_central
kt_require_behavior_root
vt_init kataedr_attack_poison
ROUNDS=${VIGIL_ATTACK_ROUNDS:-$([[ ${VIGIL_LONG:-0} == 1 ]] && echo 10 || echo 2)}

KT_CENTRAL_EXTRA_YAML="limits:
  max_decompressed_bytes: 2097152" kt_main_central
cfg=$KT_CENTRAL_CFG_main
kt_behavior_config "$VT_DIR/vigil.yaml" "detection: true
network_events: false
file_events: false" "max_send_delay_s: 3
max_batch_events: 100000
rate_limit_enabled: false"
kt_start_daemon "$VT_DIR/vigil.yaml"
vt_wait_until 15 kt_status_ok "s.get('connected')" || vt_fail "kataedr did not connect: $(kt_status 's')"
sleep 1
mkdir -p "$VT_DIR/atk" && chown 65534:65534 "$VT_DIR/atk"

for ((r = 1; r <= ROUNDS; r++)); do
  m="ktpoison$$r${r}x"
  # Processes whose argv is 32 KiB of \x01 (alive while /proc is read) before and after a
  # command line the built-in Sigma rule for /dev/tcp reverse shells matches: with batches
  # sealed only by the 3 s delay, the detection shares its batch with them. The rule's
  # text is put together at run time, so that only that one process matches (not the
  # shell running this script, whose detection would come earlier, in a clean batch).
  setpriv --reuid=65534 --regid=65534 --clear-groups -- bash -c '
    A=$(head -c 32000 /dev/zero | tr "\0" "\001")
    D=/dev
    for i in $(seq 60); do sh -c "sleep 3; :" x "$A" & done
    sleep 0.5
    sh -c ": $D/tcp/127.0.0.1/9 $1"
    for i in $(seq 60); do sh -c "sleep 3; :" x "$A" & done
    wait' _ "$m"
  vt_wait_until 40 bash -c "(( \$(\"$KT_CENTRAL\" --config \"$cfg\" events --text $m --type detection --limit 100 --json |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"events\"]))') >= 1 ))" ||
    vt_fail "round $r: the detection did not reach the central node: $(kt_status 's["telemetry"]')"
  vt_log "round $r: detection stored; telemetry: $(kt_status 's["telemetry"]')"
done
vt_wait_until 5 kt_status_ok "s['telemetry']['batches_split'] >= 1" ||
  vt_log "note: no batch was split (the events were capped below the limit): $(kt_status 's["telemetry"]')"
vt_pass
