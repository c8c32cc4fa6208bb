#!/usr/bin/env bash
# Driver of `vigil-bench agent-memory`: where the agent's resident memory goes.
# Starts the real vigild once with no plugin, once per plugin alone and once
# with every plugin (kataedr connected to a real local vigil-central), lets
# each run idle, then reads /proc/PID/smaps and prints one JSON report: RSS,
# its anonymous / file-backed / shared parts, threads, and the RSS grouped by
# mapping (heap, thread stacks, each shared object, BPF maps) so the delta of
# each plugin over the bare host is visible.
# Usage: agent_memory_bench.sh --build DIR [--idle S] [--plugins "a b c"]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/bench_agent_lib.sh"
build=""
idle=10
plugins="behavior response ioc_scanner file_threat kataedr isolation network_threat web_threat"
bench_options agent_memory_bench.sh "build idle plugins" "$@" || exit 2
[[ $idle =~ ^[0-9]+$ ]] || { echo "agent_memory_bench.sh: --idle must be whole seconds, got '$idle'" >&2; exit 2; }
bench_agent_setup agent-memory "$build" "$plugins"

# plugin_with_needs NAME: the plugins a run of NAME needs (kataedr requires behavior);
# the report takes such a plugin's delta over the run of what it needs.
plugin_with_needs() {
  case $1 in
    kataedr) echo behavior kataedr ;;
    *) echo "$1" ;;
  esac
}

# measure LABEL BASE PLUGIN...: one vigild with these plugins, idle, then its memory as
# JSON; BASE is the run the report subtracts (none, or the run of a required plugin).
measure() {
  local label=$1 base=$2; shift 2
  local cfg=$VT_DIR/vigil-$label.yaml p
  for p in "$@"; do bench_plugin_section "$p"; done | vt_config "$cfg"
  vt_start_daemon "$cfg"
  bench_wait_plugins "$@"
  sleep "$idle"
  local states
  states=$(vctl --json plugins 2>/dev/null | vt_json '",".join(p["name"] + "=" + p["state"] for p in d)')
  python3 "$here/agent_memory_smaps.py" "$VT_VIGILD_PID" "$label" "$base" "$states"
  vt_stop_daemon >/dev/null 2>&1
}

{
  measure none none
  for p in $plugins; do
    needs=$(plugin_with_needs "$p")
    # shellcheck disable=SC2086 # the list is words on purpose
    measure "$p" "$([[ $needs == "$p" ]] && echo none || echo "${needs%% *}")" $needs
  done
  # shellcheck disable=SC2086
  measure all none $plugins
} | python3 "$here/agent_memory_report.py" "$idle"
