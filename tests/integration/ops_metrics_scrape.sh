#!/usr/bin/env bash
# A running agent (every real plugin, kataedr — the connector to the central node — connected to a real vigil-central)
# and the central node after real traffic (sensor events, a detection, file
# accesses under on-access scanning, telemetry uploads, a task): scraped through
# vigilctl metrics, the loopback listener, the textfile output and central's
# /metrics. Every scrape parses with prometheus_client's parser (and promtool
# when installed) and has every metric docs/metrics.md names.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/kataedr/tests/integration/kataedr_lib.sh"
kt_require_central
vt_init ops_metrics_scrape
[[ $(id -u) == 0 ]] || { vt_log "SKIP: needs root (sensors, fanotify, nftables)"; exit 77; }
# Debian's python3 (python3-prometheus-client), whatever python3 comes first in PATH.
PY=/usr/bin/python3
"$PY" -c 'import prometheus_client' 2>/dev/null || vt_fail "python3-prometheus-client missing (tools/setup installs it)"

kt_certs "$VT_DIR/certs"
port=$(kt_free_port)
metrics_port=$(kt_free_port)
kt_start_central main "$port" "$VT_DIR/certs"
mkdir -p "$VT_DIR/textfile"
cat >"$VT_DIR/vigil.yaml" <<EOF
$(vt_agent_section)
  metrics:
    listen: 127.0.0.1:$metrics_port
    textfile: $VT_DIR/textfile/vigil.prom
    textfile_interval_s: 1
plugins:
  behavior:
    enabled: true
    file_exclude_paths: [/proc, /sys, /dev, /run, "$VIGIL_BUILD"]
  test_source:
    enabled: true
  file_threat:
    enabled: true
    exclusions: ["$VIGIL_BUILD"]
    on_access:
      enabled: true
      mounts: [/]
  ioc_scanner:
    enabled: true
  response:
    enabled: true
  isolation:
    enabled: true
    central_nodes: ["https://127.0.0.1:$port"]
  kataedr:
    enabled: true
    servers: ["https://127.0.0.1:$port"]
    server_ca: $VT_DIR/certs/ca.crt
    max_send_delay_s: 1
    sync_period_s: 2
    task_poll_wait_s: 2
    enrollment_token_file: $VT_DIR/enroll.token
EOF
kt_start_daemon "$VT_DIR/vigil.yaml"
vt_wait_until 20 kt_status_ok "s.get('connected')" || vt_fail "kataedr did not connect: $(kt_status 's')"
for p in behavior file_threat ioc_scanner response isolation kataedr test_source; do
  [[ $(vt_plugin_state $p) == running ]] || vt_fail "$p is $(vt_plugin_state $p)"
done

# --- traffic ---
kt_emit threat 3 scrapetest                   # a rule fires: its detection series appears
kt_emit action_result 1 scrapetest
cp /bin/true "$VT_DIR/exec-me"
for i in 1 2 3; do "$VT_DIR/exec-me"; cat /etc/hostname >/dev/null; done   # exec permission events, process events
kt_task main "$(kt_agent_id)" ping >/dev/null
metric() { vctl metrics | awk -v n="$1" '$1 == n { print $2 }'; }
vt_wait_until 20 bash -c "'$VIGIL_BUILD/bin/vigilctl' --socket '$VT_DIR/vigild.sock' metrics |
  grep -qE '^vigil_uploader_batches_total\{plugin=\"kataedr\",result=\"stored\"\} [1-9]'" || vt_fail "no batch uploaded"
vt_wait_until 20 bash -c "'$VIGIL_BUILD/bin/vigilctl' --socket '$VT_DIR/vigild.sock' metrics |
  grep -qE '^vigil_tasks_total\{plugin=\"kataedr\",result=\"succeeded\"\} [1-9]'" || vt_fail "task not counted"
sleep 2  # one more status and textfile round

