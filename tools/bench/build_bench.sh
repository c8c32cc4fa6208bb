#!/usr/bin/env bash
# Driver of `vigil-bench build`: what the agent costs a real build and a
# package-style unpack. Compiles the generated C/C++ tree of build_tree.py with
# `make -j2` and unpacks a tar of /usr/include (tens of thousands of files),
# each without the agent and with the real vigild (behavior, file_threat
# on-access over /, kataedr sending to a real local vigil-central), alternating
# the order every round so drift on a shared machine falls on both sides.
# Prints one JSON report (build_bench_report.py): medians, per-round ratios,
# the workload's and the agent's CPU, and what the agent reported meanwhile.
# Usage: build_bench.sh --build DIR [--rounds N] [--modules N] [--plugins "a b"]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/bench_agent_lib.sh"
build=""
rounds=3
modules=10
plugins="behavior file_threat kataedr"
bench_options build_bench.sh "build rounds modules plugins" "$@" || exit 2
[[ $rounds =~ ^[1-9][0-9]?$ ]] || { echo "build_bench.sh: --rounds must be 1..99, got '$rounds'" >&2; exit 2; }
[[ $modules =~ ^[1-9][0-9]?$ ]] || { echo "build_bench.sh: --modules must be 1..99, got '$modules'" >&2; exit 2; }
for tool in make gcc g++ tar; do
  command -v "$tool" >/dev/null || { echo "{\"scenario\":\"build\",\"skipped\":\"$tool is not installed\"}"; exit 0; }
done
bench_agent_setup build "$build" "$plugins"
central_pid=$KT_CENTRAL_PID_main

tree=$VT_DIR/tree
python3 "$here/build_tree.py" "$tree" --modules "$modules" || exit 1
archive=$VT_DIR/usr-include.tar
tar cf "$archive" -C /usr include || exit 1
unpack_dir=$VT_DIR/unpack
# One untimed pass of each warms the page cache (compilers, headers, the archive).
make -s -C "$tree" -j2 >/dev/null 2>&1 || { echo "build_bench.sh: the generated tree does not build" >&2; exit 1; }
mkdir -p "$unpack_dir" && tar xf "$archive" -C "$unpack_dir" || exit 1

cfg=$VT_DIR/vigil-build.yaml
for p in $plugins; do bench_plugin_section "$p"; done | vt_config "$cfg"

# agent_status: the status objects of the enabled plugins, one JSON line.
agent_status() { vctl --json status 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({p["name"]: p.get("status", {}) for p in d["plugins"]}))'; }

# timed LABEL PHASE ROUND CMD...: one measured run, as a JSON line tagged with its phase and round.
timed() {
  local label=$1 phase=$2 round=$3; shift 3
  local pids=("$central_pid")
  [[ -n $VT_VIGILD_PID ]] && pids+=("$VT_VIGILD_PID")
  python3 "$here/bench_time.py" "$label" "${pids[@]}" -- "$@" |
    python3 -c "import json,sys; d=json.loads(sys.stdin.read()); d.update(phase='$phase', round=$round); print(json.dumps(d))"
}

# phase PHASE ROUND: the make build and the unpack, with the agent running or not.
phase() {
  local ph=$1 r=$2
  if [[ $ph == on ]]; then
    vt_start_daemon "$cfg"
    # shellcheck disable=SC2086
    bench_wait_plugins $plugins
    sleep 2
    echo "{\"status_before\": $(agent_status), \"round\": $r}"
  fi
  make -s -C "$tree" clean >/dev/null; sync
  timed make "$ph" "$r" make -s -C "$tree" -j2
  rm -rf "$unpack_dir"; mkdir -p "$unpack_dir"; sync
  timed tar "$ph" "$r" tar xf "$archive" -C "$unpack_dir"
  if [[ $ph == on ]]; then
    sleep 2 # what the sensors read during the run reaches the status
    echo "{\"status_after\": $(agent_status), \"round\": $r, \"vigild_rss_kib\": $(awk '/VmRSS/ {print $2}' /proc/"$VT_VIGILD_PID"/status)}"
    vt_stop_daemon >/dev/null 2>&1
  fi
}

{
  echo "{\"load_before\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"plugins\": \"$plugins\", \"rounds\": $rounds, \"modules\": $modules, \"tree_files\": $(find "$tree/src" -type f | wc -l), \"archive_files\": $(tar tf "$archive" | wc -l), \"archive_mib\": $(($(stat -c %s "$archive") >> 20))}"
  for ((r = 1; r <= rounds; r++)); do
    if ((r % 2)); then phase off "$r"; phase on "$r"; else phase on "$r"; phase off "$r"; fi
  done
  echo "{\"load_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
} | python3 "$here/build_bench_report.py"
