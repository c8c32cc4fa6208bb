#!/usr/bin/env bash
# behavior detection end to end: a simple Sigma rule on the command line.
# notify publishes a threat; block kills the process and publishes the action
# result; a trusted program is neither alerted on nor blocked.
set -euo pipefail
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/behavior/tests/integration/events_lib.sh"
vt_init behavior_detection
mkdir -p "$VT_DIR/rules"
MARK="vigil-detect-marker-$$"
cat >"$VT_DIR/rules/marker.yml" <<EOS
title: Vigil test marker in a command line
id: 6f1f3f52-8a3e-4c4e-9d55-2b7c9a0e4d11
status: test
description: Matches the marker the test puts in a shell's arguments.
author: Vigil tests
tags:
  - attack.execution
  - attack.t1059.004
logsource:
  product: linux
  category: process_creation
detection:
  selection:
    CommandLine|contains: '$MARK'
  condition: selection
level: high
EOS
SH_REAL=$(readlink -f /bin/sh)

start_agent() {  # start_agent MODE [TRUSTED-GLOB]
  local trusted=""
  [[ -n ${2:-} ]] && trusted="    trusted_programs: [\"$2\"]"
  cat >"$VT_DIR/vigil.yaml" <<EOS
$(vt_agent_section)
plugins:
  behavior:
    enabled: true
    mode: $1
    builtin_rules: false
    rules_dirs: [$VT_DIR/rules]
    file_events: false
$trusted
EOS
  vt_start_daemon "$VT_DIR/vigil.yaml"
  vctl events >"$VT_DIR/events-$1.jsonl" 2>/dev/null &
  vt_track_pid $!
  sleep 0.5
}

has_event() { be_has_event "$@"; }  # has_event FILE PYTHON-PREDICATE

# --- notify
start_agent notify
/bin/sh -c 'sleep 0.3; exit 0' "$MARK" & PID=$!
wait $PID || vt_fail "notify mode must not kill (exit $?)"
vt_wait_until 5 has_event "$VT_DIR/events-notify.jsonl" \
  "t=='threat' and e.get('rule_id')=='6f1f3f52-8a3e-4c4e-9d55-2b7c9a0e4d11' and p.get('pid')==$PID" \
  || vt_fail "no threat published in notify mode"
has_event "$VT_DIR/events-notify.jsonl" \
  "t=='threat' and e.get('title')=='Vigil test marker in a command line' and e.get('severity')=='high' and 'attack.t1059.004' in e.get('tags','') and e.get('author')=='Vigil tests' and '$MARK' in e.get('trigger_json','')" \
  || vt_fail "threat lacks title/severity/tags/author/trigger"
vt_stop_daemon || vt_fail "vigild exited with status $? on stop"

# --- block
start_agent block
SECONDS_BEFORE=$SECONDS
set +e
/bin/sh -c 'sleep 5; exit 0' "$MARK" & PID=$!
wait $PID; RC=$?
set -e
((RC == 128 + 9)) || vt_fail "block mode: process exit $RC, expected SIGKILL"
((SECONDS - SECONDS_BEFORE < 5)) || vt_fail "block mode: process ran to completion"
vt_wait_until 5 has_event "$VT_DIR/events-block.jsonl" \
  "t=='action_result' and e.get('action')=='block' and e.get('status')==0 and 'pid $PID' in e.get('object','')" \
  || vt_fail "no action_result for the block"
vt_stop_daemon || vt_fail "vigild exited with status $? on stop"

# --- trusted program in block mode: not alerted, not killed
start_agent block "$SH_REAL"
/bin/sh -c 'sleep 0.5; exit 0' "$MARK" & PID=$!
wait $PID || vt_fail "trusted program was killed"
sleep 1
has_event "$VT_DIR/events-block.jsonl" "t=='process_start' and p.get('pid')==$PID" \
  || vt_fail "process_start of the trusted program missing"
if has_event "$VT_DIR/events-block.jsonl" "t=='threat' and p.get('pid')==$PID"; then
  vt_fail "trusted program was alerted on"
fi
vt_stop_daemon || vt_fail "vigild exited with status $? on stop"
vt_pass
