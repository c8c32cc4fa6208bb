# Attacks and the measuring phase of dos_test.sh (sourced; uses its T, url, port, certs, py,
# tools, bomber, server_pid and fail).

# Attackers run at the lowest CPU priority: on this one machine they stand for peers
# elsewhere, whose own CPU use must not be what slows the server and the agent down. A new
# session is a new scheduler autogroup (kernel.sched_autogroup_enabled), where a process's
# own nice value counts only against its group: the group itself gets nice 19 too. The
# attacker sets it from INSIDE its new session (/proc/self): set from here through $!, the
# write could land before setsid() ran and lower the test's own group (the server's and
# this script's), which made phases take minutes instead of seconds.
background() {
  setsid bash -c 'echo 19 >/proc/self/autogroup 2>/dev/null; exec nice -n 19 "$@"' attacker "$@" &
  started+=($!)
}

# loop ARGS...: runs curl ARGS again and again until the phase's end (attack_seconds), so no
# attacker outlives its phase even if a kill misses it.
loop() {
  background bash -c 'end=$((SECONDS + $1)); shift; while ((SECONDS < end)); do
    curl -s -o /dev/null --max-time 10 "$@" || true; done' loop "$attack_seconds" "$@"
}

# loops COUNT FIRST_ADDR ADDRS ARGS...: COUNT curl loops (source 127.0.0.FIRST_ADDR + i % ADDRS)
# in ONE session, i.e. one scheduler autogroup: 200 sessions of their own would together
# outweigh the server's group even at nice 19.
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
      "${urls[@]}" >/dev/null  # -o /dev/null covers the first URL only
  done
}

attack_conns() {  # trickled handshakes (20 addresses); idle TCP, idle TLS, slow heads (one address each)
  background $py "$tools" slow-handshakes 127.0.0.1 "$port" 600 "$1" 50 >"$T/slow.out"
  background $py "$tools" conns 127.0.0.1 "$port" 127.0.0.40 1000 0 0 "$1" >"$T/idle_tcp.out"
  background $py "$tools" conns 127.0.0.1 "$port" 127.0.0.41 0 400 100 "$1" >"$T/idle_tls.out"
}

elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

# phase NAME SECONDS: runs attack_NAME for SECONDS while sampling the server's RSS, then
# judges the agent's requests in that window. A failed judgement is collected in `failures`
# (the later phases still run and print their figures); a dead server ends the test at once.
results=()
failures=()
phase() {
  local name=$1 secs=$2 start end sampler
  start=$(date +%s.%N)
  $py "$tools" rss "$server_pid" "$secs" "$T/rss.$name" &
  sampler=$!
  started=()
  attack_seconds=$((secs + 2))
  [[ $name == baseline ]] || "attack_$name" "$secs"
  echo "phase $name: attackers started after $(elapsed "$start") s" >&2
  wait "$sampler"
  echo "phase $name: measured until $(elapsed "$start") s" >&2
  if ((${#started[@]})); then
    # The conns tools print their figures when their time is up: at nice 19 next to a busy
    # server that may take a while, so they get up to 20 s to end by themselves.
    if [[ $name == conns ]]; then
      local left
      for _ in $(seq 100); do
        left=0
        for p in "${started[@]}"; do kill -0 "$p" 2>/dev/null && left=1; done
        ((left)) || break
        sleep 0.2
      done
    fi
    for p in "${started[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
    wait "${started[@]}" 2>/dev/null || true
  fi
  end=$(date +%s.%N)
  echo "phase $name: attackers stopped after $(elapsed "$start") s" >&2
  kill -0 "$server_pid" 2>/dev/null || fail "$name: the server died"
  # What the server still holds once the attack is over (its memory trimmer looks every second).
  sleep 3
  local rss_after
  rss_after=$(awk '/^(VmRSS|RssAnon|RssFile):/ { printf "%s%s", sep, $2; sep = "," }' "/proc/$server_pid/status")
  local attack="{}"
  [[ $name != conns ]] || attack=$(cat "$T/slow.out" "$T/idle_tcp.out" "$T/idle_tls.out" | $py -c \
    'import json,sys; print(json.dumps([json.loads(l) for l in sys.stdin if l.strip()]))')
  local line
  line=$($py "$tools" summary "$name" "$T/agent.log" "$start" "$end" "$(cat "$T/rss.$name")" "$rss_after" "$attack")
  echo "$line"
  results+=("$line")
  $py -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["server_rss_max_mib"] < 512 else 1)' "$line" \
    || failures+=("$name: server RSS reached 512 MiB")
  $py -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["agent_batches"] > 0 and r["agent_max_gap_s"] <= 5 else 1)' "$line" \
    || failures+=("$name: the agent's telemetry stalled")
  if [[ $name == conns ]]; then
    # One address never holds more TLS connections than server.max_connections_per_address (256),
    # counted at one moment (the two kinds' separate peaks come at different times).
    $py -c 'import json,sys; r=json.loads(sys.argv[1])["attack"][2]; sys.exit(0 if r["tls_and_head_max_established"] <= 256 else 1)' "$line" \
      || failures+=("conns: one address held more than 256 TLS connections")
  fi
}
