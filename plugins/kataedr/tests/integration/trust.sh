#!/usr/bin/env bash
# Fleet trust with real peers: a real vigild (kataedr) is the victim, curl and openssl are
# the attackers. Every attack of the security review's C1 reproduction is tried — with the
# shared client certificate every endpoint holds (mTLS on), and with another enrolled
# agent's own certificate — and must fail with the right status while the victim's tasks,
# results, files and telemetry stay its own: claiming its tasks, answering them, uploading a
# file for them, telemetry or sync under its id, pre-claiming batch sequence numbers, a
# revoked certificate, replaying an enrollment token past its uses or expiry. The review's C2
# (an admin token is root on every host): raw <plugin>.<verb> passthrough and a quarantine
# restore to a chosen path are refused by the agent. Then operator roles (viewer, responder,
# admin) and the audit log of it all.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
kt_require_central
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed" >&2; exit 77; }
vt_init kataedr_trust

certs=$VT_DIR/certs
kt_certs "$certs"
port=$(kt_free_port)
url=https://127.0.0.1:$port
kt_start_central main "$port" "$certs" true
db=$VT_DIR/central-main/central.db
kt_agent_config "$VT_DIR/vigil.yaml" "servers: [\"$url\"]
server_ca: $certs/ca.crt
mutual_auth: true
client_p12: $certs/client.p12
client_p12_password_file: $certs/client.p12.pass
max_send_delay_s: 1
sync_period_s: 2
task_poll_wait_s: 2
rate_limit_enabled: false
allowed_tasks: [ping, quarantine_restore, test_behaviors.*]"
kt_start_daemon "$VT_DIR/vigil.yaml"
vt_wait_until 20 kt_status_ok "s.get('connected') and s['identity']['enrolled']" ||
  vt_fail "victim did not enroll: $(kt_status 's')"
victim=$(kt_agent_id)
state=$(find "$VT_DIR/state" -name agent.pem -path '*identity*' | head -1)
[[ -n $state && $(stat -c %a "$state") == 600 ]] || vt_fail "agent key file missing or not 0600: $state"
grep -q "PRIVATE KEY" "$state" || vt_fail "no private key in $state"
vt_log "victim $victim enrolled with its own key ($state)"

# HTTP helpers. `shared` holds only the KATA-style shared certificate (root on any endpoint
# has it); `attacker` is another host's enrolled agent with its own certificate.
call() {  # call CERT_PREFIX METHOD PATH [curl args] -> "STATUS BODY"
  local cert=$1 method=$2 path=$3
  shift 3
  curl -sS -o "$VT_DIR/body" -w '%{http_code}' --cacert "$certs/ca.crt" --cert "$cert.crt" --key "$cert.key" \
    -X "$method" "$@" "$url$path" 2>"$VT_DIR/curl.err" && echo " $(cat "$VT_DIR/body")"
}
expect() {  # expect "STATUS BODY" STATUS what
  [[ ${1%% *} == "$2" ]] || vt_fail "$3: expected HTTP $2, got: $1 $(cat "$VT_DIR/curl.err" 2>/dev/null)"
  vt_log "ok: $3 → $2"
}
enroll_curl() {  # enroll_curl ID PREFIX TOKEN -> "STATUS BODY" (certificate in PREFIX.crt on success)
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2.key" 2>/dev/null
  openssl req -new -key "$2.key" -subj "/CN=$1" -out "$2.csr"
  python3 -c 'import json,sys; print(json.dumps({"agent_id":sys.argv[1],"hostname":"evil","csr":open(sys.argv[2]).read()}))' \
    "$1" "$2.csr" >"$2.json"
  local out
  out=$(call "$certs/client" POST /api/v1/agent/enroll -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
    --data @"$2.json")
  [[ ${out%% *} == 200 ]] && python3 -c 'import json,sys; print(json.loads(sys.argv[1].split(" ",1)[1])["certificate"], end="")' \
    "$out" >"$2.crt"
  echo "$out"
}
shared=$certs/client
attacker=$VT_DIR/attacker
token1=$(kt_cli main enroll create --uses 1 --expires 10m 2>/dev/null)
expect "$(enroll_curl evil-host "$attacker" "$token1")" 200 "attacker enrolls its own host (token use 1 of 1)"

