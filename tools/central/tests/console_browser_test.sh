#!/usr/bin/env bash
# The web console in a real browser: Debian's chromium driven by playwright-core (from the
# committed package-lock.json, no browser download) against a real vigil-central and a real
# enrolled agent whose host name and command lines carry XSS payloads. browser/console.mjs
# has the scenario; screenshots of every screen are kept in $VIGIL_CONSOLE_SHOTS (default:
# <build>/test-artifacts/console).
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/kataedr/tests/integration/kataedr_lib.sh"
kt_require_central
vt_init console_browser

skip() { echo "SKIP: $*" >&2; exit 77; }
[[ -x /usr/bin/chromium ]] || skip "/usr/bin/chromium is not installed (tools/setup installs it)"
command -v node >/dev/null && command -v npm >/dev/null || skip "node/npm not installed"
(( EUID == 0 )) || skip "needs root (a UTS namespace gives the agent its hostile host name)"

# playwright-core exactly as locked; a failing install is a failure unless the registry is
# unreachable.
here=$(cd "$(dirname "$0")" && pwd)
node_dir=$VIGIL_BUILD/console-browser-node
mkdir -p "$node_dir"
cp "$here/browser/package.json" "$here/browser/package-lock.json" "$here/browser/console.mjs" "$node_dir/"
if ! (cd "$node_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund >"$VT_DIR/npm.log" 2>&1); then
  timeout 20 npm ping >/dev/null 2>&1 || skip "npm registry unreachable: cannot install playwright-core"
  cat "$VT_DIR/npm.log" >&2
  vt_fail "npm ci of playwright-core failed"
fi

kt_certs "$VT_DIR/certs"
port=$(kt_free_port)
kt_start_central web "$port" "$VT_DIR/certs"
admin_token=$(cat "$VT_DIR/central-web/operator.token")
viewer_token=$(kt_cli web operator add analyst --role viewer 2>/dev/null) || vt_fail "operator add failed"

# The agent runs in its own UTS namespace whose host name is an XSS payload.
xss_host='<img src=x onerror=window.__xss=1>'
marker='vigilxss <script>window.__xss=2</script> javascript:window.__xss=3'
victim=$VT_DIR/evidence.bin
head -c 5000 /dev/urandom >"$victim"
# Fast sends, syncs and polls; plus the response plugin (get_file, delete_file).
settings="servers: [\"https://127.0.0.1:$port\"]
server_ca: $VT_DIR/certs/ca.crt
task_poll_wait_s: 2
sync_period_s: 2
max_send_delay_s: 1"
kt_agent_config "$VT_DIR/vigil.yaml" "$settings"
printf '  response:\n    enabled: true\n' >>"$VT_DIR/vigil.yaml"
cat >"$VT_DIR/run-agent.sh" <<EOS
#!/bin/bash
printf '%s' '$xss_host' >/proc/sys/kernel/hostname
exec "$VIGIL_BUILD/bin/vigild" --config "$VT_DIR/vigil.yaml"
EOS
chmod 0755 "$VT_DIR/run-agent.sh"
unshare --uts "$VT_DIR/run-agent.sh" >>"$VT_DIR/vigild.log" 2>&1 &
VT_VIGILD_PID=$!
vt_track_pid "$VT_VIGILD_PID"
vt_wait_until 20 vctl status || vt_fail "vigild did not come up: $(tail -5 "$VT_DIR/vigild.log")"
vt_wait_until 20 kt_status_ok "s.get('connected')" || vt_fail "kataedr did not connect: $(kt_status 's')"
agent=$(kt_agent_id)
kt_emit process_start 3 "$marker"
kt_emit threat 1 "$marker"
kt_wait_events web vigilxss 4 20 || vt_fail "the agent's events did not arrive"

shots=${VIGIL_CONSOLE_SHOTS:-$VIGIL_BUILD/test-artifacts/console}
mkdir -p "$shots"
export CONSOLE_URL="https://127.0.0.1:$port" ADMIN_TOKEN=$admin_token VIEWER_TOKEN=$viewer_token
export AGENT_ID=$agent XSS_HOST=$xss_host MARKER=$marker VICTIM=$victim SHOTS=$shots
export PROFILE_DIR=$VT_DIR/chromium-profile
(cd "$node_dir" && timeout 240 node console.mjs) || vt_fail "browser scenario failed (screenshots in $shots)"
[[ ! -e $victim ]] || vt_fail "delete_file from the console did not delete $victim"
vt_log "screenshots: $(cd "$shots" && ls | tr '\n' ' ')"
vt_pass
