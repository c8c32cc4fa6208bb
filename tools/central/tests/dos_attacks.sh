# Attacks and the measuring phase of dos_test.sh (sourced; uses its T, url, port, certs, py,
# tools, bomber, server_pid and fail).

# Attackers run at the lowest CPU priority: on this one machine they stand for peers
# elsewhere, whose own CPU use must not be what slows the server and the agent down. A new
# session is a new scheduler autogroup (kernel.sched_autogroup_enabled), where a process's
# own nice value counts only against its group: the group itself gets nice 19 too.
lowest_priority() {  # lowest_priority SESSION_LEADER_PID
  [[ -w /proc/$1/autogroup ]] && echo 19 >"/proc/$1/autogroup" 2>/dev/null || true
}

# background CMD...: runs CMD in a session of its own at the lowest priority (see phase).
background() {
  nice -n 19 setsid "$@" &
  started+=($!)
  lowest_priority $!
}

# loop ARGS...: runs curl ARGS again and again until the phase's end (attack_seconds), so no
# attacker outlives its phase even if a kill misses it.
loop() {
  background bash -c 'end=$((SECONDS + $1)); shift; while ((SECONDS < end)); do
    curl -s -o /dev/null --max-time 10 "$@" || true; done' loop "$attack_seconds" "$@"
}

# loops COUNT FIRST_ADDR ADDRS ARGS...: COUNT curl loops (source 127.0.0.FIRST_ADDR + i % ADDRS)
# in ONE session, i.e. one scheduler autogroup: 200 sessions of their own would together
# outweigh the server's group even at nice 19 (UNTESTED: written after the last run).
loops() {
  background bash -c 'n=$1 first=$2 addrs=$3 end=$((SECONDS + $4)); shift 4
    for ((i = 0; i < n; i++)); do
      (while ((SECONDS < end)); do
        curl -s -o /dev/null --max-time 10 --interface "127.0.0.$((first + i % addrs))" "$@" || true
      done) &
    done
    wait' loops "$@"
}

attack_bomb() {  # 16 senders posting the bomb as their own enrolled agent
  for i in $(seq 16); do
    loop --cacert "$certs/ca.crt" --cert "$T/$bomber.crt" --key "$T/$bomber.key" --interface "127.0.0.$((2 + i % 4))" \
      -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' --data-binary @"$T/bomb.gz" \
      "$url/api/v1/agent/telemetry"
  done
}

attack_bodies() {  # 200 × 64 MiB without identity (body sent at once) + announced 1 GB bodies
  loops 200 10 10 "$attack_seconds" --cacert "$certs/ca.crt" -X POST -T "$T/zero64" -H 'Expect:' \
    -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' "$url/api/v1/agent/telemetry"
  for i in $(seq 8); do
    loop --cacert "$certs/ca.crt" --cert "$T/$bomber.crt" --key "$T/$bomber.key" --interface 127.0.0.20 \
      -H 'Content-Length: 1000000000' -H 'Expect:' -H 'Content-Type: application/json' \
      -H 'Content-Encoding: gzip' --data-binary @"$T/bomb.gz" "$url/api/v1/agent/telemetry"
  done
}

attack_flood() {  # unauthenticated requests, 50 per curl run on a kept-alive connection
  local urls=() i
  for i in $(seq 25); do urls+=("$url/api/v1/agent/tasks?wait=0" "$url/api/v1/agents"); done
  for i in $(seq 8); do
    loop --cacert "$certs/ca.crt" --interface "127.0.0.$((30 + i % 4))" -H 'Authorization: Bearer wrong-token' \
      "${urls[@]}"
  done
}

attack_conns() {  # trickled handshakes (20 addresses); idle TCP, idle TLS, slow heads (one address each)
  background $py "$tools" slow-handshakes 127.0.0.1 "$port" 600 "$1" 50 >"$T/slow.out"
  background $py "$tools" conns 127.0.0.1 "$port" 127.0.0.40 1000 0 0 "$1" >"$T/idle_tcp.out"
  background $py "$tools" conns 127.0.0.1 "$port" 127.0.0.41 0 400 100 "$1" >"$T/idle_tls.out"
}

# phase NAME SECONDS: runs attack_NAME for SECONDS while sampling the server's RSS, then
# judges the agent's batches stored in that window.
results=()
phase() {
  local name=$1 secs=$2 start end sampler
  start=$(date +%s.%N)
  $py "$tools" rss "$server_pid" "$secs" "$T/rss.$name" &
  sampler=$!
  started=()
  attack_seconds=$((secs + 2))
  [[ $name == baseline ]] || "attack_$name" "$secs"
  wait "$sampler"
  if ((${#started[@]})); then
    # The conns tools print their figures when their time is up: give them a moment.
    [[ $name != conns ]] || sleep 2
    for p in "${started[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
    wait "${started[@]}" 2>/dev/null || true
  fi
  end=$(date +%s.%N)
  kill -0 "$server_pid" 2>/dev/null || fail "$name: the server died"
  local attack="{}"
  [[ $name != conns ]] || attack=$(cat "$T/slow.out" "$T/idle_tcp.out" "$T/idle_tls.out" | $py -c \
    'import json,sys; print(json.dumps([json.loads(l) for l in sys.stdin if l.strip()]))')
  local line
  line=$($py - "$T/agent.log" "$start" "$end" "$(cat "$T/rss.$name")" "$name" "$attack" <<'PY'
import json, sys
log, start, end, rss, name, attack = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
rows = [l.split() for l in open(log) if l.strip()]
ok = [(float(r[0]), int(r[1])) for r in rows if r[1].isdigit() and start <= float(r[0]) <= end]
errors = [" ".join(r[1:4]) for r in rows if r[1] == "error" and start <= float(r[0]) <= end]
stamps = [start] + [t for t, _ in ok] + [end]
gap = max(b - a for a, b in zip(stamps, stamps[1:]))
print(json.dumps({"scenario": name, "seconds": round(end - start, 1), "server_rss_max_mib": round(rss / 1024, 1),
                  "agent_events_per_s": round(sum(n for _, n in ok) / (end - start)),
                  "agent_batches": len(ok), "agent_errors": len(errors), "agent_error_kinds": sorted(set(errors))[:5],
                  "agent_max_gap_s": round(gap, 2), "attack": json.loads(attack)}))
PY
)
  echo "$line"
  results+=("$line")
  $py -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["server_rss_max_mib"] < 512 else 1)' "$line" \
    || fail "$name: server RSS reached 512 MiB"
  $py -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["agent_batches"] > 0 and r["agent_max_gap_s"] <= 5 else 1)' "$line" \
    || fail "$name: the agent's telemetry stalled"
  if [[ $name == conns ]]; then
    # One address never holds more TLS connections than server.max_connections_per_address (256).
    $py -c 'import json,sys; r=json.loads(sys.argv[1])["attack"][2]; sys.exit(0 if r["tls"]["max_established"] + r["head"]["max_established"] <= 256 else 1)' "$line" \
      || fail "conns: one address held more than 256 TLS connections"
  fi
}
