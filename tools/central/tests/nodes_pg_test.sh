#!/usr/bin/env bash
# Three vigil-central nodes on one PostgreSQL (a private cluster, pg_cluster.sh), sharing the
# agent CA and files directory as a deployment would: an agent enrolled through node A
# long-polls node B, and a task created through node A reaches it within 1 s (LISTEN/NOTIFY);
# so does one created through B for a poll on C; the first result wins across nodes, also
# when two nodes receive results for the same task at the same moment; node A killed with
# SIGKILL in the middle of an upload stream loses none of the batches it acknowledged, and
# retries through node B store every batch exactly once, as node C sees.
# Exit 77 when no cluster can start.
set -euo pipefail
build=${VIGIL_BUILD:?run from ctest (VIGIL_BUILD)}
source_dir=${VIGIL_SOURCE:?run from ctest (VIGIL_SOURCE)}
here=$(cd "$(dirname "$0")" && pwd)
central=$build/bin/vigil-central
source "$here/pg_cluster.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/central_nodes.$$.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  pg_cluster_stop
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for n in a b c; do [[ -f $T/$n.log ]] && { echo "--- node $n log" >&2; tail -20 "$T/$n.log" >&2; }; done; exit 1; }
pass() { echo "ok: $*"; }

pg_cluster_start
db=$(pg_cluster_database central)
"$source_dir/tools/gen-certs" "$T/certs" >/dev/null
certs=$T/certs
(umask 077; openssl rand -hex 32 >"$T/operator.token")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
declare -A port
for n in a b c; do
  port[$n]=$(free_port)
  mkdir -p "$T/$n"
  cat >"$T/$n/central.yaml" <<YAML
listen: {address: 127.0.0.1, port: ${port[$n]}}
tls: {certificate: ../certs/server.crt, private_key: ../certs/server.key}
storage: {engine: postgresql, url: '$db', files_dir: ../shared/files, connections: 4}
agents: {ca_dir: ../shared/agent-ca}
operators: {tokens: [{name: itest-admin, role: admin, token_file: ../operator.token}]}
YAML
done
url() { echo "https://127.0.0.1:${port[$1]}"; }
start() {  # start NODE
  "$central" serve --config "$T/$1/central.yaml" >>"$T/$1.log" 2>&1 &
  pids+=($!)
  eval "pid_$1=$!"
  for _ in $(seq 300); do
    curl -s -o /dev/null --cacert "$certs/ca.crt" "$(url "$1")/api/v1/health" && return 0
    sleep 0.1
  done
  fail "node $1 did not answer within 30 s"
}
start a  # first: creates the shared agent CA and migrates the schema
start b
start c
cli() { local n=$1; shift; "$central" --server "$(url "$n")" --ca "$certs/ca.crt" --token-file "$T/operator.token" "$@"; }
agent_curl() {  # agent_curl NODE METHOD PATH [curl args...]: prints "STATUS BODY"
  local n=$1 method=$2 path=$3
  shift 3
  curl -sS -o "$T/body.$n" -w '%{http_code}' --cacert "$certs/ca.crt" --cert "$T/agent.crt" --key "$T/agent.key" \
    -X "$method" -H "X-Vigil-Agent-Id: $agent" "$@" "$(url "$n")$path" && echo " $(cat "$T/body.$n")"
}

# Enrolled through node A; node B knows the agent and its certificate (same CA, same database).
agent=$(python3 -c 'import uuid; print(uuid.uuid4())')
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/agent.key" 2>/dev/null
openssl req -new -key "$T/agent.key" -subj "/CN=$agent" -out "$T/agent.csr"
token=$(cli a enroll create --uses 1 --expires 10m 2>/dev/null)
python3 -c 'import json,sys; print(json.dumps({"agent_id":sys.argv[1],"hostname":"two-nodes","csr":open(sys.argv[2]).read()}))' \
  "$agent" "$T/agent.csr" >"$T/enroll.json"
curl -sS --cacert "$certs/ca.crt" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  --data @"$T/enroll.json" "$(url a)/api/v1/agent/enroll" >"$T/enroll.reply"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["certificate"], end="")' "$T/enroll.reply" >"$T/agent.crt" \
  || fail "enrollment through node A: $(cat "$T/enroll.reply")"
pass "agent enrolled through node A"

