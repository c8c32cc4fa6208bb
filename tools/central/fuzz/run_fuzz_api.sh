#!/usr/bin/env bash
# Runs one handler of the endpoint fuzzer briefly (CENTRAL_FUZZ_API_SECONDS, default 8):
# a fresh writable corpus seeded from the checked-in seeds; fails on any crash, 5xx reply,
# sanitizer report or leak.
set -euo pipefail
bin=$1 handler=$2 seeds=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/central_fuzz_api.$$.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cd "$work"
export TMPDIR=$work VIGIL_FUZZ_HANDLER=$handler
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
"$bin" -max_total_time="${CENTRAL_FUZZ_API_SECONDS:-8}" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
  -print_final_stats=1 "$work/corpus" "$seeds"
