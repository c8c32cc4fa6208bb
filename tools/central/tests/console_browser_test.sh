#!/usr/bin/env bash
# The web console in a real browser: Debian's chromium driven by playwright-core (from the
# committed package-lock.json, no browser download) against a real vigil-central and a real
# enrolled agent whose host name and command lines carry XSS payloads. The agent runs in its
# own network namespace (and cgroup) joined to this one by a veth pair, so isolating it from
# the console cuts only that namespace; vigil-central listens on the veth address.
# browser/console.mjs has the scenario; screenshots of every screen are kept in
# $VIGIL_CONSOLE_SHOTS (default: <build>/test-artifacts/console).
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/kataedr/tests/integration/kataedr_lib.sh"
source "$VIGIL_SOURCE/tests/lib/playwright.sh"
kt_require_central
vt_init console_browser

skip() { echo "SKIP: $*" >&2; exit 77; }
vt_playwright_require
(( EUID == 0 )) || skip "needs root (network and UTS namespaces for the agent)"
CG_MOUNT=$(findmnt -n -t cgroup2 -o TARGET | head -1)
[[ -n $CG_MOUNT ]] || skip "no cgroup v2 hierarchy (the isolation plugin needs one)"

here=$(cd "$(dirname "$0")" && pwd)
node_dir=$VIGIL_BUILD/console-browser-node
vt_playwright_install "$node_dir" "$here/browser/console.mjs"

# The agent's namespace: veth HOST_IP (here, vigil-central and a TCP peer) <-> NS_IP (agent).
NS=cb_$$ HV=cb$$h NV=cb$$n
NET="10.216.$(($$ % 250))"
HOST_IP=$NET.1 NS_IP=$NET.2
vt_netns_veth "$NS" "$HV" "$NV"
ip addr add "$HOST_IP/30" dev "$HV" && ip link set "$HV" up
ip -n "$NS" addr add "$NS_IP/30" dev "$NV" && ip -n "$NS" link set "$NV" up && ip -n "$NS" link set lo up
CG=vigil_console_browser_$$
mkdir "$CG_MOUNT/$CG" || vt_fail "cannot create cgroup $CG"
vt_on_exit "rmdir $CG_MOUNT/$CG"
NETTOOL=$VIGIL_SOURCE/plugins/isolation/tests/integration/nettool.py
peer_port=$(kt_free_port)
/usr/bin/python3 "$NETTOOL" listen "$HOST_IP" "$peer_port" >>"$VT_DIR/peer.log" 2>&1 &
vt_track_pid $!
reach_peer() { ip netns exec "$NS" /usr/bin/python3 "$NETTOOL" connect "$HOST_IP" "$peer_port" 2 >/dev/null 2>&1; }
vt_wait_until 10 reach_peer || vt_fail "the agent namespace cannot reach $HOST_IP:$peer_port before any isolation"

"$KT_GEN_CERTS" "$VT_DIR/certs" central.vigil.test "$HOST_IP" >/dev/null || vt_fail "gen-certs failed"
port=$(kt_free_port)
KT_CENTRAL_ADDRESS=$HOST_IP kt_start_central web "$port" "$VT_DIR/certs"
admin_token=$(cat "$VT_DIR/central-web/operator.token")
viewer_token=$(kt_cli web operator add analyst --role viewer 2>/dev/null) || vt_fail "operator add failed"

# The agent runs in its own UTS namespace whose host name is an XSS payload.
xss_host='<img src=x onerror=window.__xss=1>'
marker='vigilxss <script>window.__xss=2</script> javascript:window.__xss=3'
victim=$VT_DIR/evidence.bin
head -c 5000 /dev/urandom >"$victim"
# Fast sends, syncs and polls; plus the response plugin (get_file, delete_file).
settings="servers: [\"https://$HOST_IP:$port\"]
server_ca: $VT_DIR/certs/ca.crt
task_poll_wait_s: 2
sync_period_s: 2
max_send_delay_s: 1"
# The real behavior plugin reports the command the test runs for the process tree (eBPF:
# the proc connector works only in the initial network namespace); its own detections are
# off so the detections screen shows the planted one. Planted events and event counts go
# through console_events.py, which takes the marker from the environment: a marker in any
# command line would be reported by the sensor as one more matching event.
{
  vt_agent_section
  echo "plugins:"
  printf '  behavior:\n    enabled: true\n    sensor: ebpf\n    detection: false\n'
  printf '    file_events: false\n    network_events: false\n'
  printf '  test_source:\n    enabled: true\n'
  kt_kataedr_section "$settings"
} >"$VT_DIR/vigil.yaml"
printf '  response:\n    enabled: true\n  ioc_scanner:\n    enabled: true\n' >>"$VT_DIR/vigil.yaml"
cat >>"$VT_DIR/vigil.yaml" <<EOS
  isolation:
    enabled: true
    table: vigil_iso_cb_$$
    central_nodes: ["https://$HOST_IP:$port"]
    self_test: false
