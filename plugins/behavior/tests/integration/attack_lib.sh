# Helpers for behavior's attack tests (bash; source after tests/lib/vigil.sh).

# ba_start_agent SENSOR [FILE_EVENTS]: vigild with behavior on SENSOR (process
# events, file events only when FILE_EVENTS is true, no detection, status every
# 200 ms); waits until the sensor runs.
ba_start_agent() {
  cat >"$VT_DIR/vigil.yaml" <<EOS
$(vt_agent_section)
plugins:
  behavior:
    enabled: true
    sensor: $1
    detection: false
    network_events: false
    file_events: ${2:-false}
    status_interval_ms: 200
EOS
  vt_start_daemon "$VT_DIR/vigil.yaml"
  vt_wait_until 10 bash -c "'$VIGIL_BUILD/bin/vigilctl' --socket '$VT_DIR/vigild.sock' --json status | grep -q '\"sensor\":\"$1\"'" ||
    vt_fail "sensor $1 did not start: $(vctl --json status)"
}

# ba_starts: the behavior process_start counter.
ba_starts() {
  vctl --json status | python3 -c "import json,sys; d=json.load(sys.stdin); print(next(p for p in d['plugins'] if p['name']=='behavior')['status']['events']['process_start'])"
}

# ba_probe_seconds SECONDS: as root, starts one probe process a second for
# SECONDS seconds and sets FROZEN to the number of seconds in which behavior's
# process_start counter did not rise (the sensor saw nothing new).
ba_probe_seconds() {
  local i last now
  FROZEN=0
  last=$(ba_starts)
  for ((i = 0; i < $1; i++)); do
    /bin/sh -c "exit 0" "probe-$i"
    sleep 1
    now=$(ba_starts) || vt_fail "vigild stopped answering during the attack"
    ((now > last)) || FROZEN=$((FROZEN + 1))
    last=$now
  done
}
