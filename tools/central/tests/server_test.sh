#!/usr/bin/env bash
# Integration test of vigil-central with real peers (curl, openssl s_client) and certificates
# from tools/gen-certs: TLS floor, client-certificate requirement, 4xx on bad input while the
# server keeps serving, idempotent telemetry, task long poll + result, file upload/download,
# graceful SIGTERM and persistence across a restart.
# VIGIL_CENTRAL_STORAGE (a YAML mapping for `storage:`) runs it on another engine
# (server_pg_test.sh: PostgreSQL); the default is the SQLite file state/central.db.
set -euo pipefail
build=${VIGIL_BUILD:?run from ctest (VIGIL_BUILD)}
source_dir=${VIGIL_SOURCE:?run from ctest (VIGIL_SOURCE)}
central=$build/bin/vigil-central
T=$(mktemp -d "${TMPDIR:-/tmp}/central_server.$$.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [[ -f $T/server.log ]] && { echo "--- server log" >&2; tail -30 "$T/server.log" >&2; }; exit 1; }
pass() { echo "ok: $*"; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=https://127.0.0.1:$port
token=$(openssl rand -hex 32)  # generated per run: no usable token lives in the repository
agent=7d3f8a2e-0000-4000-8000-0000000$$
agent=${agent:0:36}

"$source_dir/tools/gen-certs" "$T/certs" >/dev/null
certs=$T/certs
(umask 077; echo "$token" >"$T/operator.token")
[[ $(stat -c %a "$certs/client.p12.pass") == 600 ]] || fail "client.p12.pass must be mode 0600"

# Retention on (nothing is old enough to go): the keeper runs its passes beside the requests.
default_storage='{database: state/central.db, files_dir: state/files, retention_days: 30, max_database_gb: 10, retention_check_s: 1}'
storage_yaml=${VIGIL_CENTRAL_STORAGE:-$default_storage}
write_config() {  # write_config REQUIRE_CLIENT_CERT
  cat >"$T/central.yaml" <<YAML
listen: {address: 127.0.0.1, port: $port}
tls:
  certificate: certs/server.crt
  private_key: certs/server.key
  client_ca: certs/ca.crt
  require_client_certificate: $1
storage: $storage_yaml
limits: {max_body_bytes: 65536, max_file_bytes: 16777216}
server: {io_timeout_s: 5}
operators: {tokens: [{name: itest-admin, role: admin, token_file: operator.token}]}
cli: {certificate: certs/client.crt, private_key: certs/client.key}
YAML
}

start_server() {
  "$central" serve --config "$T/central.yaml" >>"$T/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do
    if curl -s -o /dev/null --cacert "$certs/ca.crt" --cert "$certs/client.crt" --key "$certs/client.key" \
      "$url/api/v1/health"; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || fail "server exited at start"
    sleep 0.1
  done
  fail "server did not answer within 30 s"
}

stop_server() {
  kill -TERM "$server_pid"
  local rc=0
  wait "$server_pid" || rc=$?
  server_pid=""
  [[ $rc == 0 ]] || fail "server exit code $rc after SIGTERM"
}

# curl as an agent / operator; prints "STATUS BODY".
# The agent authenticates with its own certificate (enrolled below).
agent_curl() {  # agent_curl METHOD PATH [curl args...]
  local method=$1 path=$2
  shift 2
  curl -sS -o "$T/body" -w '%{http_code}' --cacert "$certs/ca.crt" --cert "$T/agent/agent.crt" --key "$T/agent/agent.key" \
    -X "$method" -H "X-Vigil-Agent-Id: $agent" "$@" "$url$path" && echo " $(cat "$T/body")"
}
op_curl() {  # op_curl METHOD PATH [curl args...]
  local method=$1 path=$2
  shift 2
  curl -sS -o "$T/body" -w '%{http_code}' --cacert "$certs/ca.crt" -X "$method" -H "Authorization: Bearer $token" \
    "$@" "$url$path" && echo " $(cat "$T/body")"
}
expect() {  # expect "STATUS BODY" STATUS [BODY-SUBSTRING] -- what
  local got=$1 status=$2 needle=${3:-}
  [[ ${got%% *} == "$status" ]] || fail "$4: expected HTTP $status, got: $got"
  [[ -z $needle || $got == *"$needle"* ]] || fail "$4: reply lacks '$needle': $got"
  pass "$4 → $status"
}
alive() { expect "$(agent_curl GET /api/v1/health)" 200 '"ok"' "server still serving"; }

cli() { "$central" --server "$url" --ca "$certs/ca.crt" --token-file "$T/operator.token" "$@"; }

# enroll ID DIR [curl args]: a key pair made here (openssl), a CSR, an enrollment token from the
# CLI, and the certificate from POST /api/v1/agent/enroll into DIR/agent.{key,crt}.
enroll() {
  local id=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/agent.key" 2>/dev/null
  openssl req -new -key "$dir/agent.key" -subj "/CN=$id" -out "$dir/agent.csr"
  local enroll_token
  enroll_token=$(cli "$@" enroll create --uses 1 --expires 10m 2>/dev/null) || fail "enroll create failed"
  python3 -c 'import json,sys; print(json.dumps({"agent_id":sys.argv[1],"hostname":"itest-host","csr":open(sys.argv[2]).read()}))' \
    "$id" "$dir/agent.csr" >"$dir/enroll.json"
  curl -sS --cacert "$certs/ca.crt" "${enroll_curl_args[@]}" -H "Authorization: Bearer $enroll_token" \
    -H 'Content-Type: application/json' --data @"$dir/enroll.json" "$url/api/v1/agent/enroll" >"$dir/enroll.reply"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["certificate"], end="")' "$dir/enroll.reply" \
    >"$dir/agent.crt" || fail "enrollment of $id failed: $(cat "$dir/enroll.reply")"
}
enroll_curl_args=()

# ---------------------------------------------------------------- plain TLS (no client cert)
write_config false
start_server
enroll "$agent" "$T/agent"
openssl x509 -in "$T/agent/agent.crt" -noout -ext subjectAltName | grep -q "URI:urn:vigil:agent:$agent" \
  || fail "agent certificate does not name the agent"
if [[ -z ${VIGIL_CENTRAL_STORAGE:-} ]]; then
  [[ $(stat -c %a "$T/state") == 700 && $(stat -c %a "$T/state/central.db") == 600 ]] \
    || fail "state dir / database not private: $(stat -c '%a %n' "$T/state" "$T/state/central.db")"
fi
[[ $(stat -c %a "$T/state/agent-ca/agent-ca.key") == 600 ]] || fail "agent CA key not 0600"
pass "agent enrolled with its own key; state dir 0700, central.db and the agent CA key 0600"

# A second server on the same port fails at start instead of sharing the port.
if timeout 10 "$central" serve --config "$T/central.yaml" >"$T/second.log" 2>&1; then fail "second server started"; fi
grep -q "cannot listen" "$T/second.log" || fail "second server: unclear error: $(cat "$T/second.log")"
pass "second server on the same port refused: $(head -1 "$T/second.log")"

# TLS floor: 1.0/1.1 are refused by the server even when the client offers them.
if echo | openssl s_client -connect "127.0.0.1:$port" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -CAfile "$certs/ca.crt" \
  >"$T/s_client11" 2>&1; then fail "TLS 1.1 handshake succeeded"; fi
grep -qiE "protocol version|no protocols available|alert" "$T/s_client11" || fail "TLS 1.1 refusal unclear: $(tail -3 "$T/s_client11")"
pass "TLS 1.1 refused"
echo | openssl s_client -connect "127.0.0.1:$port" -tls1_2 -CAfile "$certs/ca.crt" -verify_return_error >"$T/s_client12" 2>&1 \
  || fail "TLS 1.2 handshake failed: $(tail -3 "$T/s_client12")"
pass "TLS 1.2 accepted, server certificate verifies against the CA"
# TLS 1.2 only with forward secrecy and AEAD (review L2): a non-PFS and a CBC suite are refused.
for suite in AES128-GCM-SHA256 ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA384; do
  if echo | openssl s_client -connect "127.0.0.1:$port" -tls1_2 -cipher "$suite" -CAfile "$certs/ca.crt" \
    >"$T/s_client_suite" 2>&1; then fail "TLS 1.2 with $suite succeeded"; fi
done
echo | openssl s_client -connect "127.0.0.1:$port" -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -CAfile "$certs/ca.crt" \
  >"$T/s_client_suite" 2>&1 || fail "TLS 1.2 with ECDHE+AESGCM failed: $(tail -3 "$T/s_client_suite")"
echo | openssl s_client -connect "127.0.0.1:$port" -CAfile "$certs/ca.crt" 2>&1 | grep -q "TLSv1.3" \
  || fail "TLS 1.3 is not the default"
pass "TLS 1.3 by default; TLS 1.2 only ECDHE + AEAD (plain RSA and CBC suites refused)"
curl -s -o /dev/null --tls-max 1.1 --cacert "$certs/ca.crt" "$url/api/v1/health" && fail "curl --tls-max 1.1 succeeded"
pass "curl with TLS <= 1.1 refused"
curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/health" && fail "plain HTTP on the TLS port answered"
head -c 4096 /dev/urandom | timeout 5 openssl s_client -connect "127.0.0.1:$port" -quiet >/dev/null 2>&1 || true
alive
grep -q "connection error: .*http request" "$T/server.log" || fail "plain HTTP attempt not logged"
pass "plain HTTP and garbage refused and logged; server keeps serving"

# Operator auth.
expect "$(curl -sS -o "$T/body" -w '%{http_code}' --cacert "$certs/ca.crt" "$url/api/v1/agents"; echo " $(cat "$T/body")")" \
  401 "bearer token" "missing token"
expect "$(curl -sS -o "$T/body" -w '%{http_code}' --cacert "$certs/ca.crt" -H 'Authorization: Bearer wrong-token-000000000' \
  "$url/api/v1/agents"; echo " $(cat "$T/body")")" 401 "invalid bearer token" "bad token"
alive

# Bad agent requests.
sync_body="{\"agent_id\":\"$agent\",\"hostname\":\"itest-host\",\"os\":\"Debian GNU/Linux 12\",\"kernel\":\"$(uname -r)\",\"agent_version\":\"0.1.0\",\"ips\":[\"127.0.0.1\"],\"macs\":[],\"plugins\":{\"kataedr\":{\"state\":\"running\"}},\"isolation\":null,\"drops\":{\"bus\":0},\"spool\":{\"batches\":0,\"bytes\":0},\"time_ns\":1}"
expect "$(agent_curl POST /api/v1/agent/sync -H 'Content-Type: application/json' --data '{"agent_id":')" 400 "malformed JSON" "malformed JSON"
expect "$(agent_curl POST /api/v1/agent/sync -H 'Content-Type: text/plain' --data "$sync_body")" 415 "Content-Type" "wrong content type"
head -c 100000 /dev/zero | tr '\0' 'a' >"$T/big"
expect "$(agent_curl POST /api/v1/agent/sync -H 'Content-Type: application/json' --data-binary @"$T/big")" 413 "limit" "oversize body"
alive
expect "$(op_curl POST /api/v1/tasks -H 'Content-Type: application/json' --data '{nope}')" 400 "malformed JSON" "malformed task JSON"
marker=itest_marker_$$
batch() {  # batch SEQ → gzip'd batch file with 3 events
  printf '{"agent_id":"%s","batch_seq":%s,"events":[' "$agent" "$1"
  printf '{"class_uid":1007,"class_name":"Process Activity","activity_id":1,"activity_name":"Launch","time":%s000,"type":"process","severity_id":1,"metadata":{"product":{"name":"Vigil","vendor_name":"Vigil"},"version":"1.1.0","uid":"%s:1","sequence":1},"device":{"hostname":"itest-host","uid":"%s"},"process":{"pid":4242,"cmd_line":"/bin/echo %s","file":{"path":"/bin/echo"},"user":{"name":"root","uid":0}}},' "$(date +%s)" "$agent" "$agent" "$marker"
  printf '{"class_uid":4001,"activity_name":"Open","time":%s000,"type":"network","src_endpoint":{"ip":"127.0.0.1","port":40000},"dst_endpoint":{"ip":"127.0.0.1","port":443},"connection_info":{"protocol_name":"tcp","direction":"outbound"},"actor":{"process":{"pid":4242,"cmd_line":"curl %s"}}},' "$(date +%s)" "$marker"
  printf '{"class_uid":1001,"activity_name":"Create","time":%s000,"type":"file","file":{"path":"/tmp/%s.txt","name":"%s.txt"}}]}' "$(date +%s)" "$marker" "$marker"
}
batch 1 | gzip >"$T/b1.gz"
expect "$(curl -sS -o "$T/body" -w '%{http_code}' --cacert "$certs/ca.crt" -H "X-Vigil-Agent-Id: $agent" \
  -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' --data-binary @"$T/b1.gz" "$url/api/v1/agent/telemetry"; \
  echo " $(cat "$T/body")")" 401 "agent certificate required" "telemetry with only an X-Vigil-Agent-Id header"
expect "$(agent_curl POST /api/v1/agent/sync -H 'Content-Type: application/json' --data "$sync_body")" 200 sync_period_s "agent sync"
expect "$(agent_curl POST /api/v1/agent/telemetry -H 'Content-Type: application/json' --data-binary @"$T/b1.gz")" \
  415 "gzip" "telemetry without Content-Encoding: gzip"
echo 'not gzip at all' >"$T/bad.gz"
expect "$(agent_curl POST /api/v1/agent/telemetry -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' --data-binary @"$T/bad.gz")" \
  400 "gzip" "corrupt gzip"
alive

# Telemetry: stored once even when retried.
for attempt in 1 2 3; do
  reply=$(agent_curl POST /api/v1/agent/telemetry -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' --data-binary @"$T/b1.gz")
  if [[ $attempt == 1 ]]; then expect "$reply" 200 '"stored":3' "telemetry batch 1"; else expect "$reply" 200 '"duplicate":true' "retry $attempt of batch 1"; fi
done
cli events --agent "$agent" --json >"$T/events.json"
count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["events"]))' "$T/events.json")
[[ $count == 3 ]] || fail "expected 3 stored events, got $count"
pass "retried batch stored once (3 events)"
cli events --text "$marker" --type process | grep -q "/bin/echo $marker" || fail "events --text/--type table lacks the process event"
types=$(cli events --text "$marker" --json | python3 -c 'import json,sys; print(" ".join(e["type"] for e in json.load(sys.stdin)["events"]))')
[[ $types == "process network file" ]] || fail "text search found '$types', expected all three events"
[[ $(cli events --type file --since 10m --limit 5 --json | grep -c "$marker.txt") -ge 1 ]] || fail "type/since query"
pass "events queries by agent, type, time and text"
cli agents | grep -q itest-host || fail "agents table lacks the agent"
# Terminal escapes from agent data (review M4): a hostname and an OS string that would clear
# lines, set the title and write the clipboard are printed as visible escapes.
evil_sync=$(python3 -c 'import json,sys; print(json.dumps({"agent_id":sys.argv[1],"hostname":"web-1\r\x1b[2K\x1b[1A\x1b[2K",
  "os":"\x1b]52;c;cHduZWQ=\x07\u009b31m\x7f","kernel":"6","agent_version":"0.1.0","ips":[],"macs":[],"plugins":{},
  "isolation":None,"drops":{},"spool":{},"time_ns":1}))' "$agent")
