# Sourced by shell tests: a private PostgreSQL cluster like pg_cluster.hpp's — initdb in a
# temporary directory (as the postgres user when run as root), the server listening only on a
# Unix socket there, fsync off, started as this shell's child with a parent-death signal (it
# ends with the test however the test ends). Exits 77 (skipped) when it cannot be made.
#   pg_cluster_start            sets PG_CLUSTER_DIR, PG_CLUSTER_PID
#   pg_cluster_database NAME    creates NAME, prints its libpq connection string
#   pg_cluster_stop             fast shutdown, removes the directory (call it from the EXIT trap;
#                               after a SIGKILL the C++ fixture removes what is left, see pg_cluster.cpp)
PG_CLUSTER_DIR=""
PG_CLUSTER_PID=""

pg_cluster_start() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [[ -z $bindir || ! -x $bindir/initdb || ! -x $bindir/postgres ]]; then
    echo "SKIPPED: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin; tools/setup installs them)"
    exit 77
  fi
  PG_BINDIR=$bindir
  local as=()
  if [[ $(id -u) == 0 ]]; then  # initdb refuses root
    id postgres >/dev/null 2>&1 || { echo "SKIPPED: running as root and there is no postgres user"; exit 77; }
    as=(--reuid=postgres --regid=postgres --init-groups)
  fi
  PG_CLUSTER_DIR=$(mktemp -d /tmp/vigil_pg.XXXXXX)
  [[ $(id -u) == 0 ]] && chown postgres: "$PG_CLUSTER_DIR"
  setpriv "${as[@]}" -- "$bindir/initdb" -D "$PG_CLUSTER_DIR/data" -A trust -U vigil_test --no-sync -E UTF8 \
    --locale=C >"$PG_CLUSTER_DIR/initdb.log" 2>&1 || { echo "initdb failed:"; tail -20 "$PG_CLUSTER_DIR/initdb.log"; return 1; }
  setpriv "${as[@]}" --pdeathsig QUIT -- "$bindir/postgres" -D "$PG_CLUSTER_DIR/data" -k "$PG_CLUSTER_DIR" -p 5432 \
    -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
    >"$PG_CLUSTER_DIR/postgres.log" 2>&1 &
  PG_CLUSTER_PID=$!
  for _ in $(seq 1500); do
    "$bindir/pg_isready" -q -h "$PG_CLUSTER_DIR" -p 5432 && return 0
    kill -0 "$PG_CLUSTER_PID" 2>/dev/null || { echo "postgres exited:"; tail -20 "$PG_CLUSTER_DIR/postgres.log"; return 1; }
    sleep 0.02
  done
  echo "postgres did not accept connections within 30 s"
  return 1
}

pg_cluster_database() {
  "$PG_BINDIR/createdb" -h "$PG_CLUSTER_DIR" -p 5432 -U vigil_test "$1" >/dev/null
  echo "host=$PG_CLUSTER_DIR port=5432 user=vigil_test dbname=$1"
}

pg_cluster_stop() {
  if [[ -n $PG_CLUSTER_PID ]] && kill -0 "$PG_CLUSTER_PID" 2>/dev/null; then
    kill -INT "$PG_CLUSTER_PID"  # fast shutdown
    for _ in $(seq 200); do kill -0 "$PG_CLUSTER_PID" 2>/dev/null || break; sleep 0.05; done
    kill -QUIT "$PG_CLUSTER_PID" 2>/dev/null || true
    wait "$PG_CLUSTER_PID" 2>/dev/null || true
  fi
  PG_CLUSTER_PID=""
  [[ -n $PG_CLUSTER_DIR ]] && rm -rf "$PG_CLUSTER_DIR"
  PG_CLUSTER_DIR=""
}
