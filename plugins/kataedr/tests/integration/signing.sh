#!/usr/bin/env bash
# Task signing with a real vigild: with task_signing_keys set, a task signed with
# `vigil-central task create --sign-key` runs; an unsigned one, one signed with another key,
# an expired one and one whose args were changed in the central's database after signing
# (a compromised central node) are refused by the agent with a result saying why.
# The agent certificates live 60 s here, so the agent also renews its own (at 2/3 of its
# life) while the test runs and keeps working with the new one.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
kt_require_central
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed" >&2; exit 77; }
vt_init kataedr_signing

kt_certs "$VT_DIR/certs"
keys=$VT_DIR/keys
mkdir -p "$keys"
for k in operator stranger; do
  (umask 077 && openssl genpkey -algorithm ed25519 -out "$keys/$k.key" 2>/dev/null)
  openssl pkey -in "$keys/$k.key" -pubout -out "$keys/$k.pub"
done
port=$(kt_free_port)
export KT_CERT_LIFETIME_S=60
kt_start_central main "$port" "$VT_DIR/certs"
db=$VT_DIR/central-main/central.db
kt_agent_config "$VT_DIR/vigil.yaml" "servers: [\"https://127.0.0.1:$port\"]
server_ca: $VT_DIR/certs/ca.crt
task_poll_wait_s: 2
allowed_tasks: [ping, test_behaviors.*]
task_signing_keys: [$keys/operator.pub]"
kt_start_daemon "$VT_DIR/vigil.yaml"
vt_wait_until 20 kt_status_ok "s.get('connected') and s['tasks']['signed_tasks_required']" ||
  vt_fail "kataedr did not connect: $(kt_status 's')"
agent=$(kt_agent_id)
serial() { kt_status 's["identity"]["serial"]'; }
first_serial=$(serial)
[[ -n $first_serial ]] || vt_fail "no certificate serial in the status: $(kt_status 's')"

signed() { kt_cli main task create --agent "$agent" "$@" --json | vt_json 'd["id"]'; }
error_of() { kt_task_field main "$1" 'd["error"]'; }

t=$(signed ping --sign-key "$keys/operator.key")
[[ $(kt_task_field main "$t" 'd["state"]') == done ]] || vt_fail "signed ping: $(kt_cli main task show "$t" --json)"
t=$(signed test_behaviors.echo '--args={"hello":"signed"}' --sign-key "$keys/operator.key")
[[ $(kt_task_field main "$t" 'd["result"]["hello"]') == signed ]] || vt_fail "signed command: $(kt_cli main task show "$t" --json)"
vt_log "ok: signed tasks run"

t=$(signed ping)
error_of "$t" | grep -q "refused by the agent: the task is not signed" || vt_fail "unsigned: $(error_of "$t")"
t=$(signed ping --sign-key "$keys/stranger.key")
error_of "$t" | grep -q "not one of this agent's task_signing_keys" || vt_fail "other key: $(error_of "$t")"
vt_log "ok: unsigned and other-key tasks refused"

# Expired and tampered tasks are made while the agent is down, so it sees them only later.
vt_stop_daemon || vt_fail "vigild did not stop"
sleep 3  # its last long poll runs out
expired=$(signed ping --sign-key "$keys/operator.key" --sign-expires 1s)
tampered=$(signed test_behaviors.echo '--args={"n":1}' --sign-key "$keys/operator.key")
resigned=$(signed test_behaviors.echo '--args={"n":1}' --sign-key "$keys/operator.key")
retyped=$(signed ping --sign-key "$keys/operator.key")
# A compromised central node edits what it delivers: the args, the signed args text too, the type.
sqlite3 "$db" "UPDATE tasks SET args='{\"n\":2}' WHERE id='$tampered';
  UPDATE tasks SET args='{\"n\":2}', signature=replace(signature, '{\\\"n\\\":1}', '{\\\"n\\\":2}') WHERE id='$resigned';
  UPDATE tasks SET type='test_behaviors.echo' WHERE id='$retyped';" || vt_fail "cannot tamper with the tasks"
sqlite3 "$db" "SELECT signature FROM tasks WHERE id='$resigned'" | grep -q '\\"n\\":2' || vt_fail "signature args not rewritten"
sleep 2
kt_start_daemon "$VT_DIR/vigil.yaml"
error_of "$expired" | grep -q "refused by the agent: the signature expired" || vt_fail "expired: $(error_of "$expired")"
error_of "$tampered" | grep -q "args differ from the signed args" || vt_fail "tampered args: $(error_of "$tampered")"
error_of "$resigned" | grep -q "bad signature" || vt_fail "tampered signed args: $(error_of "$resigned")"
error_of "$retyped" | grep -q "bad signature" || vt_fail "changed type: $(error_of "$retyped")"
vt_log "ok: expired, tampered (args, signed args, type) tasks refused"

# Renewal: before the 60 s certificate expires the agent has a new one and still works.
renewed() { [[ $(serial) != "$first_serial" ]]; }
vt_wait_until 60 renewed || vt_fail "the agent did not renew its certificate: $(kt_status 's["identity"]')"
t=$(signed ping --sign-key "$keys/operator.key")
[[ $(kt_task_field main "$t" 'd["state"]') == done ]] || vt_fail "ping after renewal: $(kt_cli main task show "$t" --json)"
kt_cli main audit --json | python3 -c "
import json,sys
rows=json.load(sys.stdin)['audit']
assert any(r['action']=='agent.renew' and r['outcome']=='ok' and r['target']=='$agent' for r in rows), rows
" || vt_fail "renewal not in the audit log"
vt_log "ok: certificate renewed ($first_serial -> $(serial)) before expiry; the agent keeps working"
vt_pass
