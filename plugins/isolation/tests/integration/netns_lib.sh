# Network namespaces for the isolation integration tests. Source after
# tests/lib/vigil.sh (uses vt_on_exit for cleanup, even on failure).
#
# Topology (names carry the test's PID, so parallel runs never collide):
#   agent ns  --veth--  central ns   10.77.1.1 <-> 10.77.1.2, fd77:1::1 <-> fd77:1::2
#             --veth--  excluded ns  10.77.2.1 <-> 10.77.2.2, fd77:2::1 <-> fd77:2::2
#             --veth--  other ns     10.77.3.1 <-> 10.77.3.2, fd77:3::1 <-> fd77:3::2
ISO_TAG=${ISO_TAG:-$$}
NS_AGENT=iso_agent_$ISO_TAG
NS_CENTRAL=iso_central_$ISO_TAG
NS_EXCLUDED=iso_excl_$ISO_TAG
NS_OTHER=iso_other_$ISO_TAG
ISO_NETTOOL=$(dirname "${BASH_SOURCE[0]}")/nettool.py
ISO_PIDS=()

iso_topology_up() {
  vt_on_exit iso_topology_down
  local i=1 peer
  ip netns add "$NS_AGENT" || vt_fail "cannot create netns $NS_AGENT"
  ip -n "$NS_AGENT" link set lo up
  for peer in "$NS_CENTRAL" "$NS_EXCLUDED" "$NS_OTHER"; do
    ip netns add "$peer" || vt_fail "cannot create netns $peer"
    ip -n "$peer" link set lo up
    ip link add "iso${i}a$ISO_TAG" netns "$NS_AGENT" type veth peer name "iso${i}p$ISO_TAG" netns "$peer" ||
      vt_fail "cannot create veth pair $i"
    ip -n "$NS_AGENT" addr add "10.77.$i.1/24" dev "iso${i}a$ISO_TAG"
    ip -n "$NS_AGENT" addr add "fd77:$i::1/64" dev "iso${i}a$ISO_TAG" nodad
    ip -n "$peer" addr add "10.77.$i.2/24" dev "iso${i}p$ISO_TAG"
    ip -n "$peer" addr add "fd77:$i::2/64" dev "iso${i}p$ISO_TAG" nodad
    ip -n "$NS_AGENT" link set "iso${i}a$ISO_TAG" up
    ip -n "$peer" link set "iso${i}p$ISO_TAG" up
    i=$((i + 1))
  done
}

iso_topology_down() {
  local p
  for p in "${ISO_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "$NS_AGENT" "$NS_CENTRAL" "$NS_EXCLUDED" "$NS_OTHER"; do
    ip netns del "$p" 2>/dev/null
  done
  return 0
}

# iso_listen NS ADDR PORT: a TCP peer answering "ok" (stopped at exit).
iso_listen() {
  ip netns exec "$1" python3 "$ISO_NETTOOL" listen "$2" "$3" &
  ISO_PIDS+=($!)
}

# iso_tcp NS ADDR PORT: succeeds when the TCP peer answers.
iso_tcp() { ip netns exec "$1" python3 "$ISO_NETTOOL" connect "$2" "$3" 2 2>/dev/null; }
# iso_ping NS ADDR: succeeds when ADDR answers an ICMP echo.
iso_ping() { ip netns exec "$1" python3 "$ISO_NETTOOL" ping "$2" 1 2>/dev/null; }

# Waits until the listeners answer (they start in the background).
iso_wait_listening() { vt_wait_until 10 iso_tcp "$1" "$2" "$3" || vt_fail "listener $2:$3 in $1 did not start"; }

# iso_start_agent CONFIG: vigild inside the agent namespace. `ip netns exec`
# gives it a fresh /sys without the cgroup mounts, so the cgroup v2 hierarchy
# is mounted again in that private mount namespace (as on a unified host).
iso_start_agent() {
  ip netns exec "$NS_AGENT" sh -c 'mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null; exec "$0" --config "$1"' \
    "$VIGIL_BUILD/bin/vigild" "$1" >>"$VT_DIR/vigild.log" 2>&1 &
  VT_VIGILD_PID=$!
  vt_wait_until 15 vctl status || vt_fail "vigild did not come up in $NS_AGENT"
  # Action results, collected for the whole life of this daemon.
  vctl events --type action_result >>"$VT_DIR/events.log" 2>/dev/null &
  vt_track_pid $!
  vt_wait_until 10 iso_status_has '"isolated"' || vt_fail "isolation plugin does not answer"
}

iso_kill_agent() {
  kill -KILL "$VT_VIGILD_PID" 2>/dev/null
  wait "$VT_VIGILD_PID" 2>/dev/null
  VT_VIGILD_PID=""
}

iso_status() { vctl --json isolation status 2>/dev/null; }
iso_status_has() { iso_status | grep -q -- "$1"; }
iso_isolated() { iso_status_has '"isolated":true'; }
iso_released() { iso_status_has '"isolated":false'; }
# iso_event_seen ACTION: an action_result event with that action was published.
iso_event_seen() { grep -q "\"action\":\"$1\"" "$VT_DIR/events.log"; }
iso_table_exists() { ip netns exec "$NS_AGENT" nft list table inet "$ISO_TABLE" >/dev/null 2>&1; }