expect "$(agent_curl POST /api/v1/agent/sync -H 'Content-Type: application/json' --data "$evil_sync")" 200 sync_period_s "sync with escapes"
cli agents >"$T/agents.txt"
LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$T/agents.txt" && fail "raw control bytes in the agents table: $(od -c "$T/agents.txt" | head)"
grep -qF 'web-1\r\x1b[2K\x1b[1A\x1b[2K' "$T/agents.txt" || fail "hostname not shown escaped: $(cat "$T/agents.txt")"
grep -qF '\x1b]52;c;cHduZWQ=\x07\u009b31m\x7f' "$T/agents.txt" || fail "OS not shown escaped: $(cat "$T/agents.txt")"
expect "$(agent_curl POST /api/v1/agent/sync -H 'Content-Type: application/json' --data "$sync_body")" 200 sync_period_s "agent sync"
pass "control characters (C0, DEL, C1) from agent data are escaped in the agents table"

# Tasks: long poll delivers a task created while it waits; result shows in `task show`.
agent_curl GET "/api/v1/agent/tasks?wait=20" >"$T/poll.out" &
poll_pid=$!
sleep 0.5
task_id=$(cli task create --agent "$agent" ping note=hello --timeout 30)
[[ $task_id =~ ^[0-9a-f]{32}$ ]] || fail "task create printed '$task_id'"
wait "$poll_pid"
grep -q "\"id\":\"$task_id\"" "$T/poll.out" || fail "long poll did not deliver the task: $(cat "$T/poll.out")"
grep -q '"note":"hello"' "$T/poll.out" || fail "task args lost: $(cat "$T/poll.out")"
pass "long poll delivered task $task_id"
expect "$(agent_curl POST "/api/v1/agent/tasks/$task_id/result" -H 'Content-Type: application/json' \
  --data "{\"status\":\"ok\",\"result\":{\"pong\":true,\"agent_id\":\"$agent\"},\"error\":null}")" 200 accepted "task result"
