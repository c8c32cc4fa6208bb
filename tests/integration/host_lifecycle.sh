#!/usr/bin/env bash
# vigild end to end: start, events, SIGHUP enabling/disabling/refusing a bad
# config, control socket root-only, half-configured start refused, bounded SIGTERM.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
vt_init host_lifecycle

cfg=$VT_DIR/vigil.yaml
write_cfg() { # $1: test_behaviors enabled, $2: extra test_behaviors settings line
  {
    vt_agent_section
    echo "plugins:"
    echo "  test_source:"
    echo "    enabled: true"
    echo "  test_behaviors:"
    echo "    enabled: $1"
    [[ -n ${2:-} ]] && echo "$2"
  } >"$cfg"
}
state_is() { [[ $(vt_plugin_state "$1") == "$2" ]]; }

# 1. A half-configured start is refused: nothing runs, the reason names file, line, key.
write_cfg true "    stop_delay_ms: soon"
if "$VIGIL_BUILD/bin/vigild" --config "$cfg" >"$VT_DIR/bad.log" 2>&1; then vt_fail "vigild started with an invalid config"; fi
grep -q "vigil.yaml:12: plugins.test_behaviors.stop_delay_ms: expected \"integer\", got string" "$VT_DIR/bad.log" ||
  vt_fail "unclear config error: $(cat "$VT_DIR/bad.log")"
[[ -e $VT_DIR/vigild.sock ]] && vt_fail "control socket exists after a refused start"
"$VIGIL_BUILD/bin/vigild" --check-config "$cfg" >/dev/null 2>&1 && vt_fail "--check-config accepted a bad config"

# 2. Start with test_behaviors disabled.
write_cfg false
"$VIGIL_BUILD/bin/vigild" --check-config "$cfg" | grep -q "OK; enabled: test_source; disabled: test_behaviors" ||
  vt_fail "--check-config summary"
vt_start_daemon "$cfg"
state_is test_source running || vt_fail "test_source not running"
state_is test_behaviors disabled || vt_fail "test_behaviors not disabled"
out=$(vctl test_behaviors echo 2>&1) && vt_fail "command to a disabled plugin succeeded"
[[ $out == *"plugin test_behaviors is disabled"* ]] || vt_fail "disabled reply: $out"
vctl config check "$cfg" | grep -q ": OK" || vt_fail "vigilctl config check"

# 3. Live events.
vctl events --type file >"$VT_DIR/events.jsonl" 2>&1 &
ev=$!
vt_track_pid $ev
sleep 0.5
vctl test_source emit --type file --count 5 --marker lifecycle-marker >/dev/null || vt_fail "emit failed"
vt_wait_until 5 test "$(grep -c lifecycle-marker "$VT_DIR/events.jsonl")" -ge 5 || vt_fail "events not streamed"
kill $ev 2>/dev/null
head -1 "$VT_DIR/events.jsonl" | vt_json "d['type']=='file' and d['source']=='test_source' and d['payload']['action']=='modify'" |
  grep -q True || vt_fail "event JSON shape: $(head -1 "$VT_DIR/events.jsonl")"

# 4. SIGHUP enables a plugin, then disables it; a bad config is refused and the old one stays.
write_cfg true
kill -HUP "$VT_VIGILD_PID"
vt_wait_until 5 state_is test_behaviors running || vt_fail "SIGHUP did not enable test_behaviors"
[[ $(vctl test_behaviors echo --x 1) == *'"x": 1'* ]] || vt_fail "enabled plugin does not answer"
write_cfg true "    colour: red"
kill -HUP "$VT_VIGILD_PID"
vt_wait_until 5 bash -c "'$VIGIL_BUILD/bin/vigilctl' --socket '$VT_DIR/vigild.sock' --json status | grep -q 'colour: unknown setting'" ||
  vt_fail "bad reload not reported in status"
state_is test_behaviors running || vt_fail "bad reload changed the running plugins"
write_cfg false
kill -HUP "$VT_VIGILD_PID"
vt_wait_until 5 state_is test_behaviors disabled || vt_fail "SIGHUP did not disable test_behaviors"

# 5. The control socket is root only: mode 0600, and a non-root peer cannot use it.
[[ $(stat -c %a "$VT_DIR/vigild.sock") == 600 ]] || vt_fail "socket mode is $(stat -c %a "$VT_DIR/vigild.sock")"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$VIGIL_BUILD/bin/vigilctl" --socket "$VT_DIR/vigild.sock" status 2>&1) &&
  vt_fail "non-root peer was served"
[[ $out == *"Permission denied"*"root only"* ]] || vt_fail "non-root refusal message: $out"

# 6. SIGTERM stops within the bound even when a plugin's stop() hangs.
vt_stop_daemon || vt_fail "vigild exit code after SIGTERM"
VT_STOP_TIMEOUT=2
write_cfg true "    stop_delay_ms: 60000"
vt_start_daemon "$cfg"
start=$SECONDS
kill -TERM "$VT_VIGILD_PID"
wait "$VT_VIGILD_PID"
rc=$?
VT_VIGILD_PID=""
((SECONDS - start <= 5)) || vt_fail "vigild took $((SECONDS - start)) s to stop (bound 2 s)"
[[ $rc -ne 0 ]] || vt_fail "a forced stop should exit non-zero"
grep -q "did not stop within 2 s" "$VT_DIR/vigild.log" || vt_fail "forced stop not logged"
vt_pass
