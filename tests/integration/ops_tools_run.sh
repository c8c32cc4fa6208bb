#!/usr/bin/env bash
# tools/run stops the agent and the central node it started within 10 s on
# SIGTERM, SIGHUP and Ctrl-C (SIGINT to its whole process group, as a
# terminal sends it), and removes its run directory and the demo's nftables table.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
vt_init ops_tools_run
[[ $(id -u) == 0 ]] || { vt_log "SKIP: needs root (the demo agent runs every plugin)"; exit 77; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# Starts tools/run in its own process group with default signal dispositions
# (a background job of a script would ignore SIGINT); prints its PID.
start_run() { # $1 run dir, $2 output file
  VIGIL_BUILD_DIR=$VIGIL_BUILD VIGIL_RUN_DIR=$1 VIGIL_CENTRAL_PORT=$port VIGIL_RUN_SKIP_BUILD=1 \
    python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setpgrp()
os.execv(sys.argv[1], sys.argv[1:])' "$VIGIL_SOURCE/tools/run" </dev/null >"$2" 2>&1 &
  echo $!
}

for sig in TERM HUP INT; do
  rundir=$VT_DIR/run-$sig
  out=$VT_DIR/run-$sig.out
  pid=$(start_run "$rundir" "$out")
  vt_track_pid "$pid"
  vt_wait_until 90 grep -q "== Vigil is running" "$out" || vt_fail "tools/run did not come up: $(tail -20 "$out")"
  line=$(grep "^vigild pid" "$out")
  vigild_pid=$(sed -E 's/^vigild pid ([0-9]+).*/\1/' <<<"$line")
  central_pid=$(sed -nE 's/.*vigil-central pid ([0-9]+).*/\1/p' <<<"$line")
  [[ -n $vigild_pid ]] || vt_fail "no vigild pid in: $line"
  [[ $(cat "/proc/$vigild_pid/comm") == vigild ]] || vt_fail "$vigild_pid is not vigild"
  if [[ -x $VIGIL_BUILD/bin/vigil-central ]]; then
    [[ -n $central_pid && $(cat "/proc/$central_pid/comm") == vigil-central ]] || vt_fail "vigil-central not running: $line"
  fi
  [[ -S $rundir/vigild.sock ]] || vt_fail "no control socket in the run directory"
  if [[ $sig == TERM && -n $central_pid && -f $VIGIL_BUILD/plugins/kataedr.so ]]; then
    # tools/run enrolls its agent: kataedr gets its own certificate and connects with it.
    enrolled() {
      "$VIGIL_BUILD/bin/vigilctl" --socket "$rundir/vigild.sock" --json status 2>/dev/null | python3 -c '
import json, sys
s = next(p.get("status", {}) for p in json.load(sys.stdin)["plugins"] if p["name"] == "kataedr")
sys.exit(0 if s.get("connected") and s.get("identity", {}).get("enrolled") else 1)'
    }
    vt_wait_until 30 enrolled || vt_fail "tools/run's agent did not enroll: $(tail -5 "$rundir/central.log" 2>/dev/null)"
    vt_log "tools/run's agent enrolled and connected with its own certificate"
  fi

  start=$SECONDS
  if [[ $sig == INT ]]; then kill -INT -- "-$pid"; else kill "-$sig" "$pid"; fi
  vt_wait_until 12 bash -c "! kill -0 $pid 2>/dev/null" || vt_fail "SIG$sig: tools/run still running after 12 s"
  for p in $vigild_pid $central_pid; do
    kill -0 "$p" 2>/dev/null && vt_fail "SIG$sig: pid $p ($(cat /proc/$p/comm 2>/dev/null)) still running after tools/run returned"
  done
  elapsed=$((SECONDS - start))
  ((elapsed <= 10)) || vt_fail "SIG$sig: stopping took ${elapsed} s"
  [[ -e $rundir ]] && vt_fail "SIG$sig: run directory left behind: $(ls "$rundir")"
  if [[ -f $VIGIL_BUILD/plugins/network_threat.so ]] && nft list table inet vigil_nt_demo >/dev/null 2>&1; then
    vt_fail "SIG$sig: the demo's network_threat table is left in the kernel"
  fi
  grep -q "tools/run: stopped" "$out" || vt_fail "SIG$sig: no stop message: $(tail -5 "$out")"
  vt_log "SIG$sig: everything stopped in ${elapsed} s"
done
[[ -s $VIGIL_BUILD/run-logs/vigild.log ]] || vt_fail "vigild log not kept"
vt_pass