expect "$(agent_curl POST "/api/v1/agent/tasks/$task_id/result" -H 'Content-Type: application/json' \
  --data '{"status":"error","error":"again"}')" 409 "already has a result" "second result"
cli task show "$task_id" --wait 5 --json >"$T/task.json"
grep -q '"state": "done"' "$T/task.json" || fail "task not done: $(cat "$T/task.json")"
grep -q '"pong": true' "$T/task.json" || fail "task result missing"
cli task list | grep -q "$task_id" || fail "task list lacks the task"
pass "task round trip visible in task show/list"
expect "$(op_curl POST /api/v1/tasks -H 'Content-Type: application/json' --data '{"agent_id":"no-such-agent","type":"ping"}')" \
  404 "unknown agent" "task for an unknown agent"

# File upload (streamed, verified) and download.
file_task=$(cli task create --agent "$agent" get_file path=/some/file)
head -c 3000000 /dev/urandom >"$T/payload"
sha=$(sha256sum "$T/payload" | cut -d' ' -f1)
expect "$(agent_curl PUT "/api/v1/agent/tasks/$file_task/file" -H 'Content-Type: application/octet-stream' \
  -H "X-Vigil-Sha256: $sha" --data-binary @"$T/payload")" 409 "not been delivered" "upload before the task was delivered"
