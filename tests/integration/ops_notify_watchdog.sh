#!/usr/bin/env bash
# vigild against a fake systemd notify socket (no systemd needed): READY=1
# after the plugins start, RELOADING=1 then READY=1 around SIGHUP, WATCHDOG=1
# while healthy, no WATCHDOG=1 while a plugin heartbeat is stale or a bus
# subscriber is stuck (and again once they move), STOPPING=1 on SIGTERM.
# Under journald (JOURNAL_STREAM = our stderr) every line carries its <N>
# priority; log_format json writes JSON lines. vigil-central: READY=1 once it
# listens, WATCHDOG=1 while its storage answers, STOPPING=1.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/kataedr/tests/integration/kataedr_lib.sh"
vt_init ops_notify_watchdog

notify=$VT_DIR/notify.sock
dgrams=$VT_DIR/notify.jsonl
python3 "$VIGIL_SOURCE/tests/lib/fake_notify_socket.py" "$notify" "$dgrams" &
vt_track_pid $!
vt_wait_until 5 test -S "$notify" || vt_fail "fake notify socket did not come up"

# Datagram queries on "<unix time>\t<message>" lines: how many equal MSG (or
# start with it, for PREFIX*) since time T. awk, not python: cheap on a busy machine.
now() { echo "$EPOCHREALTIME"; }
count_since() { # $1 time, $2 message (a trailing * matches a prefix)
  awk -F'\t' -v since="$1" -v want="$2" '
    $1 >= since { m = substr($0, index($0, "\t") + 1)
                  if (want ~ /\*$/) { if (index(m, substr(want, 1, length(want) - 1)) == 1) n++ } else if (m == want) n++ }
    END { print n + 0 }' "$dgrams"
}
has_since() { (($(count_since "$1" "$2") > 0)); }

cfg=$VT_DIR/vigil.yaml
{
  vt_agent_section
  echo "  watchdog_stall_s: 2"
  echo "plugins:"
  echo "  test_source: {enabled: true}"
  echo "  test_behaviors: {enabled: true}"
} >"$cfg"

# 1. Start: READY=1 with a status, journald prefixes on every line.
: >"$VT_DIR/vigild.log"
journal_stream=$(stat -c '%d:%i' "$VT_DIR/vigild.log")
t0=$(now)
NOTIFY_SOCKET=$notify WATCHDOG_USEC=1500000 JOURNAL_STREAM=$journal_stream vt_start_daemon "$cfg"
vt_wait_until 10 has_since "$t0" "READY=1*" || vt_fail "no READY=1"
grep -qF 'READY=1\nSTATUS=running; 2 of 2 plugins running' "$dgrams" || vt_fail "READY status: $(cat "$dgrams")"
grep -n . "$VT_DIR/vigild.log" | grep -v -E '^[0-9]+:<[0-7]>' && vt_fail "a log line without its journald priority prefix"
grep -q '^<6>INFO  \[host\] ready' "$VT_DIR/vigild.log" || vt_fail "info line prefix"

# 2. Healthy: pings every WATCHDOG_USEC/3.
t1=$(now)
sleep 2
(($(count_since "$t1" "WATCHDOG=1") >= 3)) || vt_fail "too few WATCHDOG=1 while healthy: $(count_since "$t1" WATCHDOG=1)"

# 3. SIGHUP: RELOADING=1, then READY=1.
t2=$(now)
kill -HUP "$VT_VIGILD_PID"
vt_wait_until 10 has_since "$t2" "READY=1*" || vt_fail "no READY=1 after SIGHUP"
has_since "$t2" "RELOADING=1*" || vt_fail "no RELOADING=1 on SIGHUP"
# The first non-ping message after the signal is RELOADING=1, the next READY=1.
awk -F'\t' -v since="$t2" '$1 >= since && $2 != "WATCHDOG=1" { print $2 }' "$dgrams" | head -2 >"$VT_DIR/reload.txt"
[[ $(sed -n 1p "$VT_DIR/reload.txt") == 'RELOADING=1\nMONOTONIC_USEC='* && $(sed -n 2p "$VT_DIR/reload.txt") == READY=1* ]] ||
  vt_fail "RELOADING=1 must come before READY=1: $(cat "$VT_DIR/reload.txt")"

