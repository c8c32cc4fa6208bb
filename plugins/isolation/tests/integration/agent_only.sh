#!/usr/bin/env bash
# The isolation escapes of the security review, tried for real: on an isolated
# host, nobody but the agent gets anywhere through the agent's proxy or over
# port 53, while the agent itself keeps talking to its central node through
# them.
#
# Topology: vigild runs in a network namespace, in a cgroup of its own (as
# systemd would place it). The host side of its veth carries a real tinyproxy
# and the real vigil-central ($HOST_IP), a DNS server ($RES_IP, the only
# resolver in the namespace's resolv.conf) and a foreign server that answers
# on port 53 ($HOST_IP:53). A web server on the host's loopback stands for
# "the internet": the namespace can reach it only through the proxy.
# Attackers: an unprivileged user (setpriv, uid 65534), root outside vigild's
# cgroup, and an unprivileged process inside vigild's cgroup. Last, the
# self-test: it passes only by an authenticated exchange with the central node,
# an imposter (TLS server with another CA's certificate) neither passes it nor
# gets the isolation rolled back, a dead central node does.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$VIGIL_SOURCE/plugins/kataedr/tests/integration/kataedr_lib.sh"
kt_require_central
command -v tinyproxy >/dev/null || vt_fail "tinyproxy is not installed (tools/setup installs it)"
command -v setpriv >/dev/null || vt_fail "setpriv is missing (util-linux)"
vt_init isolation_agent_only
TOOL=$(dirname "$0")/escape_tool.py
TRIES=${ISO_ESCAPE_TRIES:-1000}
# The system interpreter: a per-user one (pyenv shims under /root) is not
# reachable for the unprivileged attacker.
SYS_PY=/usr/bin/python3

NS=iso_ao_$$
HV=iao$$h
NV=iao$$n
NET="10.214.$(($$ % 250))"
HOST_IP=$NET.1
NS_IP=$NET.2
RES_IP=$NET.3
ISO_TABLE=vigil_iso_ao_$$
CG_MOUNT=$(findmnt -n -t cgroup2 -o TARGET | head -1)
[[ -n $CG_MOUNT ]] || { echo "SKIP: no cgroup v2 hierarchy" >&2; exit 77; }
CG=vigil_iso_agent_$$

vt_netns_veth "$NS" "$HV" "$NV"
ip addr add "$HOST_IP/29" dev "$HV"
ip addr add "$RES_IP/29" dev "$HV"
ip link set "$HV" up
ip -n "$NS" addr add "$NS_IP/29" dev "$NV"
ip -n "$NS" link set "$NV" up
ip -n "$NS" link set lo up
# `ip netns exec` bind-mounts this over /etc/resolv.conf inside the namespace.
mkdir -p "/etc/netns/$NS"
vt_on_exit "rm -rf /etc/netns/$NS"
echo "nameserver $RES_IP" >"/etc/netns/$NS/resolv.conf"
mkdir "$CG_MOUNT/$CG" || vt_fail "cannot create cgroup $CG"
vt_on_exit "rmdir $CG_MOUNT/$CG"