# --- enrollment tokens: no replay past their uses or expiry; no take-over of an id ------------
expect "$(enroll_curl evil-2 "$VT_DIR/e2" "$token1")" 401 "enrollment token replayed past its uses"
token2=$(kt_cli main enroll create --uses 5 --expires 10m 2>/dev/null)
expect "$(enroll_curl "$victim" "$VT_DIR/e3" "$token2")" 409 "enrolling the victim's id with a valid token"
sqlite3 "$db" "UPDATE enrollment_tokens SET expires_ns = 1 WHERE uses = 0 AND max_uses = 5" || vt_fail "cannot age the token"
expect "$(enroll_curl evil-3 "$VT_DIR/e4" "$token2")" 401 "enrollment token past its expiry"

# --- the C1 attacks, while the victim is down so its tasks wait for it ------------------------
vt_stop_daemon || vt_fail "vigild did not stop"
sleep 3  # its last long poll runs out
ping_task=$(kt_task main "$victim" ping)
payload=$VT_DIR/evidence.bin
head -c 200000 /dev/urandom >"$payload"
cp "$payload" "$VT_DIR/evidence.copy"
file_task=$(kt_task main "$victim" test_behaviors.echo "{\"upload_file\":\"$VT_DIR/evidence.copy\",\"upload_file_delete\":true}")
H=(-H 'Content-Type: application/json')
expect "$(call "$shared" GET '/api/v1/agent/tasks?wait=0' -H "X-Vigil-Agent-Id: $victim")" 401 "claim the victim's tasks (shared cert + header)"
expect "$(call "$attacker" GET '/api/v1/agent/tasks?wait=0' -H "X-Vigil-Agent-Id: $victim")" 403 "claim the victim's tasks (own cert, victim's header)"
own=$(call "$attacker" GET '/api/v1/agent/tasks?wait=0')
expect "$own" 200 "attacker polls as itself"
[[ $own != *"$ping_task"* && $own != *"$file_task"* ]] || vt_fail "attacker's poll returned the victim's tasks: $own"
for task in "$ping_task" "$file_task"; do
  expect "$(call "$attacker" POST "/api/v1/agent/tasks/$task/result" "${H[@]}" --data '{"status":"ok","result":{"isolated":true}}')" 404 "answer the victim's task $task"
  expect "$(call "$shared" POST "/api/v1/agent/tasks/$task/result" -H "X-Vigil-Agent-Id: $victim" "${H[@]}" --data '{"status":"ok"}')" 401 "answer it with the shared cert"
done
echo "forged evidence" >"$VT_DIR/evil.doc"
evil_sha=$(sha256sum "$VT_DIR/evil.doc" | cut -c1-64)
expect "$(call "$attacker" PUT "/api/v1/agent/tasks/$file_task/file" -H 'Content-Type: application/octet-stream' \
  -H "X-Vigil-Sha256: $evil_sha" --data-binary @"$VT_DIR/evil.doc")" 404 "upload forged evidence for the victim's task"
expect "$(call "$shared" PUT "/api/v1/agent/tasks/$file_task/file" -H "X-Vigil-Agent-Id: $victim" -H 'Content-Type: application/octet-stream' \
  -H "X-Vigil-Sha256: $evil_sha" --data-binary @"$VT_DIR/evil.doc")" 401 "upload it with the shared cert"