agent_curl GET "/api/v1/agent/tasks?wait=0" | grep -q "$file_task" || fail "get_file task not delivered"
expect "$(agent_curl PUT "/api/v1/agent/tasks/$file_task/file" -H 'Content-Type: application/octet-stream' \
  -H "X-Vigil-Sha256: $(printf '0%.0s' {1..64})" --data-binary @"$T/payload")" 422 "sha256 mismatch" "upload with a wrong hash"
expect "$(agent_curl PUT "/api/v1/agent/tasks/$file_task/file" -H 'Content-Type: application/octet-stream' \
  -H "X-Vigil-Sha256: $sha" --data-binary @"$T/payload")" 200 "$sha" "file upload"
expect "$(agent_curl PUT "/api/v1/agent/tasks/$file_task/file" -H 'Content-Type: application/octet-stream' \
  -H "X-Vigil-Sha256: $sha" -H 'Transfer-Encoding: chunked' --data-binary @"$T/payload")" 200 "$sha" "chunked file upload"
head -c 17000000 /dev/zero >"$T/huge"
expect "$(agent_curl PUT "/api/v1/agent/tasks/$file_task/file" -H 'Content-Type: application/octet-stream' \
  -H "X-Vigil-Sha256: $sha" --data-binary @"$T/huge")" 413 "limit" "file over max_file_bytes (Content-Length)"