# cross_node_wakeup CREATE_NODE POLL_NODE: the agent long-polls POLL_NODE, a task is created
# through CREATE_NODE and must reach the poll within 1 s; sets task_id.
cross_node_wakeup() {
  local on=$1 poll_node=$2
  agent_curl "$poll_node" GET "/api/v1/agent/tasks?wait=20" >"$T/poll.out" &
  local poll=$!
  for _ in $(seq 100); do
    [[ $(cli "$poll_node" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("waiting_agents", 0))') == 1 ]] && break
    sleep 0.05
  done
  local t0 t1
  t0=$(date +%s%N)
  task_id=$(cli "$on" task create --agent "$agent" ping --timeout 30)
  wait "$poll"
  t1=$(date +%s%N)
  grep -q "\"id\":\"$task_id\"" "$T/poll.out" || fail "the poll on node $poll_node did not get the task: $(cat "$T/poll.out")"
  local ms=$(((t1 - t0) / 1000000))
  ((ms < 1000)) || fail "task created on $on reached the poll on $poll_node after $ms ms (limit 1000)"
  pass "task created on node $on delivered to the long poll on node $poll_node in $ms ms (incl. the CLI's own run)"
}
cross_node_wakeup b c
first_task=$task_id
cross_node_wakeup a b

# First result wins across nodes.
result='{"status":"ok","result":{"pong":true},"error":null}'
[[ $(agent_curl b POST "/api/v1/agent/tasks/$task_id/result" -H 'Content-Type: application/json' --data "$result") == 200* ]] \
  || fail "result through node B"
[[ $(agent_curl a POST "/api/v1/agent/tasks/$task_id/result" -H 'Content-Type: application/json' \
  --data '{"status":"error","error":"late"}') == 409* ]] || fail "a second result through node A was not refused"
cli a task show "$task_id" --json | grep -q '"state": "done"' || fail "node A does not see the result stored through B"
pass "first result (through B) wins; the second (through A) is refused with 409"

# Two nodes receive a result for the same task at the same moment: exactly one is stored.
racers=()
for n in b c; do
  agent_curl "$n" POST "/api/v1/agent/tasks/$first_task/result" -H 'Content-Type: application/json' \
    --data "{\"status\":\"ok\",\"result\":{\"via\":\"$n\"},\"error\":null}" >"$T/race.$n" &
  racers+=($!)
done
wait "${racers[@]}"  # only the two posts: the nodes are background jobs too
codes=$(cut -c1-3 "$T/race.b" "$T/race.c" | sort | tr '\n' ' ')
[[ $codes == "200 409 " ]] || fail "concurrent results through B and C: HTTP $codes (want one 200 and one 409)"
winner=$(grep -l '^200' "$T/race.b" "$T/race.c" | sed 's/.*race\.//')
cli a task show "$first_task" --json | grep -q "\"via\": \"$winner\"" || fail "node A does not show node $winner's stored result"
pass "concurrent results through B and C: node $winner's stored, the other refused with 409, A sees the same"

# Node A killed with SIGKILL in the middle of an upload stream: every batch it acknowledged is
# there exactly once (a retry through B is a duplicate), the one in flight at most once.
batch() {  # batch SEQ: 2 events, gzip'd to stdout
  printf '{"agent_id":"%s","batch_seq":%s,"events":[{"class_uid":1007,"time":%s000,"type":"process","process":{"pid":1,"cmd_line":"/bin/true %s"}},{"class_uid":1001,"time":%s000,"type":"file","file":{"path":"/tmp/two-nodes-%s"}}]}' \
    "$agent" "$1" "$(date +%s)" "$1" "$(date +%s)" "$1" | gzip
}
: >"$T/acked"
(
  for seq in $(seq 1 100000); do
    batch "$seq" >"$T/up.gz"
    reply=$(agent_curl a POST /api/v1/agent/telemetry -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' \
      --data-binary @"$T/up.gz" 2>/dev/null) || break
    [[ $reply == 200* ]] || break
    echo "$seq" >>"$T/acked"
  done
) &
uploader=$!
for _ in $(seq 200); do (($(wc -l <"$T/acked") >= 10)) && break; sleep 0.05; done
kill -KILL "$pid_a"
wait "$pid_a" 2>/dev/null || true
wait "$uploader" 2>/dev/null || true
acked=$(wc -l <"$T/acked")
((acked >= 10)) || fail "only $acked batches acknowledged before the kill"
for seq in $(seq 1 $((acked + 1))); do  # the acknowledged ones, and the one in flight
  batch "$seq" >"$T/retry.gz"
  reply=$(agent_curl b POST /api/v1/agent/telemetry -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' \
    --data-binary @"$T/retry.gz")
  [[ $reply == 200* ]] || fail "retry of batch $seq through node B: $reply"
  if ((seq <= acked)) && [[ $reply != *'"duplicate":true'* ]]; then
    fail "batch $seq, acknowledged by node A before its SIGKILL, was missing (stored again through B)"
  fi
done
events=$(cli c stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
[[ $events == $(((acked + 1) * 2)) ]] || fail "$events events stored, expected $(((acked + 1) * 2)) (each batch once)"
pass "node A killed with SIGKILL mid-upload: all $acked acknowledged batches present, each batch exactly once ($events events, as node C counts them)"