# ---- the servers on the host side ----
bg() { "$@" >>"$VT_DIR/servers.log" 2>&1 & vt_track_pid $!; }
bg python3 "$TOOL" dns "$RES_IP" "central.vigil.test=$HOST_IP"
bg python3 "$TOOL" udp-echo "$HOST_IP" 53 "$VT_DIR/foreign53.udp"
bg python3 "$(dirname "$0")/nettool.py" listen "$HOST_IP" 53
WPORT=$(kt_free_port)
bg python3 "$TOOL" http 127.0.0.1 "$WPORT" "internet-$$"
"$KT_GEN_CERTS" "$VT_DIR/certs" central.vigil.test "$HOST_IP" >/dev/null || vt_fail "gen-certs failed"
CPORT=$(kt_free_port)
PPORT=$(kt_free_port)
cfg=$(kt_central_config main "$CPORT" "$VT_DIR/certs" false)
sed -i "s/address: 127.0.0.1/address: $HOST_IP/" "$cfg"
"$KT_CENTRAL" serve --config "$cfg" >>"$VT_DIR/central-main.log" 2>&1 &
vt_track_pid $!
KT_CENTRAL_CFG_main=$cfg
vt_wait_until 20 "$KT_CENTRAL" --config "$cfg" stats || vt_fail "vigil-central did not come up"
kt_enroll_token "$cfg"
cat >"$VT_DIR/tinyproxy.conf" <<EOS
Port $PPORT
Listen $HOST_IP
Timeout 30
MaxClients 50
Allow $NS_IP
LogLevel Connect
EOS
bg tinyproxy -d -c "$VT_DIR/tinyproxy.conf"
vt_wait_until 10 bash -c "echo >/dev/tcp/$HOST_IP/$PPORT" || vt_fail "tinyproxy did not start"
vt_wait_until 10 bash -c "echo >/dev/tcp/$HOST_IP/53" || vt_fail "the foreign port-53 server did not start"
vt_wait_until 10 bash -c "echo >/dev/tcp/127.0.0.1/$WPORT" || vt_fail "the web server did not start"

# ---- the agent ----
# start_agent SERVER_URL PROXY_URL [ISOLATION_SETTING]: vigild in its own
# cgroup inside the namespace (self_test off unless the setting says otherwise).
start_agent() {
  kt_agent_config "$VT_DIR/vigil.yaml" "servers: [\"$1\"]
server_ca: $VT_DIR/certs/ca.crt
max_send_delay_s: 1
connect_timeout_s: 3
rate_limit_enabled: false" "$2"
  cat >>"$VT_DIR/vigil.yaml" <<EOS
  isolation:
    enabled: true
    table: $ISO_TABLE
    central_nodes: ["$1"]
    allow_dns: true
    ${3:-self_test: false}
EOS
  sh -c 'echo $$ >"$0/cgroup.procs" && exec ip netns exec "$1" sh -c "mount -t cgroup2 cgroup2 /sys/fs/cgroup; exec \"\$0\" --config \"\$1\"" "$2" "$3"' \
    "$CG_MOUNT/$CG" "$NS" "$VIGIL_BUILD/bin/vigild" "$VT_DIR/vigil.yaml" >>"$VT_DIR/vigild.log" 2>&1 &
  VT_VIGILD_PID=$!
  vt_wait_until 15 vctl status || vt_fail "vigild did not come up in $NS"
  vt_wait_until 15 kt_plugin_settled || vt_fail "kataedr did not start"
  grep -qx "0::/$CG" "/proc/$VT_VIGILD_PID/cgroup" || vt_fail "vigild is not in cgroup $CG"
}
iso_status() { vctl --json isolation status 2>/dev/null; }

# ---- the attackers ----
as_user() { ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_root_elsewhere() { ip netns exec "$NS" "$@"; }
as_user_in_agent_cgroup() {
  sh -c 'echo $$ >"$0/cgroup.procs" && shift && exec "$@"' "$CG_MOUNT/$CG" x \
    ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
# attack WHO EXPECT WHAT ARGS...: runs one attack loop, checks the escapes.
# EXPECT: none (every try must fail) or all (every try must pass).
attack() {
  local who=$1 expect=$2 what=$3 out n
  shift 3
  out=$("$who" "$SYS_PY" "$TOOL" "$@") || vt_fail "$what ($who): tool failed: $out"
  n=$(sed -n 's/.*escaped=\([0-9]*\).*/\1/p' <<<"$out")
  vt_log "$what ($who): $out"
  echo "$what | $who | $out" >>"$VT_DIR/attacks.txt"
  case $expect in
    none) [[ $n == 0 ]] || vt_fail "$what ($who) escaped the isolation: $out" ;;
    all) [[ $out == *"tries=${*: -1} escaped=${*: -1} "* ]] || vt_fail "$what ($who) did not work: $out" ;;
  esac
}
proxy_attack() { attack "$1" "$2" "proxy to the internet" proxy-get "$HOST_IP" "$PPORT" "http://127.0.0.1:$WPORT/" "internet-$$" "$3"; }
dns_tcp_attack() { attack "$1" "$2" "tcp to a foreign port 53" tcp "$HOST_IP" 53 "$3"; }
dns_udp_attack() { attack "$1" "$2" "udp to a foreign port 53" udp "$HOST_IP" 53 "$3"; }

