# Helpers for the integration tests of kataedr (the connector to the central node) (sourced after tests/lib/vigil.sh).
# They run the real vigil-central (tools/central) with certificates from the
# real tools/gen-certs, and vigild with kataedr, the test_source plugin and a
# sensor-less stand-in for `behavior`.

KT_CENTRAL=${VIGIL_CENTRAL_BIN:-$VIGIL_BUILD/bin/vigil-central}
KT_GEN_CERTS=${VIGIL_GEN_CERTS:-$VIGIL_SOURCE/tools/gen-certs}

kt_require_central() {
  if [[ ! -x $KT_CENTRAL || ! -x $KT_GEN_CERTS ]]; then
    echo "SKIP: vigil-central ($KT_CENTRAL) or tools/gen-certs not in this build" >&2
    exit 77
  fi
}

# kt_free_port: a TCP port nothing listens on right now.
kt_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# kt_certs DIR: CA, server (127.0.0.1/localhost) and client PKCS#12 in DIR.
kt_certs() { "$KT_GEN_CERTS" "$1" >/dev/null || vt_fail "gen-certs $1 failed"; }

# kt_central_config NAME PORT CERTDIR REQUIRE_CLIENT_CERT -> path of central.yaml
# (listening on $KT_CENTRAL_ADDRESS, default 127.0.0.1; $KT_CENTRAL_EXTRA_YAML, when set, is
# appended: more top-level sections; $KT_CENTRAL_STORAGE_YAML, when set, is the storage
# mapping instead of a SQLite file of its own).
kt_central_config() {
  local name=$1 port=$2 certs=$3 mtls=$4 dir=$VT_DIR/central-$1
  mkdir -p "$dir"
  # A fresh operator token per central (256 random bits, 0600): no usable token in the repository.
  [[ -s $dir/operator.token ]] || (umask 077 && openssl rand -hex 32 >"$dir/operator.token")
  cat >"$dir/central.yaml" <<EOS
listen:
  address: ${KT_CENTRAL_ADDRESS:-127.0.0.1}
  port: $port
tls:
  certificate: $certs/server.crt
  private_key: $certs/server.key
  client_ca: $certs/ca.crt
  require_client_certificate: $mtls
storage: ${KT_CENTRAL_STORAGE_YAML:-{database: $dir/central.db, files_dir: $dir/files\}}
agents:
  ca_dir: $VT_DIR/agent-ca   # one agent CA for every central of a test (they are one fleet)
  certificate_lifetime_s: ${KT_CERT_LIFETIME_S:-2592000}
operators:
  tokens:
    - name: kataedr-test
      role: admin
      token_file: $dir/operator.token
cli:
  certificate: $certs/client.crt
  private_key: $certs/client.key
${KT_CENTRAL_EXTRA_YAML:-}
EOS
  echo "$dir/central.yaml"
}

# kt_start_central NAME PORT CERTDIR [REQUIRE_CLIENT_CERT]: starts it, waits until it answers.
# Sets KT_CENTRAL_PID_<NAME> and remembers the config as KT_CENTRAL_CFG_<NAME>.
kt_start_central() {
  local name=$1 port=$2 certs=$3 mtls=${4:-false}
  local cfg
  cfg=$(kt_central_config "$name" "$port" "$certs" "$mtls")
  "$KT_CENTRAL" serve --config "$cfg" >>"$VT_DIR/central-$name.log" 2>&1 &
  local pid=$!
  vt_track_pid "$pid"
  printf -v "KT_CENTRAL_PID_$name" '%s' "$pid"
  printf -v "KT_CENTRAL_CFG_$name" '%s' "$cfg"
  vt_wait_until 20 "$KT_CENTRAL" --config "$cfg" stats || {
    tail -20 "$VT_DIR/central-$name.log" >&2
    vt_fail "vigil-central $name did not come up on port $port"
  }
  kt_enroll_token "$cfg"
}

# kt_main_central [REQUIRE_CLIENT_CERT]: certificates in $VT_DIR/certs and central "main" on
# a free port, KT_PORT; kt_main_servers prints the kataedr settings pointing at it.
kt_main_central() {
  kt_certs "$VT_DIR/certs"
  KT_PORT=$(kt_free_port)
  kt_start_central main "$KT_PORT" "$VT_DIR/certs" "${1:-false}"
}
kt_main_servers() { printf 'servers: ["https://127.0.0.1:%s"]\nserver_ca: %s\n' "$KT_PORT" "$VT_DIR/certs/ca.crt"; }

# kt_enroll_token CFG [WRAPPER...]: the first central of a test hands out the
# agents' enrollment token ($VT_DIR/enroll.token, read by kt_agent_config).
# WRAPPER runs the CLI elsewhere (e.g. `ip netns exec NS`) for tests that start
# vigil-central themselves.
kt_enroll_token() {
  local cfg=$1
  shift
  [[ -s $VT_DIR/enroll.token ]] && return 0
  (umask 077 && "$@" "$KT_CENTRAL" --config "$cfg" enroll create --uses 1000 --expires 2h >"$VT_DIR/enroll.token" 2>/dev/null) ||
    vt_fail "enroll create on central $cfg failed"
}

kt_stop_central() {
  local var="KT_CENTRAL_PID_$1"
  local pid=${!var:-}
  [[ -z $pid ]] && return 0
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  printf -v "$var" '%s' ""
}

