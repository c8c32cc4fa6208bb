#!/usr/bin/env bash
# server_test.sh on the PostgreSQL engine: the same real peers and checks (enrollment, TLS,
# idempotent telemetry, tasks, files, restart persistence) against a node whose storage is a
# private PostgreSQL cluster (pg_cluster.sh). Exit 77 when no cluster can start.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/pg_cluster.sh"
trap pg_cluster_stop EXIT
pg_cluster_start
url=$(pg_cluster_database central)
export VIGIL_CENTRAL_STORAGE="{engine: postgresql, url: '$url', files_dir: state/files, retention_days: 30}"
"$here/server_test.sh"
# What it stored is in PostgreSQL (not in a SQLite file the node fell back to).
rows=$("$PG_BINDIR/psql" -X -A -t -d "$url" -c "SELECT count(*) FROM events") || { echo "FAIL: cannot query events"; exit 1; }
[[ $rows -gt 0 ]] || { echo "FAIL: no events in PostgreSQL"; exit 1; }
echo "ok: $rows events stored in PostgreSQL"
