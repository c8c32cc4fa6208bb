#!/usr/bin/env bash
# kataedr, the connector to the central node: the central node is stopped, N uniquely marked events
# are produced, vigild is restarted during the outage, the central node comes
# back -> all N arrive, exactly once, in batch order.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
kt_require_central
vt_init kataedr_outage

kt_main_central
kt_agent_config "$VT_DIR/vigil.yaml" "$(kt_main_servers)
max_send_delay_s: 1
max_batch_events: 100
connect_timeout_s: 2
rate_limit_enabled: false"
kt_start_daemon "$VT_DIR/vigil.yaml"
kt_emit file 5 "ktwarm$$x"
kt_wait_events main "ktwarm$$x" 5 15 || vt_fail "no connection before the outage"

# restart_with_spool N WHAT: restarts vigild, then the spool must hold N events.
restart_with_spool() {
  vt_stop_daemon || vt_fail "vigild did not stop cleanly"
  kt_start_daemon "$VT_DIR/vigil.yaml"
  vt_wait_until 10 kt_status_ok "s['spool']['events']==$1" || vt_fail "$2: $(kt_status 's["spool"]')"
}

kt_stop_central main
m="ktout$$x"
for type in process_start network file; do kt_emit $type 200 "$m"; done
vt_wait_until 15 kt_status_ok "s['spool']['events']==600" || vt_fail "events not spooled during the outage: $(kt_status 's["spool"]')"

restart_with_spool 600 "the spool did not survive the restart"
kt_emit threat 50 "$m"
kt_emit action_result 50 "$m"
# Once kataedr has them (the host discards what is still queued for a plugin
# when it stops), stop() writes batches still waiting for their send delay to
# the spool too.
vt_wait_until 10 kt_status_ok "s['telemetry']['accepted']==100" || vt_fail "events not received: $(kt_status 's["telemetry"]')"
restart_with_spool 700 "spool after the second restart"

kt_start_central main "$KT_PORT" "$VT_DIR/certs"
kt_wait_events main "$m" 700 40 || vt_fail "not all events arrived after the outage"
kt_cli main events --text "$m" --limit 10000 --json | python3 -c "
import json,sys
ev=[e['event'] for e in json.load(sys.stdin)['events']]
uids=[e['metadata']['uid'] for e in ev]
assert len(uids)==700 and len(set(uids))==700, (len(uids), len(set(uids)))
" || vt_fail "events were not stored exactly once"
vt_wait_until 10 kt_status_ok "s['spool']['batches']==0 and s['spool']['dropped_events']==0" ||
  vt_fail "spool not drained: $(kt_status 's["spool"]')"

# A bounded spool: a longer outage overflows spool_max_mb; the oldest batches
# go, their events are counted, reported in the heartbeat, and the rest arrive.
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
sed -i 's/^    rate_limit_enabled: false/    rate_limit_enabled: false\n    spool_max_mb: 0.2/' "$VT_DIR/vigil.yaml"
kt_start_daemon "$VT_DIR/vigil.yaml"
before=$(kt_cli main stats --json | vt_json 'd["events"]')
kt_stop_central main
total=12000
kt_emit file $total "ktbig$$x"
vt_wait_until 30 kt_status_ok "s['spool']['dropped_events']>0 and s['spool']['events']+s['spool']['dropped_events']==$total" ||
  vt_fail "spool bound not applied: $(kt_status 's["spool"]')"
dropped=$(kt_status "s['spool']['dropped_events']")
kt_status_ok "s['spool']['bytes']<=209715" || vt_fail "spool exceeds its bound: $(kt_status 's["spool"]')"
vt_log "spool of 0.2 MiB: $dropped of $total events dropped (oldest first)"
kt_start_central main "$KT_PORT" "$VT_DIR/certs"
vt_wait_until 60 bash -c "[[ \$(\"$KT_CENTRAL\" --config \"$KT_CENTRAL_CFG_main\" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"events\"])') == $((before + total - dropped)) ]]" ||
  vt_fail "expected $((total - dropped)) more events stored, have $(($(kt_cli main stats --json | vt_json 'd["events"]') - before))"
vt_wait_until 10 bash -c "\"$KT_CENTRAL\" --config \"$KT_CENTRAL_CFG_main\" agents --json |
  python3 -c 'import json,sys; a=json.load(sys.stdin)[\"agents\"][0]; sys.exit(0 if a[\"drops\"][\"spool\"]==$dropped else 1)'" ||
  vt_fail "heartbeat does not report the spool drops: $(kt_cli main agents --json)"
vt_pass
