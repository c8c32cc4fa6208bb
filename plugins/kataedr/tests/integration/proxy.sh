#!/usr/bin/env bash
# kataedr, the connector to the central node: through a real HTTP proxy (tinyproxy, allowed to
# CONNECT only to the central node's port, with Basic auth) the agent
# connects, while the direct path is blocked: vigild runs in a network
# namespace of its own whose only way out is a veth link to the proxy; the
# central node listens on the host's loopback, which the namespace cannot reach.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/kataedr_lib.sh"
kt_require_central
command -v tinyproxy >/dev/null || vt_fail "tinyproxy is not installed (tools/setup installs it)"
vt_init kataedr_proxy

ns="ktp$$"
hv="kth$$"
nv="ktn$$"
net="10.213.$(($$ % 250))"
host_ip="$net.1"
ns_ip="$net.2"
ip netns add "$ns" || vt_fail "cannot create netns"
vt_on_exit "ip netns del $ns"
ip link add "$hv" type veth peer name "$nv" || vt_fail "cannot create veth"
vt_on_exit "ip link del $hv"
ip link set "$nv" netns "$ns"
ip addr add "$host_ip/30" dev "$hv"
ip link set "$hv" up
ip netns exec "$ns" ip addr add "$ns_ip/30" dev "$nv"
ip netns exec "$ns" ip link set "$nv" up
ip netns exec "$ns" ip link set lo up

kt_certs "$VT_DIR/certs"
cport=$(kt_free_port)
pport=$(kt_free_port)
kt_start_central main "$cport" "$VT_DIR/certs"

cat >"$VT_DIR/tinyproxy.conf" <<EOS
Port $pport
Listen $host_ip
Timeout 60
MaxClients 20
Allow $ns_ip
ConnectPort $cport
BasicAuth kt s3cret
LogLevel Connect
EOS
tinyproxy -d -c "$VT_DIR/tinyproxy.conf" >"$VT_DIR/tinyproxy.log" 2>&1 &
vt_track_pid $!
vt_wait_until 10 bash -c "echo > /dev/tcp/$host_ip/$pport" || vt_fail "tinyproxy did not start: $(cat "$VT_DIR/tinyproxy.log")"

# The direct path is blocked, the proxied one works (checked with curl first).
if ip netns exec "$ns" curl -s --max-time 3 --cacert "$VT_DIR/certs/ca.crt" "https://127.0.0.1:$cport/" >/dev/null; then
  vt_fail "the namespace reaches the central node directly"
fi
ip netns exec "$ns" curl -s --max-time 5 --cacert "$VT_DIR/certs/ca.crt" --proxy "http://kt:s3cret@$host_ip:$pport" \
  -o /dev/null "https://127.0.0.1:$cport/api/v1/agent/tasks" || vt_fail "curl through tinyproxy failed"

start_agent_in_ns() {  # start_agent_in_ns PROXY_URL
  kt_agent_config "$VT_DIR/vigil.yaml" "servers: [\"https://127.0.0.1:$cport\"]
server_ca: $VT_DIR/certs/ca.crt
max_send_delay_s: 1
connect_timeout_s: 3
rate_limit_enabled: false" "$1"
  ip netns exec "$ns" "$VIGIL_BUILD/bin/vigild" --config "$VT_DIR/vigil.yaml" >>"$VT_DIR/vigild.log" 2>&1 &
  VT_VIGILD_PID=$!
  vt_wait_until 15 vctl status || vt_fail "vigild did not come up in the namespace"
  vt_wait_until 15 kt_plugin_settled || vt_fail "kataedr did not start in the namespace"
}

# Wrong proxy credentials: a clear proxy error.
start_agent_in_ns "http://kt:wrong@$host_ip:$pport"
vt_wait_until 15 kt_status_ok "s.get('last_error') and s['last_error']['kind']=='proxy'" ||
  vt_fail "no proxy error with wrong credentials: $(kt_status 's')"
vt_log "wrong proxy password: $(kt_status "s['last_error']['message']")"
vt_stop_daemon

# Right credentials: telemetry and tasks flow through the proxy.
start_agent_in_ns "http://kt:s3cret@$host_ip:$pport"
m="ktpx$$x"
kt_emit network 5 "$m"
kt_wait_events main "$m" 5 15 || vt_fail "events did not arrive through the proxy: $(kt_status 's')"
kt_status_ok "s['proxy']=='$host_ip:$pport' and s['connected']" || vt_fail "status: $(kt_status 's')"
t=$(kt_task main "$(kt_agent_id)" ping)
[[ $(kt_task_field main "$t" 'd["state"]') == done ]] || vt_fail "ping through the proxy failed"
grep -q "CONNECT" "$VT_DIR/tinyproxy.log" || vt_fail "tinyproxy saw no CONNECT: $(tail "$VT_DIR/tinyproxy.log")"
vt_pass
