# Shared helpers for Vigil integration tests (bash). Source it:
#   source "$VIGIL_SOURCE/tests/lib/vigil.sh"; vt_init my_test
# Everything a test creates is removed on exit, even on failure; only
# processes the test started are stopped, by PID.
set -uo pipefail

VIGIL_SOURCE=${VIGIL_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VIGIL_BUILD=${VIGIL_BUILD:-$VIGIL_SOURCE/build}
VIGIL_CORPUS=${VIGIL_CORPUS:-$(cd "$VIGIL_SOURCE/.." && pwd)/shared/corpus}
VT_NAME=""
VT_DIR=""
VT_VIGILD_PID=""
VT_CLEANUP=()
VT_PIDS=()

vt_log() { echo "[$VT_NAME] $*" >&2; }

vt_fail() {
  vt_log "FAIL: $*"
  if [[ -n $VT_DIR && -f $VT_DIR/vigild.log ]]; then
    vt_log "---- last vigild log lines ----"
    tail -n 40 "$VT_DIR/vigild.log" >&2
  fi
  exit 1
}

vt_pass() { vt_log "PASS"; exit 0; }

# Registers a command run at exit (last registered runs first).
vt_on_exit() { VT_CLEANUP+=("$1"); }

# Remembers a background process started by the test so cleanup stops it.
vt_track_pid() { VT_PIDS+=("$1"); }

# _vt_kill_tree PID: SIGTERM to a process the test started and to everything
# it started. Wrappers (pyenv's python3 shim, `ip netns exec`, sh -c) leave the
# real program as a child; an orphan keeps ctest's output pipe open and the
# test "times out" after it passed.
_vt_kill_tree() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do _vt_kill_tree "$child"; done
  kill -TERM "$1" 2>/dev/null || true
}

_vt_cleanup() {
  local rc=$?
  local i
  for ((i = ${#VT_CLEANUP[@]} - 1; i >= 0; i--)); do eval "${VT_CLEANUP[$i]}" >/dev/null 2>&1 || true; done
  if [[ -n $VT_VIGILD_PID ]] && kill -0 "$VT_VIGILD_PID" 2>/dev/null; then
    kill -TERM "$VT_VIGILD_PID" 2>/dev/null; sleep 0.5; kill -KILL "$VT_VIGILD_PID" 2>/dev/null || true
  fi
  for p in "${VT_PIDS[@]}"; do _vt_kill_tree "$p"; done
  if [[ -n $VT_DIR && -d $VT_DIR && ${VT_KEEP:-0} != 1 ]]; then rm -rf "$VT_DIR"; fi
  exit $rc
}

vt_init() {
  VT_NAME=$1
  VT_DIR=$(mktemp -d "/tmp/vigil-test-$1.XXXXXX")
  chmod 0755 "$VT_DIR"
  # A pyenv shim on PATH costs seconds per call on a loaded machine and runs the
  # interpreter as its child, so `python3 ... &` gives the shim's PID: signals
  # never reach the program and orphans hold ctest's pipe open. A shell function
  # has the same flaw (a background function is a subshell). The tests need only
  # the standard library: put Debian's interpreter itself first on PATH.
  if [[ -x /usr/bin/python3 ]]; then
    mkdir -p "$VT_DIR/bin" && ln -s /usr/bin/python3 "$VT_DIR/bin/python3" && export PATH=$VT_DIR/bin:$PATH
  fi
  trap _vt_cleanup EXIT
  trap 'exit 130' INT TERM
}

# The agent: section for this test (plugins from the build, test plugins too).
vt_agent_section() {
  cat <<EOS
agent:
  plugin_dir: [$VIGIL_BUILD/plugins, $VIGIL_BUILD/test-plugins]
  state_dir: $VT_DIR/state
  control_socket: $VT_DIR/vigild.sock
  log_level: ${VT_LOG_LEVEL:-info}
  stop_timeout_s: ${VT_STOP_TIMEOUT:-10}
EOS
}

# vt_config FILE <<YAML : a vigild config: the agent section above, then `plugins:` and
# the given plugin sections (2-space indent).
vt_config() {
  { vt_agent_section; echo "plugins:"; cat; } >"$1"
}

# vt_start_plugins PLUGIN... : starts vigild with only these plugins enabled, each with
# its default settings (config in $VT_DIR/vigil.yaml).
vt_start_plugins() {
  local p
  for p in "$@"; do printf '  %s:\n    enabled: true\n' "$p"; done | vt_config "$VT_DIR/vigil.yaml"
  vt_start_daemon "$VT_DIR/vigil.yaml"
}

# vt_netns_veth NS HOST_IF NS_IF: a network namespace NS joined to this one by a veth
# pair (HOST_IF stays here, NS_IF moves into NS); both are removed at exit.
vt_netns_veth() {
  ip netns add "$1" || vt_fail "cannot create netns $1"
  vt_on_exit "ip netns del $1"
  ip link add "$2" type veth peer name "$3" || vt_fail "cannot create veth $2"
  vt_on_exit "ip link del $2"
  ip link set "$3" netns "$1"
}

vctl() { "$VIGIL_BUILD/bin/vigilctl" --socket "$VT_DIR/vigild.sock" "$@"; }

# vt_wait_until SECONDS CMD... : polls CMD every 0.1 s until it succeeds.
vt_wait_until() {
  local limit=$1; shift
  local deadline=$((SECONDS + limit))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  "$@" >/dev/null 2>&1
}

# vt_start_daemon CONFIG [extra vigild args]: starts vigild, waits for its socket.
vt_start_daemon() {
  local cfg=$1; shift
  "$VIGIL_BUILD/bin/vigild" --config "$cfg" "$@" >>"$VT_DIR/vigild.log" 2>&1 &
  VT_VIGILD_PID=$!
  if ! vt_wait_until 15 vctl status; then
    vt_fail "vigild did not come up with $cfg"
  fi
}

vt_stop_daemon() {
  [[ -z $VT_VIGILD_PID ]] && return 0
  kill -TERM "$VT_VIGILD_PID" 2>/dev/null || true
  local rc=0
  wait "$VT_VIGILD_PID" 2>/dev/null || rc=$?
  VT_VIGILD_PID=""
  return $rc
}

# vt_plugin_state NAME -> prints the plugin's state
vt_plugin_state() {
  vctl --json plugins | python3 -c "import json,sys; print(next((p['state'] for p in json.load(sys.stdin) if p['name']=='$1'), 'absent'))"
}

# vt_status PLUGIN EXPR: a python expression over PLUGIN's status object `s` ({} when
# the plugin is absent or has published none).
vt_status() {
  vctl --json status | python3 -c "
import json,sys
d=json.load(sys.stdin)
s=next((p.get('status',{}) for p in d['plugins'] if p['name']=='$1'), {})
print($2)"
}

# vt_status_ok PLUGIN EXPR: succeeds when EXPR over the status `s` is true (for vt_wait_until).
vt_status_ok() {
  vctl --json status 2>/dev/null | python3 -c "
import json,sys
d=json.load(sys.stdin)
s=next((p.get('status',{}) for p in d['plugins'] if p['name']=='$1'), {})
sys.exit(0 if ($2) else 1)" 2>/dev/null
}

# vt_json EXPR: evaluates a python expression over JSON read from stdin (as `d`).
vt_json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