# kt_cli NAME ARGS...: the admin CLI against central NAME.
kt_cli() {
  local var="KT_CENTRAL_CFG_$1"
  shift
  "$KT_CENTRAL" --config "${!var}" "$@"
}

# kt_count_events NAME MARKER [TYPE]: number of stored events whose text has MARKER.
kt_count_events() {
  local args=(events --text "$2" --limit 10000 --json)
  [[ -n ${3:-} ]] && args+=(--type "$3")
  kt_cli "$1" "${args[@]}" 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["events"]))' 2>/dev/null ||
    echo -1
}

# kt_wait_events NAME MARKER N SECONDS [TYPE]: waits until exactly N such events are stored.
kt_wait_events() {
  local deadline=$((SECONDS + $4)) n=-1
  while ((SECONDS < deadline)); do
    n=$(kt_count_events "$1" "$2" "${5:-}")
    ((n == $3)) && return 0
    sleep 0.3
  done
  vt_log "expected $3 events with marker $2${5:+ of type $5} in central $1, found $n"
  vt_log "kataedr status: $(kt_status 's' 2>&1)"
  vt_log "central $1 log: $(tail -5 "$VT_DIR/central-$1.log" 2>&1)"
  vt_log "bus: $(vctl --json plugins 2>&1 | python3 -c 'import json,sys; print([(p["name"],p["state"],p["messages_in"],p["messages_out"],p["messages_dropped"]) for p in json.load(sys.stdin)])' 2>&1)"
  return 1
}

# kt_kataedr_section SETTINGS_YAML: kataedr's plugin section (enrolling with the test's token).
kt_kataedr_section() {
  echo "  kataedr:"
  echo "    enabled: true"
  {
    echo "$1"
    [[ $1 == *enrollment_token_file* ]] || echo "enrollment_token_file: $VT_DIR/enroll.token"
  } | sed 's/^/    /'
}

# kt_agent_config FILE KATAEDR_SETTINGS_YAML [PROXY_URL]: writes vigil.yaml.
kt_agent_config() {
  local file=$1 settings=$2 proxy=${3:-}
  {
    # The stand-in behavior (no sensors) comes first so tests stay deterministic.
    vt_agent_section | sed "s|plugin_dir: \[|plugin_dir: [$VIGIL_BUILD/test-plugins/kataedr, |"
    echo "  proxy: \"$proxy\""
    echo "plugins:"
    local p
    for p in behavior test_source test_behaviors; do printf '  %s:\n    enabled: true\n' "$p"; done
    kt_kataedr_section "$settings"
  } >"$file"
}

# kt_behavior_config FILE BEHAVIOR_SETTINGS_YAML KATAEDR_SETTINGS_YAML: vigil.yaml with the
# real behavior plugin (the default plugin_dir order, without the stand-in) and kataedr
# sending to central main (kt_main_central).
kt_behavior_config() {
  {
    printf '  behavior:\n    enabled: true\n'
    echo "$2" | sed 's/^/    /'
    kt_kataedr_section "$(kt_main_servers)
$3"
  } | vt_config "$1"
}

# kt_require_behavior_root: skips unless the behavior plugin is built and root can run setpriv.
kt_require_behavior_root() {
  if [[ ! -f $VIGIL_BUILD/plugins/behavior.so ]] || [[ $(id -u) != 0 ]] || ! command -v setpriv >/dev/null; then
    echo "SKIP: needs the behavior plugin, root and setpriv" >&2
    exit 77
  fi
}

# kt_start_daemon CONFIG: vt_start_daemon, then waits until kataedr has left
# its starting state: vigild answers on its control socket before it starts
# the plugins (a plugin not started yet shows as "disabled"), and events
# published before kataedr subscribed reach nobody.
kt_plugin_settled() { [[ $(vt_plugin_state kataedr) =~ ^(running|failed)$ ]]; }
kt_start_daemon() {
  vt_start_daemon "$@"
  vt_wait_until 15 kt_plugin_settled || vt_fail "kataedr did not start: $(vt_plugin_state kataedr)"
}

# kt_status EXPR / kt_status_ok EXPR: vt_status / vt_status_ok over kataedr's status `s`.
kt_status() { vt_status kataedr "$1"; }
kt_status_ok() { vt_status_ok kataedr "$1"; }

# kt_task NAME AGENT TYPE [ARGS_JSON] [TIMEOUT]: creates a task, prints its id.
kt_task() {
  local args=(task create --agent "$2" "$3" --json)
  [[ -n ${4:-} ]] && args+=(--args "$4")
  [[ -n ${5:-} ]] && args+=(--timeout "$5")
  kt_cli "$1" "${args[@]}" | vt_json 'd["id"]'
}

# kt_task_field NAME ID EXPR: waits until the task is final, prints EXPR over it (`d`).
kt_task_field() {
  kt_cli "$1" task show "$2" --wait 20 --json 2>/dev/null | vt_json "$3"
}

kt_agent_id() { vctl --json status | vt_json 'd["agent_id"]'; }

kt_emit() {
  local out
  out=$(vctl --json call test_source.emit "{\"type\":\"$1\",\"count\":$2,\"marker\":\"$3\"}") || vt_fail "emit $1 failed: $out"
  grep -q "\"published\": *$2" <<<"$out" || vt_fail "emit $1: not all published: $out"
}