# 4. A stale heartbeat withholds the pings; a fresh one brings them back.
vctl test_behaviors heartbeat --component responder --age_ms 10000 >/dev/null || vt_fail "heartbeat command"
vt_wait_until 5 has_since "$t2" "STATUS=stalled: test_behaviors responder made no progress*" ||
  vt_fail "stale heartbeat not reported"
t3=$(now)
sleep 2
(($(count_since "$t3" "WATCHDOG=1") == 0)) || vt_fail "WATCHDOG=1 sent while a heartbeat was stale"
vctl --json status | grep -q '"watchdog":{"healthy":false' || vt_fail "status does not show the stall"
vctl test_behaviors heartbeat --component responder --age_ms -1 >/dev/null
t4=$(now)
vt_wait_until 5 has_since "$t4" "WATCHDOG=1" || vt_fail "pings did not resume after the heartbeat went inactive"

# 5. A stuck bus subscriber withholds the pings; they resume once it returns.
vctl test_behaviors stall_bus >/dev/null || vt_fail "stall_bus"
vt_wait_until 6 has_since "$t4" "STATUS=stalled: bus subscriber test_behaviors*" || vt_fail "stalled bus not reported"
t5=$(now)
sleep 2.5
(($(count_since "$t5" "WATCHDOG=1") == 0)) || vt_fail "WATCHDOG=1 sent while the bus was stalled"
vctl metrics | grep -q '^vigil_watchdog_healthy 0$' || vt_fail "metrics do not show the stall"
vctl test_behaviors unstall >/dev/null
t6=$(now)
vt_wait_until 5 has_since "$t6" "WATCHDOG=1" || vt_fail "pings did not resume after the bus moved"
vctl metrics | grep -q '^vigil_watchdog_stalls_total 2$' || vt_fail "stall count: $(vctl metrics | grep stalls)"

# 6. SIGTERM: STOPPING=1, exit 0.
t7=$(now)
vt_stop_daemon || vt_fail "vigild exited non-zero"
has_since "$t7" "STOPPING=1" || vt_fail "no STOPPING=1"

# 7. log_format json: one JSON object per line (after the <N> prefix under journald).
{ vt_agent_section; echo "  log_format: json"; echo "plugins:"; echo "  test_source: {enabled: true}"; } >"$cfg"
: >"$VT_DIR/vigild.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$VT_DIR/vigild.log") vt_start_daemon "$cfg"
vt_stop_daemon
python3 - "$VT_DIR/vigild.log" <<'PY' || vt_fail "log_format json: $(head -3 "$VT_DIR/vigild.log")"
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) >= 3, lines
for l in lines:
    m = re.match(r"^<([0-7])>(\{.*\})$", l)
    assert m, l
    d = json.loads(m.group(2))
    assert set(d) == {"ts", "level", "component", "msg"}, d
assert any(json.loads(l[3:])["msg"].startswith("ready; control socket") for l in lines)
PY

# 8. vigil-central: READY=1 with its port once it serves, pings every WATCHDOG_USEC/3, STOPPING=1.
[[ -x $KT_CENTRAL ]] || vt_fail "vigil-central not built"
kt_certs "$VT_DIR/certs"
port=$(kt_free_port)
t8=$(now)
NOTIFY_SOCKET=$notify WATCHDOG_USEC=1500000 kt_start_central main "$port" "$VT_DIR/certs"
vt_wait_until 10 has_since "$t8" "READY=1*" || vt_fail "vigil-central: no READY=1: $(tail -3 "$dgrams")"
grep -qF "READY=1\nSTATUS=listening on port $port" "$dgrams" || vt_fail "vigil-central READY status: $(tail -3 "$dgrams")"
t9=$(now)
sleep 2
(($(count_since "$t9" "WATCHDOG=1") >= 2)) || vt_fail "vigil-central: too few WATCHDOG=1: $(count_since "$t9" WATCHDOG=1)"
t10=$(now)
kt_stop_central main
has_since "$t10" "STOPPING=1" || vt_fail "vigil-central: no STOPPING=1"
vt_pass
