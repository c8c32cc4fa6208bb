#!/usr/bin/env bash
# Denial of service against a real vigil-central (the attacks of the security review, H4):
#   1. the review's gzip bomb (≈260 KiB → 256 MiB of "0,"), 16 senders in a loop;
#   2. 200 parallel 64 MiB bodies from a client with no identity (no Expect: 100-continue,
#      so the bytes come whether the server wants them or not);
#   3. 600 TLS handshakes trickled one byte every 10 s.
# A well-behaved agent (dos_tools.py agent: valid gzip batches over keep-alive TLS) posts
# telemetry all along. For every attack the server's peak RSS must stay under 512 MiB and
# the agent's batches must keep being stored (no gap over 5 s); the figures are printed.
# VIGIL_DOS_SECONDS sets the length of each phase (default 15).
set -euo pipefail
build=${VIGIL_BUILD:?run from ctest (VIGIL_BUILD)}
source_dir=${VIGIL_SOURCE:?run from ctest (VIGIL_SOURCE)}
central=$build/bin/vigil-central
tools=$source_dir/tools/central/tests/dos_tools.py
secs=${VIGIL_DOS_SECONDS:-15}
T=$(mktemp -d "${TMPDIR:-/tmp}/central_dos.$$.XXXXXX")
pids=()
server_pid=""
cleanup() {
  for p in "${pids[@]}" $server_pid; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -20 "$T/server.log" >&2 || true; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=https://127.0.0.1:$port
"$source_dir/tools/gen-certs" "$T/certs" >/dev/null
cat >"$T/central.yaml" <<YAML
listen: {address: 127.0.0.1, port: $port}
tls: {certificate: certs/server.crt, private_key: certs/server.key, client_ca: certs/ca.crt}
storage: {database: state/central.db, files_dir: state/files, text_index: false}
operators: {tokens: ["dos-operator-token-0123456789"]}
YAML
"$central" serve --config "$T/central.yaml" >"$T/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
  curl -s -o /dev/null --cacert "$T/certs/ca.crt" "$url/api/v1/health" && break
  kill -0 "$server_pid" 2>/dev/null || fail "server exited at start"
  sleep 0.1
done

python3 "$tools" bomb "$T/bomb.gz"
truncate -s 64M "$T/zero64"
total=$((secs * 4 + 10))
python3 "$tools" agent "$url" "$T/certs/ca.crt" dos-agent-0001 "$total" "$T/agent.log" &
pids+=($!)
sleep 3

# phase NAME: runs the attack started by attack_NAME for $secs seconds, sampling RSS.
results=()
phase() {
  local name=$1 start end
  start=$(date +%s.%N)
  python3 "$tools" rss "$server_pid" "$secs" "$T/rss.$name" &
  local sampler=$!
  local attackers=()
  if [[ $name != baseline ]]; then "attack_$name" "$((secs))"; attackers=("${started[@]}"); fi
  wait "$sampler"
  if ((${#attackers[@]})); then
    # Each attacker runs in a session of its own: its loop and the curl it is running stop together.
    for p in "${attackers[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
    wait "${attackers[@]}" 2>/dev/null || true
  fi
  end=$(date +%s.%N)
  kill -0 "$server_pid" 2>/dev/null || fail "$name: the server died"
  local line
  line=$(python3 - "$T/agent.log" "$start" "$end" "$(cat "$T/rss.$name")" "$name" <<'PY'
import json, sys
log, start, end, rss, name = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
ok = [(float(t), int(n)) for t, n in (l.split()[:2] for l in open(log)) if n.isdigit() and start <= float(t) <= end]
errors = sum(1 for l in open(log) if "error" in l and start <= float(l.split()[0]) <= end)
stamps = [start] + [t for t, _ in ok] + [end]
gap = max(b - a for a, b in zip(stamps, stamps[1:]))
print(json.dumps({"scenario": name, "server_rss_max_mib": round(rss / 1024, 1),
                  "agent_events_per_s": round(sum(n for _, n in ok) / (end - start)),
                  "agent_batches": len(ok), "agent_errors": errors, "agent_max_gap_s": round(gap, 2)}))
PY
)
  echo "$line"
  results+=("$line")
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["server_rss_max_mib"] < 512 else 1)' "$line" \
    || fail "$name: server RSS reached 512 MiB"
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["agent_batches"] > 0 and r["agent_max_gap_s"] <= 5 else 1)' "$line" \
    || fail "$name: the agent's telemetry stalled"
}

# Attackers run at the lowest CPU priority: on this one machine they stand for peers
# elsewhere, whose own CPU use must not be what slows the server and the agent down. A new
# session is a new scheduler autogroup (kernel.sched_autogroup_enabled), where a process's
# own nice value counts only against its group: the group itself gets nice 19 too.
lowest_priority() {  # lowest_priority SESSION_LEADER_PID
  [[ -w /proc/$1/autogroup ]] && echo 19 >"/proc/$1/autogroup" 2>/dev/null || true
}

# loop ARGS...: runs curl ARGS again and again in a session of its own (see phase).
loop() {
  nice -n 19 setsid bash -c 'while :; do curl -s -o /dev/null "$@" || true; done' loop "$@" &
  started+=($!)
  lowest_priority $!
}

attack_bomb() {  # 16 senders posting the bomb as their own (registered) agent
  started=()
  curl -s -o /dev/null --cacert "$T/certs/ca.crt" -H 'X-Vigil-Agent-Id: dos-bomber' -H 'Content-Type: application/json' \
    --data '{"agent_id":"dos-bomber","hostname":"bomber"}' "$url/api/v1/agent/sync"
  for i in $(seq 16); do
    loop --cacert "$T/certs/ca.crt" --interface "127.0.0.$((2 + i % 4))" -H 'X-Vigil-Agent-Id: dos-bomber' \
      -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' --data-binary @"$T/bomb.gz" \
      "$url/api/v1/agent/telemetry"
  done
}

attack_bodies() {  # 200 × 64 MiB, no identity, body sent at once (no Expect)
  started=()
  for i in $(seq 200); do
    loop --cacert "$T/certs/ca.crt" --interface "127.0.0.$((10 + i % 10))" -X POST -T "$T/zero64" -H 'Expect:' \
      -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' "$url/api/v1/agent/telemetry"
  done
}

attack_slow() {  # 600 trickled handshakes from 20 addresses
  started=()
  nice -n 19 setsid python3 "$tools" slow-handshakes 127.0.0.1 "$port" 600 "$1" 30 >"$T/slow.out" &
  started+=($!)
  lowest_priority $!
}

phase baseline
phase bomb
phase bodies
phase slow
grep -q "refused\|400\|413" "$T/server.log" || fail "no refusal was logged"
lines=$(wc -l <"$T/server.log")
[[ $lines -lt 2000 ]] || fail "the server log grew to $lines lines (refusals must be rate-limited)"
if grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$T/server.log"; then fail "control bytes in the server log"; fi
kill -TERM "$server_pid"
wait "$server_pid" || fail "server exit code $? after SIGTERM"
server_pid=""
printf '%s\n' "${results[@]}" >"${VIGIL_DOS_REPORT:-/dev/null}"
echo "PASS: central_dos (server log: $lines lines)"
