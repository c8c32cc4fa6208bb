# Shared by the bench drivers that run the real agent: option parsing, the
# set-up (root, the test helpers, a real local vigil-central) and the plugin
# sections of the generated vigil.yaml. Source it from the driver's folder.
BENCH_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# bench_options SCRIPT "NAME..." ARGS...: --NAME VALUE sets the shell variable NAME
# (a dash in NAME is an underscore in the variable); anything else is refused.
bench_options() {
  local script=$1 names=" $2 "; shift 2
  while (($#)); do
    local name=${1#--}
    if [[ $1 != --* || $names != *" $name "* || $# -lt 2 ]]; then
      echo "$script: unknown argument or missing value: '$1'" >&2
      return 2
    fi
    printf -v "${name//-/_}" '%s' "$2"
    shift 2
  done
}

# bench_agent_setup SCENARIO BUILD_DIR PLUGINS: needs root (else prints a skipped report and
# exits); loads the test helpers, makes the test directory and starts vigil-central "main".
bench_agent_setup() {
  local scenario=$1
  [[ -n $2 ]] || { echo "$scenario: --build DIR is required" >&2; exit 2; }
  if [[ $(id -u) != 0 ]]; then
    echo "{\"scenario\":\"$scenario\",\"skipped\":\"needs root (the sensors and file_threat on-access)\"}"
    exit 0
  fi
  export VIGIL_BUILD=$2
  source "$BENCH_HERE/../../tests/lib/vigil.sh"
  source "$BENCH_HERE/../../plugins/kataedr/tests/integration/kataedr_lib.sh"
  # shellcheck disable=SC2086 # the list is words on purpose
  bench_check_plugin_names $3 || exit 2
  vt_init "$scenario" >/dev/null 2>&1
  kt_require_central
  kt_main_central >/dev/null
}

# bench_plugin_section NAME: that plugin's vigil.yaml section with what it needs
# to run on this machine: kataedr and isolation talk to the local central node,
# file_threat watches every file system with on-access scanning.
bench_plugin_section() {
  case $1 in
    kataedr) kt_kataedr_section "$(kt_main_servers)" ;;
    isolation) printf '  isolation:\n    enabled: true\n    central_nodes: ["https://127.0.0.1:%s"]\n' "$KT_PORT" ;;
    file_threat) printf '  file_threat:\n    enabled: true\n    on_access:\n      enabled: true\n      mounts: [/]\n' ;;
    *) printf '  %s:\n    enabled: true\n' "$1" ;;
  esac
}

# bench_check_plugin_names WORD...: the names go into a generated vigil.yaml:
# plugin names only, nothing that could add YAML.
bench_check_plugin_names() {
  local p
  for p in "$@"; do
    [[ $p =~ ^[a-z][a-z0-9_]*$ ]] || { echo "--plugins: '$p' is not a plugin name" >&2; return 2; }
  done
}

# bench_wait_plugins NAME...: waits until each plugin has settled (running, failed or degraded).
bench_wait_plugins() {
  local p
  for p in "$@"; do
    vt_wait_until 30 eval "[[ \$(vt_plugin_state $p) =~ ^(running|failed|degraded)$ ]]" ||
      echo "bench: plugin $p did not settle in 30 s" >&2
  done
}