expect "$(agent_curl PUT "/api/v1/agent/tasks/$file_task/file" -H 'Content-Type: application/octet-stream' \
  -H "X-Vigil-Sha256: $sha" -H 'Transfer-Encoding: chunked' --data-binary @"$T/huge")" 413 "limit" "file over max_file_bytes (chunked)"
[[ $(ls "$T/state/files" | wc -l) == 1 ]] || fail "partial or replaced upload files left behind: $(ls "$T/state/files")"
cli file get "$file_task" "$T/downloaded" 2>"$T/fileget.err" && fail "file get without a result reporting the hash"
grep -q "reports no sha256" "$T/fileget.err" || fail "file get: unclear refusal: $(cat "$T/fileget.err")"
expect "$(agent_curl POST "/api/v1/agent/tasks/$file_task/result" -H 'Content-Type: application/json' \
  --data "{\"status\":\"ok\",\"result\":{\"path\":\"/some/file\",\"sha256\":\"$sha\"}}")" 200 accepted "get_file result"
cli file get "$file_task" "$T/downloaded" >/dev/null
cmp -s "$T/payload" "$T/downloaded" || fail "downloaded file differs"
pass "file get is byte-identical"
alive

stop_server
grep -q "received SIGTERM" "$T/server.log" && grep -q "stopped" "$T/server.log" || fail "no graceful shutdown in log"
pass "SIGTERM: graceful stop, exit code 0"

