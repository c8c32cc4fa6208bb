#!/usr/bin/env bash
# The isolate action really isolates: vigild runs in its own network
# namespace (so the nftables rules touch nothing else), an IOC matches a
# planted file, the scan asks isolation.on, and the isolation plugin reports
# the host isolated with our reason. Released with `vigilctl isolation off`.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
vt_init ioc_scanner_isolate_action
rj() { python3 -c "import json,sys; d=json.load(sys.stdin); d=d.get('result', d); print($1)"; }

[[ -f $VIGIL_BUILD/plugins/isolation.so ]] || { vt_log "isolation plugin not built; skipping"; vt_pass; }
unshare --net true 2>/dev/null || { vt_log "cannot create a network namespace here; skipping"; vt_pass; }

mkdir -p "$VT_DIR/tree"
echo "dropper" >"$VT_DIR/tree/dropper_$$.bin"
cat >"$VT_DIR/f.ioc" <<IOC
<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="it-isolate-$$"><metadata><short_description>ISOLATE ME</short_description><authored_date>2024-01-01T00:00:00Z</authored_date></metadata><criteria><Indicator operator="OR" id="r"><IndicatorItem id="n" condition="is" preserve-case="false" negate="false"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">dropper_$$.bin</Content></IndicatorItem></Indicator></criteria></OpenIOC>
IOC

vt_config "$VT_DIR/vigil.yaml" <<EOF2
  ioc_scanner:
    enabled: true
    isolation_args: {timeout_s: 600}
  isolation:
    enabled: true
    table: vigil_iso_test_$$
    central_nodes: ["127.0.0.1:9"]
    self_test: false
    contact_loss_release_s: 0
EOF2
# vigild in a private network namespace: its rules cannot affect this machine.
"$VIGIL_BUILD/bin/vigild" --check-config "$VT_DIR/vigil.yaml" >/dev/null 2>&1 || vt_fail "config refused: $("$VIGIL_BUILD/bin/vigild" --check-config "$VT_DIR/vigil.yaml" 2>&1)"
unshare --net sh -c "ip link set lo up; exec '$VIGIL_BUILD/bin/vigild' --config '$VT_DIR/vigil.yaml'" >>"$VT_DIR/vigild.log" 2>&1 &
VT_VIGILD_PID=$!
vt_wait_until 15 vctl status || vt_fail "vigild did not come up"
[[ $(vt_plugin_state isolation) == running ]] || vt_fail "isolation is not running: $(vctl plugins)"

vctl --json --timeout 120 scan ioc "$VT_DIR/f.ioc" --path "$VT_DIR/tree" --actions isolate >"$VT_DIR/r.json" \
  || vt_fail "scan failed: $(cat "$VT_DIR/r.json")"
ok=$(rj '[a["ok"] for a in d["actions"] if a["action"]=="isolate"]' <"$VT_DIR/r.json")
[[ $ok == "[True]" ]] || vt_fail "isolate action: $(cat "$VT_DIR/r.json")"
vctl --json isolation status >"$VT_DIR/st.json" || vt_fail "isolation status failed"
[[ $(rj 'd["isolated"]' <"$VT_DIR/st.json") == True ]] || vt_fail "not isolated: $(cat "$VT_DIR/st.json")"
grep -q "OpenIOC match in scan 1 (IOC it-isolate-$$)" "$VT_DIR/st.json" || vt_fail "reason missing: $(cat "$VT_DIR/st.json")"
vctl isolation off >/dev/null || vt_fail "isolation off failed"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
vt_pass
