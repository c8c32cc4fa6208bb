#!/usr/bin/env bash
# kataedr with three vigil-central nodes on one PostgreSQL (a private cluster, pg_cluster.sh):
# the agent is configured with A and B and talks to the first; C is a node the agent never
# talks to (an operator's): a task created through C wakes the agent's long poll on A within
# seconds (LISTEN/NOTIFY, not the 20 s poll timeout); node A is killed with
# SIGKILL while events are on their way; the agent carries on through node B: every event
# arrives exactly once (the batches A acknowledged are not stored again, the ones it did not
# are retried through B), new events go to B, and tasks created through the survivor and
# through C reach the agent and their results are stored. Exit 77 when vigil-central or a cluster is missing.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
source "$VIGIL_SOURCE/tools/central/tests/pg_cluster.sh"
kt_require_central
vt_init kataedr_failover_pg
vt_on_exit pg_cluster_stop
pg_cluster_start || vt_fail "cannot start the private PostgreSQL cluster"
db=$(pg_cluster_database central)

kt_certs "$VT_DIR/certs"
# One database and one files_dir for both nodes (the agent CA is shared by kataedr_lib).
KT_CENTRAL_STORAGE_YAML="{engine: postgresql, url: '$db', files_dir: $VT_DIR/files, connections: 4}"
port_a=$(kt_free_port)
port_b=$(kt_free_port)
port_c=$(kt_free_port)
kt_start_central a "$port_a" "$VT_DIR/certs"  # first: migrates the schema, makes the enrollment token
kt_start_central b "$port_b" "$VT_DIR/certs"
kt_start_central c "$port_c" "$VT_DIR/certs"
kt_agent_config "$VT_DIR/vigil.yaml" "servers: [\"https://127.0.0.1:$port_a\", \"https://127.0.0.1:$port_b\"]
server_ca: $VT_DIR/certs/ca.crt
max_send_delay_s: 1
task_poll_wait_s: 20
rate_limit_enabled: false"
kt_start_daemon "$VT_DIR/vigil.yaml"
agent=$(kt_agent_id)

m1="ktpg1$$x"
kt_emit file 40 "$m1"
kt_wait_events b "$m1" 40 30 || vt_fail "events through node A are not in the shared database (read through B)"
vt_wait_until 10 kt_status_ok "s.get('server')=='https://127.0.0.1:$port_a' and s.get('connected')" ||
  vt_fail "the agent does not talk to node A, the first server: $(kt_status 's')"
vt_log "agent $agent on node A; 40 events stored"

# task_through NODE LABEL: a ping created through NODE is answered by the agent well before
# its 20 s long poll would have ended on its own (so the other node woke it).
task_through() {
  local started=$SECONDS t
  t=$(kt_task "$1" "$agent" ping)
  [[ $(kt_task_field "$1" "$t" 'd["state"]') == done ]] || vt_fail "task through node $1 not done: $(kt_cli "$1" task show "$t" --json)"
  [[ $(kt_task_field "$1" "$t" 'd["result"]["pong"]') == True ]] || vt_fail "ping result through node $1"
  ((SECONDS - started < 10)) || vt_fail "task through node $1 took $((SECONDS - started)) s: the poll on $2 was not woken"
  vt_log "task $t created through node $1 answered by the agent polling $2 in $((SECONDS - started)) s"
}
task_through c A

# SIGKILL node A with events in flight: the first half acknowledged by A (some of it seen
# stored), the second half emitted right before the kill (not sent yet, or sent unanswered).
m2="ktpg2$$x"
kt_emit file 150 "$m2"
m2_stored() { (($(kt_count_events b "$m2") > 0)); }
vt_wait_until 20 m2_stored || vt_fail "node A stored none of the first half"
kt_emit file 150 "$m2"
before_kill=$(kt_count_events b "$m2")
kill -KILL "$KT_CENTRAL_PID_a"
wait "$KT_CENTRAL_PID_a" 2>/dev/null || true
KT_CENTRAL_PID_a=""
kt_wait_events b "$m2" 300 60 ||
  vt_fail "after node A's SIGKILL the 300 events are not all there exactly once (through B)"
[[ $(kt_count_events b "$m1") == 40 ]] || vt_fail "events acknowledged before the kill were lost or duplicated"
vt_wait_until 20 kt_status_ok "s.get('server')=='https://127.0.0.1:$port_b' and s.get('connected')" ||
  vt_fail "status does not show node B after the failover: $(kt_status 's')"
vt_log "node A killed with $before_kill of 300 events stored: all 300 arrived exactly once, the agent is on node B"

m3="ktpg3$$x"
kt_emit network 25 "$m3"
kt_wait_events b "$m3" 25 30 network || vt_fail "new events did not go through node B"

# Tasks created through the survivor and through C reach the agent (its long poll is on B now).
task_through b B
task_through c B
vt_pass