spoof="{\"agent_id\":\"$victim\",\"hostname\":\"pwned\",\"isolation\":{\"active\":true}}"
expect "$(call "$attacker" POST /api/v1/agent/sync "${H[@]}" --data "$spoof")" 403 "heartbeat spoof / inventory overwrite"
expect "$(call "$shared" POST /api/v1/agent/sync -H "X-Vigil-Agent-Id: $victim" "${H[@]}" --data "$spoof")" 401 "heartbeat spoof with the shared cert"
batch() { printf '{"agent_id":"%s","batch_seq":%d,"events":[]}' "$1" "$2" | gzip; }
next_seq=$(( $(kt_cli main stats --json | vt_json 'd["batches"]') + 1 ))
for s in $(seq "$next_seq" $((next_seq + 40))); do
  batch "$victim" "$s" >"$VT_DIR/b.gz"
  r=$(call "$attacker" POST /api/v1/agent/telemetry "${H[@]}" -H 'Content-Encoding: gzip' --data-binary @"$VT_DIR/b.gz")
  [[ ${r%% *} == 403 ]] || vt_fail "pre-claiming the victim's batch_seq $s: $r"
  batch "$victim" "$s" >"$VT_DIR/b.gz"
  r=$(call "$shared" POST /api/v1/agent/telemetry -H "X-Vigil-Agent-Id: $victim" "${H[@]}" -H 'Content-Encoding: gzip' --data-binary @"$VT_DIR/b.gz")
  [[ ${r%% *} == 401 ]] || vt_fail "pre-claiming with the shared cert, seq $s: $r"
done
vt_log "ok: 41 batch_seq pre-claims under the victim's id refused (403 own cert, 401 shared cert)"
for s in $(seq 1 60); do  # the attacker's own sequence numbers are its own business
  batch evil-host "$s" >"$VT_DIR/b.gz"
  r=$(call "$attacker" POST /api/v1/agent/telemetry "${H[@]}" -H 'Content-Encoding: gzip' --data-binary @"$VT_DIR/b.gz")
  [[ ${r%% *} == 200 ]] || vt_fail "attacker's own batch $s: $r"
done
vt_log "ok: attacker's own batches 1..60 stored under its own id"

# --- the victim comes back: its tasks, results, file and telemetry are its own ---------------
kt_start_daemon "$VT_DIR/vigil.yaml"
vt_wait_until 20 kt_status_ok "s.get('connected')" || vt_fail "victim did not reconnect"
[[ $(kt_task_field main "$ping_task" 'd["result"]["agent_id"]') == "$victim" ]] ||
  vt_fail "ping not answered by the victim: $(kt_cli main task show "$ping_task" --json)"
[[ $(kt_task_field main "$file_task" 'd["state"]') == done ]] || vt_fail "file task: $(kt_cli main task show "$file_task" --json)"
kt_cli main file get "$file_task" "$VT_DIR/evidence.back" >/dev/null || vt_fail "file get failed"
cmp -s "$payload" "$VT_DIR/evidence.back" || vt_fail "the downloaded evidence is not the victim's file"
m="trust$$x"
kt_emit process_start 7 "$m"
kt_wait_events main "$m" 7 30 || vt_fail "the victim's telemetry did not arrive (sequence numbers pre-claimed?)"
kt_cli main agents --json | python3 -c "
import json,sys
a=[x for x in json.load(sys.stdin)['agents'] if x['agent_id']=='$victim'][0]
assert a['hostname'] != 'pwned', a
" || vt_fail "the victim's inventory was overwritten"
vt_log "ok: victim's tasks answered by it, its evidence intact, its 7 events stored, its inventory untouched"

# --- C2: even an admin token (or a compromised central node) cannot run raw commands ---------
refused() {  # refused TYPE ARGS WHY
  local t
  t=$(kt_task main "$victim" "$1" "$2") || vt_fail "task create $1"
  kt_task_field main "$t" 'd["error"]' | grep -qF "refused by the agent: $3" ||
    vt_fail "$1 was not refused ($3): $(kt_cli main task show "$t" --json)"
  vt_log "ok: $1 refused by the agent: $3"
}
refused response.run_process '{"args":["/bin/sh","-c","id >/tmp/owned"]}' 'task type "response.run_process" is not in'
refused agent.quarantine_restore '{"id":"0","path":"/etc/ld.so.preload","overwrite":true}' 'task type "agent.quarantine_restore" is not in'
refused quarantine_restore '{"id":"0","path":"/etc/ld.so.preload"}' 'quarantine_restore to a chosen "path" is not allowed'

# --- revocation: refused at the handshake, pending tasks cancelled ---------------------------
kt_cli main agents revoke evil-host >/dev/null || vt_fail "revoke failed"
if curl -sS -o /dev/null --cacert "$certs/ca.crt" --cert "$attacker.crt" --key "$attacker.key" \
  "$url/api/v1/agent/tasks?wait=0" 2>"$VT_DIR/revoked.err"; then vt_fail "revoked certificate accepted"; fi