EOS
# A file for the IOC scan to find, and an OpenIOC 1.1 document naming its SHA-256.
mkdir -p "$VT_DIR/ioc-target" && head -c 3000 /dev/urandom >"$VT_DIR/ioc-target/planted.bin"
sha=$(sha256sum "$VT_DIR/ioc-target/planted.bin" | cut -d' ' -f1)
cat >"$VT_DIR/match.ioc" <<IOC
<?xml version="1.0" encoding="utf-8"?>
<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="console-ioc-$$"><metadata><short_description>CONSOLE PLANTED</short_description><authored_date>2024-01-01T00:00:00Z</authored_date></metadata><criteria><Indicator operator="OR" id="r"><IndicatorItem id="s" condition="is" preserve-case="false" negate="false"><Context document="FileItem" search="FileItem/Sha256sum" type="mir"/><Content type="sha256">$sha</Content></IndicatorItem></Indicator></criteria></OpenIOC>
IOC
# In the agent's namespaces: `ip netns exec` gives a fresh /sys without the cgroup mount, so
# cgroup2 is mounted again (the isolation plugin allows the agent by its cgroup).
cat >"$VT_DIR/run-agent.sh" <<EOS
#!/bin/bash
printf '%s' '$xss_host' >/proc/sys/kernel/hostname
mount -t cgroup2 cgroup2 /sys/fs/cgroup
exec "$VIGIL_BUILD/bin/vigild" --config "$VT_DIR/vigil.yaml"
EOS
chmod 0755 "$VT_DIR/run-agent.sh"
sh -c 'echo $$ >"$0/cgroup.procs" && exec ip netns exec "$1" unshare --uts "$2"' "$CG_MOUNT/$CG" "$NS" "$VT_DIR/run-agent.sh" \
  >>"$VT_DIR/vigild.log" 2>&1 &
VT_VIGILD_PID=$!
vt_track_pid "$VT_VIGILD_PID"
vt_wait_until 20 vctl status || vt_fail "vigild did not come up: $(tail -5 "$VT_DIR/vigild.log")"
vt_wait_until 20 kt_status_ok "s.get('connected')" || vt_fail "kataedr did not connect: $(kt_status 's')"
agent=$(kt_agent_id)
EVENTS=$here/console_events.py
CB_TEXT=$marker /usr/bin/python3 "$EVENTS" emit "$VT_DIR/vigild.sock" process_start 3 || vt_fail "emit process_start"
CB_TEXT=$marker /usr/bin/python3 "$EVENTS" emit "$VT_DIR/vigild.sock" threat 1 || vt_fail "emit threat"
central_events() { CB_TEXT=$1 /usr/bin/python3 "$EVENTS" wait "https://$HOST_IP:$port" "$VT_DIR/certs/ca.crt" "$admin_token" "$2" "$3" 30; }
central_events vigilxss "" 4 || vt_fail "the agent's planted events did not arrive"
# A command this test runs, seen by the real sensor: a bash parent whose child is a shell
# (each ends with `true` so neither execs its last command in place).
tree_marker=vigiltree$$
bash -c "sh -c ': $tree_marker-child; sleep 0.3; true'; true" "$tree_marker-parent"
central_events "$tree_marker-parent" process +1 || vt_fail "the parent of the command did not arrive"
central_events "$tree_marker-child" process +2 || vt_fail "the command (parent and child) did not arrive"

shots=${VIGIL_CONSOLE_SHOTS:-$VIGIL_BUILD/test-artifacts/console}
mkdir -p "$shots" && rm -f "$shots"/*.png
export CONSOLE_URL="https://$HOST_IP:$port" ADMIN_TOKEN=$admin_token VIEWER_TOKEN=$viewer_token
export AGENT_ID=$agent XSS_HOST=$xss_host MARKER=$marker VICTIM=$victim SHOTS=$shots
export PROFILE_DIR=$VT_DIR/chromium-profile IOC_FILE=$VT_DIR/match.ioc IOC_DIR=$VT_DIR/ioc-target
export AGENT_NS=$NS NETTOOL PEER_ADDR=$HOST_IP PEER_PORT=$peer_port
export TREE_MARKER=$tree_marker
(cd "$node_dir" && timeout 300 node console.mjs) || vt_fail "browser scenario failed (screenshots in $shots)"
[[ ! -e $victim ]] || vt_fail "delete_file from the console did not delete $victim"
reach_peer || vt_fail "the agent namespace is still cut off after the release from the console"
vt_log "screenshots: $(cd "$shots" && ls | tr '\n' ' ')"
vt_pass
