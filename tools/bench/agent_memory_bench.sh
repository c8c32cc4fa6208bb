#!/usr/bin/env bash
# Driver of `vigil-bench agent-memory`: where the agent's resident memory goes.
# Starts the real vigild once with no plugin, once per plugin alone and once
# with every plugin (kataedr connected to a real local vigil-central), lets
# each run idle, then reads /proc/PID/smaps and prints one JSON report: RSS,
# its anonymous / file-backed / shared parts, threads, and the RSS grouped by
# mapping (heap, thread stacks, each shared object, BPF maps) so the delta of
# each plugin over the bare host is visible.
# The run with every plugin then takes a load (`vigil-bench agent-load`: short-lived
# processes and file events), idles --settle seconds (long enough for vigild's
# minute malloc_trim) and is measured again, with the plugins' status counters:
# what they saw, merged, filtered and lost during the load, and their table and
# cache sizes. --plugin-load-* gives each single-plugin run a load too.
# Usage: agent_memory_bench.sh --build DIR [--idle S] [--plugins "a b c"]
#          [--load-procs N] [--load-file-events N] [--load-jobs J] [--settle S]
#          [--plugin-load-procs N] [--plugin-load-file-events N] [--single-runs yes|no]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/bench_agent_lib.sh"
build=""
idle=10
plugins="behavior response ioc_scanner file_threat kataedr isolation network_threat web_threat"
load_procs=20000
load_file_events=200000
load_jobs=4
settle=70
plugin_load_procs=0
plugin_load_file_events=0
single_runs=yes
options="build idle plugins load-procs load-file-events load-jobs settle plugin-load-procs plugin-load-file-events
single-runs"
bench_options agent_memory_bench.sh "${options//$'\n'/ }" "$@" || exit 2
[[ $single_runs =~ ^(yes|no)$ ]] || { echo "agent_memory_bench.sh: --single-runs is yes or no, got '$single_runs'" >&2; exit 2; }
for opt in idle load_procs load_file_events load_jobs settle plugin_load_procs plugin_load_file_events; do
  [[ ${!opt} =~ ^[0-9]{1,9}$ ]] || {
    echo "agent_memory_bench.sh: --${opt//_/-} must be a whole number, got '${!opt}'" >&2; exit 2; }
done
bench_agent_setup agent-memory "$build" "$plugins"

# plugin_with_needs NAME: the plugins a run of NAME needs (kataedr requires behavior);
# the report takes such a plugin's delta over the run of what it needs.
plugin_with_needs() {
  case $1 in
    kataedr) echo behavior kataedr ;;
    *) echo "$1" ;;
  esac
}

# sample_during_load FILE: until vigild stops (or this sampler is stopped), every 2 s its
# RSS and each subscriber's bus queue depth, one "rss KIB" / "depth SERIES VALUE" line each:
# what the load held for a moment and the figures after it no longer show.
sample_during_load() {
  while kill -0 "$VT_VIGILD_PID" 2>/dev/null; do
    echo "rss $(awk '/VmRSS/ {print $2}' "/proc/$VT_VIGILD_PID/status")"
    vctl metrics 2>/dev/null | awk '/^vigil_bus_queue_depth\{/ {print "depth", $1, $2}'
    sleep 2
  done >"$1"
}

plugin_states() { vctl --json plugins 2>/dev/null | vt_json '",".join(p["name"] + "=" + p["state"] for p in d)'; }

# load_phase LABEL BASE PROCS FILE_EVENTS: the load at the running vigild, then --settle
# seconds idle; prints what was driven and counted (one JSON line) and the memory again.
load_phase() {
  local label=$1 base=$2 procs=$3 files=$4
  ((procs + files > 0)) || return 0
  local scratch=$VT_DIR/load-$label before=$VT_DIR/status-$label-before.json after=$VT_DIR/status-$label-after.json
  mkdir -p "$scratch"
  vctl --json status >"$before" 2>/dev/null
  local cpu0 driven rss_end
  cpu0=$(awk '{print $14 + $15}' "/proc/$VT_VIGILD_PID/stat")
  local samples=$VT_DIR/samples-$label.txt sampler
  sample_during_load "$samples" &
  sampler=$!
  driven=$("$build/bin/vigil-bench" agent-load --procs "$procs" --file-events "$files" --dir "$scratch" \
    --jobs "$load_jobs") || echo "agent-memory: the load generator reported failures: $driven" >&2
  [[ $driven == "{"* ]] || driven='{}'
  rss_end=$(awk '/VmRSS/ {print $2}' "/proc/$VT_VIGILD_PID/status")
  local cpu1 load_avg
  cpu1=$(awk '{print $14 + $15}' "/proc/$VT_VIGILD_PID/stat")
  load_avg=$(cut -d' ' -f1-3 /proc/loadavg)
  sleep "$settle"
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  vctl --json status >"$after" 2>/dev/null
  python3 "$here/agent_memory_status.py" "$label" "$before" "$after" "$driven" "$rss_end" \
    "$(((cpu1 - cpu0) / $(getconf CLK_TCK)))" "$load_avg" "$settle" "$samples"
  python3 "$here/agent_memory_smaps.py" "$VT_VIGILD_PID" "$label" "$base" "$(plugin_states)" after_load
}

# measure LABEL BASE PROCS FILE_EVENTS PLUGIN...: one vigild with these plugins, idle, then
# its memory as JSON, then the load phase when PROCS or FILE_EVENTS is not 0; BASE is the
# run the report subtracts (none, or the run of a required plugin).
measure() {
  local label=$1 base=$2 procs=$3 files=$4; shift 4
  local cfg=$VT_DIR/vigil-$label.yaml p
  for p in "$@"; do bench_plugin_section "$p"; done | vt_config "$cfg"
  vt_start_daemon "$cfg"
  bench_wait_plugins "$@"
  sleep "$idle"
  python3 "$here/agent_memory_smaps.py" "$VT_VIGILD_PID" "$label" "$base" "$(plugin_states)"
  load_phase "$label" "$base" "$procs" "$files"
  vt_stop_daemon >/dev/null 2>&1
}

{
  echo "{\"load_before\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
  measure none none "$plugin_load_procs" "$plugin_load_file_events"
  # --single-runs no: only the bare host and every plugin (a long load on the latter).
  [[ $single_runs == yes ]] || plugins_alone=""
  for p in ${plugins_alone-$plugins}; do
    needs=$(plugin_with_needs "$p")
    # shellcheck disable=SC2086 # the list is words on purpose
    measure "$p" "$([[ $needs == "$p" ]] && echo none || echo "${needs%% *}")" \
      "$plugin_load_procs" "$plugin_load_file_events" $needs
  done
  # shellcheck disable=SC2086
  measure all none "$load_procs" "$load_file_events" $plugins
  echo "{\"load_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
} | python3 "$here/agent_memory_report.py" "$idle"
