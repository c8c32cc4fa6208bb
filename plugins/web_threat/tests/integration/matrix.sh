#!/usr/bin/env bash
# The cheap cases of the matrix (README, "Test matrix"), in private
# namespaces: F20 the worker's own connections never come back to it (one
# origin connection per request), F21 a ClientHello sent in pieces with
# pauses is still judged by its SNI, F27 64 MiB through the worker arrive
# intact (sha256), F26 with the isolation plugin isolating, connections
# to monitored ports are cut too, and F24 after vigild stops `nft list ruleset` is what it was
# before it started.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/wt_lib.sh"
vt_init web_threat_matrix
wt_require
[[ -f $VIGIL_BUILD/plugins/isolation.so ]] || wt_skip "isolation.so not built"
wt_topology_up
wt_origin_up
ip netns exec "$WT_O" nft add counter inet wt_leak syn80 &&
  ip netns exec "$WT_O" nft add rule inet wt_leak input ip saddr 10.9.0.1 tcp dport 80 tcp flags syn counter name syn80 ||
  vt_fail "origin SYN counter"
syns() { ip netns exec "$WT_O" nft list counter inet wt_leak syn80 | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
ip netns exec "$WT_C" nft list ruleset >"$VT_DIR/ruleset.before"
iso_table=vigil_iso_wt$$
wt_config "$VT_DIR/vigil.yaml"
cat >>"$VT_DIR/vigil.yaml" <<EOS
  isolation:
    enabled: true
    table: $iso_table
    self_test: false
    central_nodes: ["127.0.0.1:9"]
EOS
wt_start "$VT_DIR/vigil.yaml"
res=(--resolve ok.test:80:10.9.0.2)

# F20: 10 requests, 10 connections at the origin (the worker's upstream
# connections are excluded from the redirect by its uid).
before=$(syns)
for i in $(seq 10); do [[ $(wt_curl "${res[@]}" "http://ok.test/self$i") == *" 200" ]] || vt_fail "request $i failed"; done
[[ $(($(syns) - before)) == 10 ]] || vt_fail "F20: $(($(syns) - before)) connections at the origin for 10 requests"
vt_log "F20 self-traffic: 10 requests, 10 origin connections"

# F21: the ClientHello in 3 pieces, 150 ms apart: blocked SNI -> alert
# unrecognized_name (112), allowed SNI -> the origin's ServerHello; over
# IPv4 and IPv6 (hello NAME ADDRESS).
hello() {
  ip netns exec "$WT_C" python3 - "$1" "$2" <<'PY'
import socket, ssl, sys, time
ctx = ssl.create_default_context()
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out, server_hostname=sys.argv[1])
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = out.read()
s = socket.create_connection((sys.argv[2], 443), timeout=3)
third = len(hello) // 3
for piece in (hello[:third], hello[third:2 * third], hello[2 * third:]):
    s.sendall(piece)
    time.sleep(0.15)
r = s.recv(7)
print("alert %d" % r[6] if r[:1] == b"\x15" else "serverhello" if r[:1] == b"\x16" else "other %r" % r)
PY
}
for addr in 10.9.0.2 fd09::2; do
  before=$(wt_count_settled 443)
  got=$(hello blocked.test $addr)
  [[ $got == "alert 112" ]] || vt_fail "F21: split hello for blocked.test to $addr: $got"
  [[ $(wt_count 443) == "$before" ]] || vt_fail "F21: split hello for blocked.test to $addr: the origin received packets"
  got=$(hello ok.test $addr)
  [[ $got == serverhello ]] || vt_fail "F21: split hello for ok.test to $addr: $got"
done
vt_log "F21 ClientHello in 3 pieces 150 ms apart, IPv4 and IPv6: blocked -> alert 112 (origin +0), allowed -> ServerHello"

# F27: 64 MiB through the worker, byte for byte.
want=$(python3 -c '
import hashlib
h, block, n = hashlib.sha256(), bytes(range(256)) * 256, 64 << 20
while n > 0:
    h.update(block[:n]); n -= min(n, len(block))
print(h.hexdigest())')
t0=$(date +%s%N)
got=$(ip netns exec "$WT_C" curl -s -m 60 "${res[@]}" http://ok.test/bytes/67108864 | sha256sum | cut -d' ' -f1)
ms=$((($(date +%s%N) - t0) / 1000000))
[[ $got == "$want" ]] || vt_fail "F27: sha256 of 64 MiB through the worker differs"
vt_log "F27 64 MiB through the worker intact in $ms ms"

# F26: isolation on: a connection to a monitored port goes nowhere (the
# isolation drops it, or the worker's upstream, which is not the agent's
# central-node flow); off: back to normal through the worker.
out=$(vctl isolation on --reason "web_threat coexistence" --timeout_s 600 2>&1) || vt_fail "isolation on failed: $out"
before=$(wt_count 80)
[[ $(wt_curl "${res[@]}" http://ok.test/isolated) != *" 200" ]] || vt_fail "F26: a site loaded through the worker while isolated"
[[ $(wt_count 80) == "$before" ]] || vt_fail "F26: the origin received packets while isolated"
# An isolation exclusion for the origin's port 80 is honoured through the
# worker (its upstream connection is what the exclusion allows); port 8080
# stays cut.
out=$(vctl isolation on --reason "web_threat exclusion" --timeout_s 600 \
  --exclusions '[{"direction":"outbound","protocol":"tcp","remote_address":"10.9.0.2","remote_ports":"80"}]' 2>&1) ||
  vt_fail "isolation on with an exclusion failed: $out"
[[ $(wt_curl "${res[@]}" http://ok.test/excluded) == "origin /excluded"*" 200" ]] ||
  vt_fail "F26: the isolation exclusion was not honoured through the worker"
[[ $(wt_curl http://10.9.0.2:8080/cut) != *" 200" ]] || vt_fail "F26: a port outside the exclusion loaded while isolated"
vctl isolation off >/dev/null || vt_fail "isolation off failed"
[[ $(wt_curl "${res[@]}" http://ok.test/released) == *" 200" ]] || vt_fail "F26: not back after isolation off"
vt_log "F26 isolation: cut (origin +0), an exclusion honoured through the worker, released"

# F24: stopping removes everything the plugins added.
vt_stop_daemon || vt_fail "vigild did not stop cleanly"
ip netns exec "$WT_C" nft list ruleset >"$VT_DIR/ruleset.after"
diff -u "$VT_DIR/ruleset.before" "$VT_DIR/ruleset.after" >&2 || vt_fail "F24: nft ruleset differs after stop"
vt_log "F24 nft list ruleset after stop == before start"
vt_pass