# ---- 1. through the proxy ----
start_agent "https://$HOST_IP:$CPORT" "http://$HOST_IP:$PPORT"
kt_emit network 3 "aoa$$"
kt_wait_events main "aoa$$" 3 20 || vt_fail "the agent does not reach vigil-central through the proxy"
# Not isolated: all of it works (so the attacks below can fail for the right reason).
proxy_attack as_user all 5
dns_tcp_attack as_user all 5
dns_udp_attack as_user all 5

out=$(vctl isolation on --reason "escape test" --timeout_s 600) || vt_fail "isolation on failed: $out"
iso_status | grep -q "\"cgroup\":\"/$CG\"" || vt_fail "status does not name vigild's cgroup: $(iso_status)"
iso_status | grep -q "\"dns_resolvers\":\[\"$RES_IP\"\]" || vt_fail "DNS snapshot wrong: $(iso_status)"
: >"$VT_DIR/foreign53.udp"
for who in as_user as_root_elsewhere as_user_in_agent_cgroup; do
  proxy_attack "$who" none "$TRIES"
  dns_tcp_attack "$who" none "$TRIES"
  dns_udp_attack "$who" none "$TRIES"
done
[[ ! -s $VT_DIR/foreign53.udp ]] || vt_fail "datagrams reached the foreign port 53: $(head -3 "$VT_DIR/foreign53.udp")"
# The configured resolver stays reachable (that is what allow_dns means).
as_user "$SYS_PY" "$TOOL" dns-query "$RES_IP" central.vigil.test >/dev/null || vt_fail "the resolver is not reachable"
# The agent still reaches its central node through the proxy, on new connections too.
kt_emit network 3 "aob$$"
kt_wait_events main "aob$$" 3 30 || vt_fail "isolated agent lost its central node behind the proxy"
t=$(kt_task main "$(kt_agent_id)" ping)
# Up to 60 s: on a loaded machine a ping created while the agent's long poll
# (25 s) is being renewed through the proxy was seen to wait for the next one.
task_state() { kt_cli main task show "$t" --wait 60 --json 2>/dev/null | vt_json 'd["state"]'; }
[[ $(task_state) == done ]] ||
  vt_fail "task through the proxy failed while isolated: $(kt_cli main task show "$t" --json 2>&1 | head -c 600)
kataedr tasks: $(kt_status 's["tasks"]' 2>&1) connector: $(kt_status 's["connector"]' 2>&1)
isolation: $(iso_status | head -c 800)"
vctl isolation off >/dev/null || vt_fail "isolation off failed"
proxy_attack as_user all 5
vt_stop_daemon || vt_fail "vigild did not stop cleanly"

# ---- 2. over port 53: the agent finds its central node by name ----
start_agent "https://central.vigil.test:$CPORT" ""
out=$(vctl isolation on --reason "escape test, dns" --timeout_s 600) || vt_fail "isolation on failed: $out"
iso_status | grep -q "\"central.vigil.test:$CPORT\":\[\"$HOST_IP\"\]" ||
  vt_fail "central node name not resolved through the resolver: $(iso_status)"
for who in as_user as_root_elsewhere; do
  dns_tcp_attack "$who" none "$TRIES"
  dns_udp_attack "$who" none "$TRIES"
done
# Nobody but the agent reaches the central node's port either.
attack as_user none "tcp connect to the central node" connect "$HOST_IP" "$CPORT" 50
kt_emit network 3 "aoc$$"
kt_wait_events main "aoc$$" 3 30 || vt_fail "isolated agent lost its central node found through DNS"
vctl isolation off >/dev/null || vt_fail "isolation off failed"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"

