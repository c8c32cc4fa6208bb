#!/usr/bin/env bash
# Runs the batch-upload fuzzer briefly: a fresh writable corpus seeded from the checked-in
# seeds; fails (non-zero) on any crash, sanitizer report or leak.
set -euo pipefail
bin=$1 seeds=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/central_fuzz.$$.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cd "$work"
export TMPDIR=$work
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
"$bin" -runs="${CENTRAL_FUZZ_RUNS:-20000}" -max_total_time="${CENTRAL_FUZZ_SECONDS:-25}" -max_len=65536 \
  -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 "$work/corpus" "$seeds"
