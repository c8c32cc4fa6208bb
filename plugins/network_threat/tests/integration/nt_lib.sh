# Helpers for the network_threat integration tests (source after
# tests/lib/vigil.sh). Everything they create is removed at exit, even on
# failure; names carry the test's PID so runs never collide.
#
# Topology: one LAN, a bridge inside the victim's namespace (nothing in the
# root namespace):
#   victim  10.78.0.1  fd78::1   vigild + network_threat, open TCP 8080, UDP 5300
#   atk     10.78.0.2  fd78::2   the attacker (+ 10.78.0.20-.99, fd78::20-.99 as more sources)
#   excl    10.78.0.3            an excluded source
#   legit   10.78.0.4  fd78::4   a well-behaved client
#   mgmt    10.78.0.10           plays the central node
# These tests read event logs and nft listings through `| grep -q`, which
# closes the pipe at the first match; with pipefail the writer's SIGPIPE
# would turn a match into a failure.
set +o pipefail
NT_TAG=${NT_TAG:-$$}
NT_VIC=nt_vic_$NT_TAG
NT_ATK=nt_atk_$NT_TAG
NT_EXC=nt_exc_$NT_TAG
NT_LEG=nt_leg_$NT_TAG
NT_MGT=nt_mgt_$NT_TAG
NT_TABLE=nt_it_$NT_TAG
NT_GROUP=$((20000 + NT_TAG % 10000))
NT_HELPER=$(dirname "${BASH_SOURCE[0]}")/nt_traffic.py
NT_PIDS=()

nt_require_tools() {
  if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root (network namespaces, nftables)" >&2; exit 77; fi
  local t
  for t in nmap nping nft ip python3; do
    command -v "$t" >/dev/null || { echo "SKIP: $t is not installed (tools/setup)" >&2; exit 77; }
  done
  [[ -f $VIGIL_BUILD/plugins/network_threat.so ]] || { echo "SKIP: network_threat.so not built" >&2; exit 77; }
}

nt_topology_up() {
  vt_on_exit nt_topology_down
  local ns i=0 last
  ip netns add "$NT_VIC" || vt_fail "cannot create netns $NT_VIC"
  ip -n "$NT_VIC" link set lo up
  ip -n "$NT_VIC" link add ntbr type bridge
  ip -n "$NT_VIC" addr add 10.78.0.1/24 dev ntbr
  ip -n "$NT_VIC" addr add fd78::1/64 dev ntbr nodad
  ip -n "$NT_VIC" link set ntbr up
  for ns in "$NT_ATK" "$NT_EXC" "$NT_LEG" "$NT_MGT"; do
    i=$((i + 1))
    ip netns add "$ns" || vt_fail "cannot create netns $ns"
    ip -n "$ns" link set lo up
    ip link add "ntv$i$NT_TAG" netns "$NT_VIC" type veth peer name eth0 netns "$ns" || vt_fail "veth $i"
    ip -n "$NT_VIC" link set "ntv$i$NT_TAG" master ntbr up
    ip -n "$ns" link set eth0 up
  done
  ip -n "$NT_ATK" addr add 10.78.0.2/24 dev eth0
  ip -n "$NT_ATK" addr add fd78::2/64 dev eth0 nodad
  for last in $(seq 20 99); do
    ip -n "$NT_ATK" addr add "10.78.0.$last/24" dev eth0
    ip -n "$NT_ATK" addr add "fd78::$last/64" dev eth0 nodad
  done
  ip -n "$NT_EXC" addr add 10.78.0.3/24 dev eth0
  ip -n "$NT_LEG" addr add 10.78.0.4/24 dev eth0
  ip -n "$NT_LEG" addr add fd78::4/64 dev eth0 nodad
  ip -n "$NT_MGT" addr add 10.78.0.10/24 dev eth0
  # The attacker's own kernel must not answer for the spoofed sources it uses.
  ip netns exec "$NT_ATK" sysctl -qw net.ipv4.conf.all.rp_filter=0
}

nt_topology_down() {
  local p
  for p in "${NT_PIDS[@]}"; do _vt_kill_tree "$p"; done
  for p in "$NT_ATK" "$NT_EXC" "$NT_LEG" "$NT_MGT" "$NT_VIC"; do ip netns del "$p" 2>/dev/null; done
  return 0
}

# nt_bg NS CMD...: a background process in NS, stopped at exit.
nt_bg() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@" >/dev/null 2>&1 &
  NT_PIDS+=($!)
}