# --- scrapes ---
vctl metrics >"$VT_DIR/agent-vigilctl.prom" || vt_fail "vigilctl metrics"
curl -sf "http://127.0.0.1:$metrics_port/metrics" -D "$VT_DIR/headers" -o "$VT_DIR/agent-http.prom" || vt_fail "loopback listener"
grep -qi '^content-type: text/plain; version=0.0.4' "$VT_DIR/headers" || vt_fail "listener content type: $(cat "$VT_DIR/headers")"
cp "$VT_DIR/textfile/vigil.prom" "$VT_DIR/agent-textfile.prom" || vt_fail "no textfile"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$VT_DIR/certs/ca.crt" "https://127.0.0.1:$port/metrics")
[[ $code == 401 ]] || vt_fail "central /metrics without a token answered $code"
curl -sf --cacert "$VT_DIR/certs/ca.crt" -H "Authorization: Bearer $(cat "$VT_DIR/central-main/operator.token")" "https://127.0.0.1:$port/metrics" \
  -o "$VT_DIR/central.prom" || vt_fail "central /metrics with the operator token"

"$PY" "$VIGIL_SOURCE/tests/lib/check_metrics.py" "$VIGIL_SOURCE/docs/metrics.md" agent \
  "$VT_DIR/agent-vigilctl.prom" "$VT_DIR/agent-http.prom" "$VT_DIR/agent-textfile.prom" || vt_fail "agent scrapes"
"$PY" "$VIGIL_SOURCE/tests/lib/check_metrics.py" "$VIGIL_SOURCE/docs/metrics.md" central "$VT_DIR/central.prom" ||
  vt_fail "central scrape"
if command -v promtool >/dev/null; then
  for f in "$VT_DIR"/*.prom; do promtool check metrics <"$f" || vt_fail "promtool: $f"; done
else
  vt_log "promtool not installed: checked with prometheus_client's parser only"
fi

# --- values that follow from the traffic ---
a=$VT_DIR/agent-vigilctl.prom
grep -q '^vigil_detections_total{plugin="test_source",detector="test",rule="test-rule",severity="high"} 3$' "$a" ||
  vt_fail "detections: $(grep vigil_detections_total "$a")"
# Series exist only for rules that fired: none at 0, and test_source fired only
# test-rule (behavior's Sigma rules may also fire on the test's own execs).
awk '$1 ~ /^vigil_detections_total\{/ && $2 + 0 < 1 { bad = 1 } END { exit bad }' "$a" ||
  vt_fail "detection series for rules that never fired: $(grep '^vigil_detections_total{' "$a")"
[[ $(grep -c '^vigil_detections_total{plugin="test_source",' "$a") == 1 ]] ||
  vt_fail "test_source detection series: $(grep '^vigil_detections_total{' "$a")"
grep -qE '^vigil_file_threat_decisions_total\{plugin="file_threat",decision="allow"\} [1-9]' "$a" || vt_fail "no allow decisions"
grep -qE '^vigil_file_threat_decision_duration_seconds_count\{plugin="file_threat"\} [1-9]' "$a" || vt_fail "no decision latency"
grep -qE '^vigil_sensor_events_total\{plugin="behavior",type="process_start"\} [1-9]' "$a" || vt_fail "no process events"
grep -qE '^vigil_uploader_upload_duration_seconds_count\{plugin="kataedr"\} [1-9]' "$a" || vt_fail "no upload latency"
grep -q '^vigil_isolation_active{plugin="isolation"} 0$' "$a" || vt_fail "isolation state"
awk '$1 ~ /^vigil_uploader_last_success_timestamp_seconds/ { exit !($2 > systime() - 60) }' "$a" || vt_fail "last contact"
grep -q '^vigil_watchdog_heartbeat_age_seconds{plugin="file_threat",component="permission_responder"}' "$a" ||
  vt_fail "no permission responder heartbeat"
c=$VT_DIR/central.prom
grep -qE '^vigil_central_ingest_batches_total\{result="stored"\} [1-9]' "$c" || vt_fail "central ingest: $(grep ingest "$c")"
grep -qE '^vigil_central_agents\{state="online"\} 1$' "$c" || vt_fail "central agents: $(grep _agents "$c")"
grep -q 'agent_id\|'"$(kt_agent_id)" "$c" && vt_fail "a per-agent label in central metrics"
vt_log "agent: $(grep -vc '^#' "$a") samples; central: $(grep -vc '^#' "$c") samples"
cp "$a" "$VIGIL_BUILD/sample-agent-scrape.prom" 2>/dev/null || true
cp "$c" "$VIGIL_BUILD/sample-central-scrape.prom" 2>/dev/null || true
vt_pass