# ---- 3. the self-test judges by an authenticated exchange, not a TCP connect ----
self_test_is() { iso_status | grep -q "\"self_test\":\"$1\""; }
iso_released() { iso_status | grep -q '"isolated":false'; }
# 3a. The real central node: passed because an authenticated exchange worked.
start_agent "https://$HOST_IP:$CPORT" "" "self_test_timeout_s: 8"
out=$(vctl --json kataedr check_contact --timeout_ms 5000 2>&1) || vt_fail "check_contact failed while not isolated: $out"
[[ $out == *"\"central\":\"https://$HOST_IP:$CPORT\""* ]] || vt_fail "check_contact answer: $out"
vctl isolation on --reason "self-test, real central node" --timeout_s 600 >/dev/null || vt_fail "isolation on failed"
vt_wait_until 15 self_test_is passed || vt_fail "self-test did not pass: $(iso_status)"
iso_status | grep -q "authenticated exchange with https://$HOST_IP:$CPORT succeeded" ||
  vt_fail "self-test detail: $(iso_status)"
vt_log "real central node: $(iso_status | vt_json 'd["result"]["self_test_detail"]')"
vctl isolation off >/dev/null || vt_fail "isolation off failed"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
# 3b. An imposter on the path: a TLS server with a certificate for the central
# node's address from another CA. A TCP connect (the old probe) succeeds; the
# self-test must neither pass nor roll the isolation back.
"$KT_GEN_CERTS" "$VT_DIR/imposter" "$HOST_IP" >/dev/null || vt_fail "gen-certs (imposter) failed"
IPORT=$(kt_free_port)
bg openssl s_server -quiet -www -accept "$HOST_IP:$IPORT" -cert "$VT_DIR/imposter/server.crt" -key "$VT_DIR/imposter/server.key"
vt_wait_until 10 bash -c "echo >/dev/tcp/$HOST_IP/$IPORT" || vt_fail "the imposter did not start"
start_agent "https://$HOST_IP:$IPORT" "" "self_test_timeout_s: 4"
out=$(vctl --json kataedr check_contact --timeout_ms 3000 2>&1) && vt_fail "check_contact trusted the imposter: $out"
[[ $out == *"tls: "* ]] || vt_fail "check_contact against the imposter: $out"
vctl isolation on --reason "self-test, imposter" --timeout_s 600 >/dev/null || vt_fail "isolation on failed"
vt_wait_until 20 self_test_is inconclusive || vt_fail "imposter: self-test not inconclusive: $(iso_status)"
iso_status | grep -q '"isolated":true' || vt_fail "the imposter got the isolation rolled back: $(iso_status)"
ip netns exec "$NS" "$SYS_PY" "$(dirname "$0")/nettool.py" connect "$HOST_IP" 53 2>/dev/null &&
  vt_fail "not isolated after the imposter's self-test"
vt_log "imposter: $(iso_status | vt_json 'd["result"]["self_test_detail"]')"
vctl isolation off >/dev/null || vt_fail "isolation off failed"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
# 3c. Nothing answers on the central node's port: every authenticated
# exchange fails to reach it, so the isolation is rolled back.
DPORT=$(kt_free_port)
start_agent "https://$HOST_IP:$DPORT" "" "self_test_timeout_s: 4"
vctl isolation on --reason "self-test, dead central node" --timeout_s 600 >/dev/null || vt_fail "isolation on failed"
vt_wait_until 20 iso_released ||
  vt_fail "no rollback with the central node down: $(iso_status)"
iso_status | grep -q '"action":"rollback"' || vt_fail "not a rollback: $(iso_status)"
iso_status | grep -q 'self-test: no authenticated exchange with a central node in' ||
  vt_fail "rollback reason: $(iso_status)"
vt_log "dead central node: $(iso_status | vt_json 'd["result"]["last_change"]["reason"]')"
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
cat "$VT_DIR/attacks.txt" >&2
vt_pass