# Open services of the victim: TCP 8080 (HTTP), 22 (a listener), UDP 5300 (echo).
nt_services_up() {
  nt_bg "$NT_VIC" python3 "$NT_HELPER" http 8080
  nt_bg "$NT_VIC" python3 "$NT_HELPER" listen 22
  nt_bg "$NT_VIC" python3 "$NT_HELPER" udp-echo 5300
  vt_wait_until 10 nt_tcp "$NT_LEG" 10.78.0.1 8080 || vt_fail "victim services did not start"
}

# nt_tcp NS ADDR PORT [SRC]: succeeds when a TCP connection to ADDR:PORT (from SRC) works within 2 s.
nt_tcp() { ip netns exec "$1" python3 "$NT_HELPER" connect "$2" "$3" 2 ${4:-} >/dev/null 2>&1; }
# nt_tcp_quick NS ADDR PORT SRC: the same with a 0.3 s timeout (expiry measurement).
nt_tcp_quick() { ip netns exec "$1" python3 "$NT_HELPER" connect "$2" "$3" 0.3 "$4" >/dev/null 2>&1; }

# nt_agent_config EXTRA_SETTINGS_YAML [MORE_PLUGINS_YAML]: writes $VT_DIR/vigil.yaml.
nt_agent_config() {
  {
    vt_agent_section
    echo "plugins:"
    echo "  network_threat:"
    echo "    enabled: true"
    echo "    table: $NT_TABLE"
    echo "    nflog_group: $NT_GROUP"
    echo "    central_nodes: [\"https://10.78.0.10:8443\"]"
    echo "    resolv_conf: $VT_DIR/resolv.conf"
    echo "${1:-}" | sed '/^$/d; s/^/    /'
    echo "${2:-}"
  } >"$VT_DIR/vigil.yaml"
  echo "nameserver 10.78.0.53" >"$VT_DIR/resolv.conf"
}

# nt_start_agent: vigild in the victim namespace, threat and action events recorded.
nt_start_agent() {
  ip netns exec "$NT_VIC" "$VIGIL_BUILD/bin/vigild" --config "$VT_DIR/vigil.yaml" >>"$VT_DIR/vigild.log" 2>&1 &
  VT_VIGILD_PID=$!
  vt_wait_until 15 vctl status || vt_fail "vigild did not come up in $NT_VIC"
  vt_wait_until 15 nt_status_ok "s.get('detecting') is True" || vt_fail "network_threat is not detecting: $(nt_status 's')"
  vctl events --type threat >>"$VT_DIR/threats.log" 2>/dev/null &
  vt_track_pid $!
  vctl events --type action_result >>"$VT_DIR/actions.log" 2>/dev/null &
  vt_track_pid $!
  sleep 0.3
}

nt_kill_agent() {
  kill -KILL "$VT_VIGILD_PID" 2>/dev/null
  wait "$VT_VIGILD_PID" 2>/dev/null
  VT_VIGILD_PID=""
}

# nt_status EXPR / nt_status_ok EXPR: vt_status / vt_status_ok of network_threat.
nt_status() { vt_status network_threat "$1"; }
nt_status_ok() { vt_status_ok network_threat "$1"; }

# nt_threats SOURCE: "class|technique|action" lines of the threat events about SOURCE.
nt_threats() {
  python3 - "$VT_DIR/threats.log" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        p = json.loads(line)["payload"]
    except Exception:
        continue
    if p.get("object") != sys.argv[2]:
        continue
    e = json.loads(p["details_json"])
    print(f'{e["class"]}|{e["technique"]}|{e["action"]}|{p["rule_id"]}')
PY
}
# nt_has_threat SOURCE CLASS: a threat of CLASS about SOURCE was published.
nt_has_threat() { nt_threats "$1" | grep -q "^$2|"; }
# nt_has_action ACTION OBJECT: an action_result ACTION about OBJECT was published.
nt_has_action() { grep -a "\"action\":\"$1\"" "$VT_DIR/actions.log" 2>/dev/null | grep -q "\"object\":\"$2\""; }

# nt_banned ADDR: the kernel's ban sets hold ADDR.
nt_banned() { ip netns exec "$NT_VIC" nft list set inet "$NT_TABLE" "$2" 2>/dev/null | grep -q "$1 "; }
nt_banned4() { nt_banned "$1" ban4; }

# nt_nmap SOURCE ARGS...: nmap from the attacker namespace with SOURCE as the source address.
nt_nmap() {
  local src=$1
  shift
  ip netns exec "$NT_ATK" nmap -n -Pn -S "$src" -e eth0 "$@" 2>&1
}

# nt_ms: wall clock in milliseconds.
nt_ms() { date +%s%3N; }