printf 'GET /api/v1/health HTTP/1.0\r\n\r\n' | openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$certs/ca.crt" \
  -cert "$attacker.crt" -key "$attacker.key" >"$VT_DIR/s_revoked" 2>&1 || true
grep -qE "HTTP/1.[01] 200" "$VT_DIR/s_revoked" && vt_fail "openssl s_client with the revoked certificate got an answer"
grep -qi "revoked" "$VT_DIR/s_revoked" "$VT_DIR/revoked.err" || vt_fail "refusal does not say revoked: $(cat "$VT_DIR/revoked.err")"
expect "$(call "$shared" POST /api/v1/tasks -H "Authorization: Bearer $(cat "$VT_DIR/central-main/operator.token")" "${H[@]}" \
  --data '{"agent_id":"evil-host","type":"ping"}')" 409 "task for the revoked agent"
vt_log "ok: revoked certificate refused at the TLS handshake ($(grep -oi 'alert certificate revoked' "$VT_DIR/s_revoked" | head -1))"

# --- operator roles, then the audit log of the whole run -------------------------------------
for role in viewer responder; do
  (umask 077 && kt_cli main operator add "$role-op" --role "$role" >"$VT_DIR/$role.token" 2>/dev/null) || vt_fail "operator add $role"
done
op() { "$KT_CENTRAL" --config "$KT_CENTRAL_CFG_main" --token-file "$VT_DIR/$1.token" "${@:2}"; }
op viewer agents >/dev/null || vt_fail "a viewer cannot list agents"
op viewer task create --agent "$victim" ping 2>"$VT_DIR/viewer.err" && vt_fail "a viewer created a task"
grep -q "HTTP 403" "$VT_DIR/viewer.err" || vt_fail "viewer refusal: $(cat "$VT_DIR/viewer.err")"
op responder task create --agent "$victim" run_process --args '{"args":["/bin/id"]}' 2>"$VT_DIR/resp.err" && vt_fail "a responder created run_process"
grep -q "needs admin" "$VT_DIR/resp.err" || vt_fail "responder refusal: $(cat "$VT_DIR/resp.err")"
rt=$(op responder task create --agent "$victim" ping) || vt_fail "a responder cannot create ping"
[[ $(kt_task_field main "$rt" 'd["state"]') == done ]] || vt_fail "responder's ping"
kt_cli main audit >"$VT_DIR/audit.txt" || vt_fail "audit failed"
kt_cli main audit --json >"$VT_DIR/audit.json"
python3 - "$VT_DIR/audit.json" "$victim" <<'PY' || vt_fail "audit log incomplete: $(cat "$VT_DIR/audit.txt")"
import json, sys
rows = json.load(open(sys.argv[1]))["audit"]
victim = sys.argv[2]
def has(action, outcome, **kw):
    ok = any(r["action"] == action and r["outcome"].startswith(outcome) and all(r[k] == v for k, v in kw.items()) for r in rows)
    assert ok, (action, outcome, kw)
has("agent.enroll", "ok", target="evil-host")
has("agent.enroll", "denied: invalid or expired enrollment token")
has("agent.enroll", "failed: agent " + victim + " is already enrolled")
has("agent.identity", "denied", actor="agent:evil-host", target=victim)
has("agent.revoke", "ok", target="evil-host")
has("operator.add", "ok", target="viewer-op")
has("task.create", "denied: operator viewer-op has role viewer", actor="viewer-op")
has("task.create", "denied: operator responder-op has role responder; this needs admin", actor="responder-op")
has("task.create", "ok", actor="responder-op")
has("file.download", "ok", target=[r for r in rows if r["action"] == "file.download"][0]["target"])
assert all(r["source"] for r in rows)
PY
cat "$VT_DIR/audit.txt" >&2
[[ -n $(kt_cli main audit --operator viewer-op --json | vt_json 'd["audit"]') ]] || vt_fail "audit --operator"
vt_pass