# ---------------------------------------------------------------- client certificate required
write_config true
start_server
stats=$(cli --cert "$certs/client.crt" --key "$certs/client.key" stats --json)
python3 - "$stats" <<'PY' || fail "data did not survive the restart, or no sizes: $stats"
import json, sys
s = json.loads(sys.argv[1])
st = s["storage"]
assert s["events"] == 3 and st["database_bytes"] > 0 and st["days"], s
assert st["engine"] != "sqlite" or sum(d["events"] for d in st["days"]) == 3, st
PY
cli --cert "$certs/client.crt" --key "$certs/client.key" stats | grep -q '^storage.day: {"day":"' \
  || fail "stats shows no receive day"
pass "stored data survives a restart; stats shows the sizes and the receive days"
if curl -s -o /dev/null --cacert "$certs/ca.crt" "$url/api/v1/health"; then fail "request without client cert accepted"; fi
pass "curl without client certificate refused"
grep -q "peer did not return a certificate" "$T/server.log" || fail "missing client certificate not logged"
printf 'GET /api/v1/health HTTP/1.0\r\n\r\n' | openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$certs/ca.crt" \
  >"$T/s_nocert" 2>&1 || true
grep -qE "HTTP/1.[01] 200" "$T/s_nocert" && fail "openssl s_client without cert got an answer"
pass "openssl s_client without client certificate refused"
printf 'GET /api/v1/health HTTP/1.0\r\n\r\n' | openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$certs/ca.crt" \
  -cert "$certs/client.crt" -key "$certs/client.key" >"$T/s_cert" 2>&1 || true
grep -qE "HTTP/1.[01] 200" "$T/s_cert" || fail "openssl s_client with client cert refused: $(tail -3 "$T/s_cert")"
pass "openssl s_client with client certificate accepted"
other=$T/other-ca
"$source_dir/tools/gen-certs" "$other" >/dev/null
if curl -s -o /dev/null --cacert "$certs/ca.crt" --cert "$other/client.crt" --key "$other/client.key" "$url/api/v1/health"; then
  fail "client cert from another CA accepted"
fi
pass "client certificate from a foreign CA refused"
curl -sS -o /dev/null --cacert "$certs/ca.crt" --cert-type P12 --cert "$certs/client.p12:$(cat "$certs/client.p12.pass")" \
  "$url/api/v1/health" || fail "PKCS#12 client container refused"
pass "PKCS#12 client container (with its password) accepted"
cli --cert "$certs/client.crt" --key "$certs/client.key" agents | grep -q itest-host || fail "CLI with client cert failed"
VIGIL_CENTRAL_CONFIG=$T/central.yaml "$central" agents --json | grep -q itest-host || fail "CLI from --config/env failed"
pass "admin CLI works over mTLS (flags and config file)"
stop_server
echo "PASS: central_server"
