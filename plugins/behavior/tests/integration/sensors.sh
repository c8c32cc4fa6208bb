#!/usr/bin/env bash
# behavior sensors end to end: vigild + behavior with `sensor: $1` (ebpf or
# netlink); real commands (a shell, curl to a loopback listener, file writes
# in a temp dir) must appear in `vigilctl events` with the right fields.
set -euo pipefail
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/behavior/tests/integration/events_lib.sh"
SENSOR=${1:?sensor}
vt_init "behavior_sensors_$SENSOR"
WORK=$VT_DIR/work
mkdir -p "$WORK"

cat >"$VT_DIR/vigil.yaml" <<EOS
$(vt_agent_section)
plugins:
  behavior:
    enabled: true
    sensor: $SENSOR
    detection: false
    file_watch_paths: [$VT_DIR]
    sock_diag_interval_ms: 100
EOS
vt_start_daemon "$VT_DIR/vigil.yaml"
vt_wait_until 10 bash -c "[[ \$('$VIGIL_BUILD/bin/vigilctl' --socket '$VT_DIR/vigild.sock' --json status | grep -c '\"sensor\":\"$SENSOR\"') -ge 1 ]]" \
  || vt_fail "status does not show sensor $SENSOR: $(vctl --json status)"

vctl events >"$VT_DIR/events.jsonl" 2>/dev/null &
vt_track_pid $!
sleep 0.5

# 1. A shell that lives long enough for /proc (netlink path) and exits 3.
/bin/sh -c 'sleep 0.5; exit 3' vigil-marker-$$ &
SH_PID=$!
wait $SH_PID || true

# 2. curl to a loopback listener that holds the connection for a second
#    (sock_diag polls; eBPF sees it at once).
PORT_FILE=$VT_DIR/port
python3 - "$PORT_FILE" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept(); c.recv(1024); time.sleep(1.0)
c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"); c.close(); s.close()
PY
SRV_PID=$!
vt_track_pid $SRV_PID
vt_wait_until 30 test -s "$PORT_FILE"
PORT=$(cat "$PORT_FILE")
curl -s -o /dev/null "http://127.0.0.1:$PORT/" &
CURL_PID=$!
wait $CURL_PID || vt_fail "curl failed"
wait $SRV_PID || true

# 3. File changes in the watched temp dir.
/bin/sh -c "echo hello > '$WORK/f1'; mv '$WORK/f1' '$WORK/f2'; chmod 700 '$WORK/f2'; rm '$WORK/f2'"
# The agent's own files (its state directory) are never reported.
/bin/sh -c "echo x > '$VT_DIR/state/vigil-own-file-$$'; rm -f '$VT_DIR/state/vigil-own-file-$$'"
sleep 1.5

check_quiet() {  # check_quiet PYTHON-PREDICATE-OVER-e : exit 0 when some event matches
  be_has_event "$VT_DIR/events.jsonl" "$1"
}
check() {  # check DESCRIPTION PYTHON-PREDICATE-OVER-e (waits up to 10 s: a loaded host is slow)
  vt_wait_until 10 check_quiet "$2" || vt_fail "$1"
}
SH_REAL=$(readlink -f /bin/sh)
CURL_REAL=$(readlink -f "$(command -v curl)")
check "process_start of the shell with pid, ppid, exe, argv, user, sha256" \
  "t=='process_start' and p.get('pid')==$SH_PID and p.get('ppid')==$$ and p.get('exe')=='$SH_REAL' and p.get('argv',[])[-1]=='vigil-marker-$$' and p.get('user')=='$(id -un)' and len(p.get('sha256',''))==64"
check "process_exit of the shell with exit code 3" \
  "t=='process_exit' and p.get('pid')==$SH_PID and e.get('exit_code')==3"
check "network connect by curl to 127.0.0.1:$PORT" \
  "t=='network' and e.get('action')=='connect' and e.get('remote_port')==$PORT and e.get('remote_addr')=='127.0.0.1' and p.get('pid')==$CURL_PID and p.get('exe')=='$CURL_REAL'"
check "network listen on port $PORT" \
  "t=='network' and e.get('action')=='listen' and e.get('local_port')==$PORT"
check "network accept on port $PORT" \
  "t=='network' and e.get('action')=='accept' and e.get('local_port')==$PORT"
check "file create of f1" "t=='file' and e.get('action')=='create' and e.get('path')=='$WORK/f1'"
check "file rename f1 -> f2" "t=='file' and e.get('action')=='rename' and e.get('path')=='$WORK/f1' and e.get('new_path')=='$WORK/f2'"
check "file chmod of f2" "t=='file' and e.get('action')=='chmod' and e.get('path')=='$WORK/f2'"
check "file delete of f2" "t=='file' and e.get('action')=='delete' and e.get('path')=='$WORK/f2' and p.get('pid',0)>0"
if [[ $SENSOR == ebpf ]]; then
  # The kernel program captures the context at the syscall: even a process
  # that is gone by the time user space looks is attributed.
  check "file delete attributed to rm" "t=='file' and e.get('action')=='delete' and e.get('path')=='$WORK/f2' and p.get('exe','').endswith('/rm')"
fi
if check_quiet "t=='file' and 'vigil-own-file-$$' in e.get('path','')"; then
  vt_fail "a change in the agent's state directory was reported"
fi
vctl --json status | grep -q '"lost_total":0' || vt_log "note: losses reported: $(vctl --json status)"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
