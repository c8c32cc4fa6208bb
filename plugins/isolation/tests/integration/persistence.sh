#!/usr/bin/env bash
# Isolation outlives the agent and keeps its promises: SIGKILL leaves the
# rules in the kernel, a restart reports the right state, the timeout fires
# (also when it passed while the agent was down), and an isolation whose
# central node cannot be reached is rolled back, and one without contact with
# any central node is released.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
vt_init isolation_persistence
source "$(dirname "$0")/netns_lib.sh"
ISO_TABLE=vigil_iso_$$

iso_topology_up
iso_listen "$NS_CENTRAL" 10.77.1.2 8443
iso_listen "$NS_OTHER" 10.77.3.2 80
iso_wait_listening "$NS_AGENT" 10.77.1.2 8443
iso_wait_listening "$NS_AGENT" 10.77.3.2 80

# config CENTRAL_PORT [EXTRA_SETTING]: the agent's config with one central node.
config() {
  vt_config "$VT_DIR/vigil.yaml" <<EOS
  isolation:
    enabled: true
    table: $ISO_TABLE
    central_nodes: ["10.77.1.2:$1"]
    self_test_timeout_s: 2
    check_interval_ms: 200
    ${2:-}
EOS
}
blocked() { ! iso_tcp "$NS_AGENT" 10.77.3.2 80; }
open_again() { iso_tcp "$NS_AGENT" 10.77.3.2 80; }

config 8443
iso_start_agent "$VT_DIR/vigil.yaml"

# 1. SIGKILL: the kernel keeps the rules; a restart finds and reports them.
vctl isolation on --timeout_s 120 --reason "survive me" >/dev/null || vt_fail "isolation on failed"
blocked || vt_fail "not isolated after on"
iso_kill_agent
iso_table_exists || vt_fail "table gone after SIGKILL"
blocked || vt_fail "isolation lifted by SIGKILL of vigild"
iso_tcp "$NS_AGENT" 10.77.1.2 8443 || vt_fail "central node unreachable while the agent is down"
iso_start_agent "$VT_DIR/vigil.yaml"
vt_wait_until 5 iso_isolated || vt_fail "status after restart is not isolated: $(iso_status)"
iso_status_has '"reason":"survive me"' || vt_fail "reason lost over the restart: $(iso_status)"
remaining=$(iso_status | vt_json 'd["result"]["remaining_s"]')
((remaining > 60 && remaining <= 120)) || vt_fail "remaining time wrong after restart: $remaining"
blocked || vt_fail "not isolated after restart"
vctl isolation off >/dev/null || vt_fail "isolation off failed"
open_again || vt_fail "not released"

# 2. Auto-release at the timeout.
# The clock starts before the command: checking `blocked` first can take
# seconds on a loaded machine, and only a release that is too early matters.
start=$SECONDS
# 15 s leaves the `blocked` probe (a python start) time on a machine with a
# load of 20 (6 s was not enough).
vctl isolation on --timeout_s 15 --reason "short" >/dev/null || vt_fail "isolation on failed"
blocked || vt_fail "not isolated"
vt_wait_until 30 iso_released || vt_fail "timeout did not release: $(iso_status)"
((SECONDS - start >= 14)) || vt_fail "released before its time"
open_again || vt_fail "network not restored after the timeout"
vt_wait_until 5 iso_event_seen expire || vt_fail "no expire event"
iso_table_exists && vt_fail "table left after expiry"

# 3. The timeout passes while the agent is down: released at the next start.
vctl isolation on --timeout_s 2 --reason "expires while down" >/dev/null || vt_fail "isolation on failed"
iso_kill_agent
sleep 3
blocked || vt_fail "released without the agent"
iso_start_agent "$VT_DIR/vigil.yaml"
vt_wait_until 5 iso_released || vt_fail "expired isolation restored at start: $(iso_status)"
open_again || vt_fail "network not restored at start after expiry"

# 4. Nobody listens on the central node's port (8444), but no connector runs
#    either: without an authenticated exchange to judge by, the self-test
#    keeps the isolation (a bare TCP refusal proves nothing); the rollback by
#    a real connector is shown in isolation_agent_only.
vt_stop_daemon || vt_fail "vigild did not stop"
config 8444
iso_start_agent "$VT_DIR/vigil.yaml"
out=$(vctl isolation on --reason "no connector") || vt_fail "isolation on failed: $out"
vt_wait_until 10 iso_status_has '"self_test":"inconclusive"' || vt_fail "self-test not inconclusive: $(iso_status)"
iso_status_has 'no connector to ask' || vt_fail "self-test detail: $(iso_status)"
blocked || vt_fail "isolation not kept after an inconclusive self-test"
iso_event_seen rollback && vt_fail "rolled back without an authenticated exchange"
vctl isolation off >/dev/null || vt_fail "isolation off failed"
open_again || vt_fail "network not restored"

# 5. No contact with any central node (no connector running, self-test off)
#    for contact_loss_release_s: released although the timeout is far away.
vt_stop_daemon || vt_fail "vigild did not stop"
: >"$VT_DIR/events.log"
# 15 s: the `blocked` probe below must run before the release, also on a loaded machine.
config 8443 "contact_loss_release_s: 15"
sed -i 's/self_test_timeout_s: 2/self_test: false/' "$VT_DIR/vigil.yaml"
iso_start_agent "$VT_DIR/vigil.yaml"
vctl isolation on --timeout_s 600 --reason "lonely" >/dev/null || vt_fail "isolation on failed"
blocked || vt_fail "not isolated"
vt_wait_until 30 iso_released || vt_fail "no release after lost contact: $(iso_status)"
vt_wait_until 5 iso_event_seen release || vt_fail "no release event"
grep -q 'no contact with any central node' "$VT_DIR/events.log" || vt_fail "release event without the reason"
open_again || vt_fail "network not restored after lost contact"

vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
