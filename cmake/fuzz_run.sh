#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time (ctest and tools/fuzz call it).
# Usage: fuzz_run.sh BIN WORKDIR SECONDS MAX_LEN DICT|"" [SEED_DIR...]
# $VIGIL_FUZZ_SECONDS overrides SECONDS. New inputs go to WORKDIR/corpus, a
# crash or slow input to WORKDIR/artifacts/ (its path is printed by libFuzzer).
# Seed directories are read in place; missing ones are skipped with a note.
# TMPDIR is WORKDIR/tmp, emptied first: a harness's temporary files (libFuzzer may
# end without running destructors) stay there instead of in /tmp.
set -u
bin=$1 work=$2 secs=${VIGIL_FUZZ_SECONDS:-$3} max_len=$4 dict=$5
shift 5
[[ -x $bin ]] || { echo "fuzz_run: $bin is not built" >&2; exit 1; }
mkdir -p "$work/corpus" "$work/artifacts"
rm -rf "$work/tmp" && mkdir -p "$work/tmp"
export TMPDIR=$work/tmp
seeds=()
for d in "$@"; do
  if [[ -d $d ]]; then seeds+=("$d"); else echo "fuzz_run: seed directory $d is missing, skipped" >&2; fi
done
args=(-max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
      -artifact_prefix="$work/artifacts/")
[[ -n $dict ]] && args+=(-dict="$dict")
exec "$bin" "${args[@]}" "$work/corpus" "${seeds[@]}"
