# Helpers for the web_threat interception tests (source after
# tests/lib/vigil.sh). Two namespaces joined by a veth pair, nothing in the
# root namespace; names carry the test's PID so runs never collide:
#   client  10.9.0.1  fd09::1   vigild + web_threat (the worker, its nft tables), curl
#   origin  10.9.0.2  fd09::2   wt_origin.py: HTTP 80/8080, TLS 443, DNS 53, SOCKS5 1080, banner 8000
#           10.9.0.66           (same server, an address on the IP block list)
# Leaks are counted by nft counters in the origin namespace: packets from
# the client per port must not move for a blocked request.
set +o pipefail
WT_TAG=${WT_TAG:-$$}
WT_C=wt_c_$WT_TAG
WT_O=wt_o_$WT_TAG
WT_UID=${WT_UID:-64987}
WT_HELPER=$(dirname "${BASH_SOURCE[0]}")/wt_origin.py

wt_skip() { echo "SKIP: $*" >&2; exit 77; }

wt_require() {
  [[ $(id -u) -eq 0 ]] || wt_skip "needs root (network namespaces, nftables)"
  local missing
  missing=$(for t in nft ip curl openssl python3; do command -v "$t" >/dev/null || echo "$t"; done)
  [[ -z $missing ]] || wt_skip "not installed (tools/setup): $missing"
  [[ -f $VIGIL_BUILD/plugins/web_threat.so && -x $VIGIL_BUILD/libexec/vigil-web-worker ]] ||
    wt_skip "web_threat.so / vigil-web-worker not built"
}

wt_topology_up() {
  vt_on_exit wt_topology_down
  ip netns add "$WT_C" || vt_fail "cannot create netns $WT_C"
  ip netns add "$WT_O" || vt_fail "cannot create netns $WT_O"
  ip link add "wtc$WT_TAG" netns "$WT_C" type veth peer name "wto$WT_TAG" netns "$WT_O" || vt_fail "veth"
  ip -n "$WT_C" link set lo up
  ip -n "$WT_O" link set lo up
  ip -n "$WT_C" addr add 10.9.0.1/24 dev "wtc$WT_TAG"
  ip -n "$WT_C" addr add fd09::1/64 dev "wtc$WT_TAG" nodad
  ip -n "$WT_O" addr add 10.9.0.2/24 dev "wto$WT_TAG"
  ip -n "$WT_O" addr add 10.9.0.66/24 dev "wto$WT_TAG"
  ip -n "$WT_O" addr add fd09::2/64 dev "wto$WT_TAG" nodad
  ip -n "$WT_C" link set "wtc$WT_TAG" up
  ip -n "$WT_O" link set "wto$WT_TAG" up
  ip netns exec "$WT_O" nft -f - <<'NFT' || vt_fail "origin counters"
table inet wt_leak {
  counter p80 {}
  counter p443 {}
  counter p8080 {}
  counter p53 {}
  counter p53v6 {}
  counter p1080 {}
  counter p3128 {}
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr 10.9.0.1 tcp dport 80 counter name p80
    ip6 saddr fd09::1 tcp dport 80 counter name p80
    ip saddr 10.9.0.1 tcp dport 443 counter name p443
    ip6 saddr fd09::1 tcp dport 443 counter name p443
    ip saddr 10.9.0.1 tcp dport 8080 counter name p8080
    ip saddr 10.9.0.1 udp dport 53 counter name p53
    ip saddr 10.9.0.1 tcp dport 53 counter name p53
    ip6 saddr fd09::1 meta l4proto { tcp, udp } th dport 53 counter name p53
    ip6 saddr fd09::1 meta l4proto { tcp, udp } th dport 53 counter name p53v6
    ip saddr 10.9.0.1 tcp dport 1080 counter name p1080
    ip saddr 10.9.0.1 tcp dport 3128 counter name p3128
  }
}
NFT
}

wt_topology_down() {
  ip netns pids "$WT_C" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns pids "$WT_O" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$WT_C" 2>/dev/null
  ip netns del "$WT_O" 2>/dev/null
  return 0
}

# wt_origin_up: certificate for ok.test/blocked.test/shared.test, then the
# servers (WT_ORIGIN_ARGS: more wt_origin.py options).
wt_origin_up() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=ok.test \
    -addext "subjectAltName=DNS:ok.test,DNS:blocked.test,DNS:shared.test,DNS:trusted.test" \
    -keyout "$VT_DIR/key.pem" -out "$VT_DIR/cert.pem" >/dev/null 2>&1 || vt_fail "openssl req"
  ip netns exec "$WT_O" /usr/bin/python3 "$WT_HELPER" --http 10.9.0.2:80 --http 10.9.0.2:8080 --http 10.9.0.66:80 \
    --http '[fd09::2]:80' --tls 10.9.0.2:443 --tls '[fd09::2]:443' --cert "$VT_DIR/cert.pem" --key "$VT_DIR/key.pem" \
    --dns 10.9.0.2 --dns fd09::2 --socks 10.9.0.2:1080 --banner 10.9.0.2:8000 ${WT_ORIGIN_ARGS:-} >"$VT_DIR/origin.log" 2>&1 &
  vt_track_pid $!
  vt_wait_until 10 grep -q ready "$VT_DIR/origin.log" || vt_fail "origin servers did not start: $(cat "$VT_DIR/origin.log")"
}

# wt_config FILE [extra web_threat settings lines...]: the agent config with
# web_threat intercepting in the client namespace (lists in $VT_DIR/lists;
# WT_TRUSTED: the trusted_addresses, default trusted.blocked.test;
# WT_DNS_UPSTREAMS: the dns_upstreams, default 10.9.0.2).
wt_config() {
  local file=$1; shift
  mkdir -p "$VT_DIR/lists" && chmod 0755 "$VT_DIR/lists"
  printf 'blocked.test\n10.9.0.66\n' >"$VT_DIR/lists/domains.txt"
  printf 'http://shared.test/bad/\n' >"$VT_DIR/lists/urls.txt"
  chmod 0644 "$VT_DIR/lists"/*.txt
  {
    vt_agent_section
    cat <<EOF2
plugins:
  web_threat:
    enabled: true
    worker_user: "$WT_UID"
    dns_upstreams: [${WT_DNS_UPSTREAMS:-10.9.0.2}]
    trusted_addresses: [${WT_TRUSTED:-trusted.blocked.test}]
    lists:
      - {name: bad-domains, path: $VT_DIR/lists/domains.txt, format: domains}
      - {name: bad-urls, path: $VT_DIR/lists/urls.txt, format: urls}
EOF2
    local line
    for line in "$@"; do echo "    $line"; done
  } >"$file"
}

# wt_start CONFIG: vigild in the client namespace; waits until the worker intercepts.
wt_start() {
  ip netns exec "$WT_C" "$VIGIL_BUILD/bin/vigild" --config "$1" >>"$VT_DIR/vigild.log" 2>&1 &
  VT_VIGILD_PID=$!
  vt_wait_until 15 vctl status || vt_fail "vigild did not come up"
  vt_wait_until 15 wt_running || vt_fail "the worker is not intercepting: $(wt_st "s.get('interception')")"
}

wt_st() { vt_status web_threat "$1"; }
wt_running() { [[ $(wt_st "s.get('interception', {}).get('worker')") == running ]]; }
wt_worker_pid() { wt_st "s['interception']['pid']"; }

# wt_count PORT: packets from the client the origin received on PORT.
wt_count() {
  ip netns exec "$WT_O" nft list counter inet wt_leak "p$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# wt_count_settled PORT: wt_count once the earlier connections' last packets
# (the worker closing its side after the client) have come in: the base for
# a leak count right after an allowed request.
wt_count_settled() {
  local a b
  b=$(wt_count "$1")
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    sleep 0.2
    a=$b b=$(wt_count "$1")
    [[ $a == "$b" ]] && break
  done
  echo "$b"
}

# wt_curl ARGS...: curl in the client namespace; prints "HTTP-code body" (code 000 on failure).
wt_curl() { ip netns exec "$WT_C" curl -s -m 5 -w ' %{http_code}' "$@" 2>/dev/null; }

wt_has_table() { ip netns exec "$WT_C" nft list tables 2>/dev/null | grep -q "inet $1\$"; }

# wt_events: record threat and action_result events (after wt_start).
wt_events() {
  local kind file
  for kind in threat:threats action_result:actions; do
    file=$VT_DIR/${kind#*:}.log
    vctl events --type "${kind%%:*}" >>"$file" 2>/dev/null &
    vt_track_pid $!
  done
  sleep 0.3
}

# wt_threats: "action|protocol|object|rule_id" per threat event so far.
wt_threats() {
  python3 - "$VT_DIR/threats.log" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        p = json.loads(line)["payload"]
        e = json.loads(p["details_json"])
    except Exception:
        continue
    print(f'{e["action"]}|{e["protocol"]}|{p["object"]}|{p["rule_id"]}')
PY
}

# wt_wait_threat LINE: waits up to 5 s for a threat line (wt_threats format).
wt_wait_threat() {
  local i
  for ((i = 0; i < 50; i++)); do
    wt_threats | grep -qxF "$1" && return 0
    sleep 0.1
  done
  return 1
}

# wt_dns NAME TYPE [tcp] [RESOLVER]: the addresses in the answer the client gets from
# RESOLVER:53 (10.9.0.2 unless given; through the redirect; over UDP, or TCP), or "rcode N" / "timeout";
# an HTTPS record shows as "https:KEY=VALUE,..." (its SvcParams, values in hex).
wt_dns() {
  ip netns exec "$WT_C" python3 - "$1" "${2:-1}" "${3:-udp}" "${4:-10.9.0.2}" <<'PY'
import socket, struct, sys
name, qtype, tcp, server = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "tcp", sys.argv[4]
q = b"\x42\x42\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\x00" + struct.pack("!HH", qtype, 1)
family = socket.AF_INET6 if ":" in server else socket.AF_INET
s = socket.socket(family, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
s.settimeout(3)
try:
    if tcp:
        s.connect((server, 53))
        s.sendall(struct.pack("!H", len(q)) + q)
        r, peer = b"", s.getpeername()
        while len(r) < 2 or len(r) < 2 + struct.unpack("!H", r[:2])[0]:
            more = s.recv(4096)
            if not more:
                print("closed"); sys.exit(0)
            r += more
        r = r[2:]
    else:
        s.sendto(q, (server, 53))
        r, peer = s.recvfrom(4096)
except socket.timeout:
    print("timeout"); sys.exit(0)
rcode, an = r[3] & 15, struct.unpack("!H", r[6:8])[0]
if rcode:
    print("rcode", rcode); sys.exit(0)
off = len(q)
out = []
for _ in range(an):
    off += 2 if r[off] & 0xC0 == 0xC0 else r.index(0, off) + 1 - off
    t, _c, _ttl, n = struct.unpack("!HHIH", r[off:off + 10])
    off += 10
    if t in (1, 28):
        out.append(socket.inet_ntop(socket.AF_INET if t == 1 else socket.AF_INET6, r[off:off + n]))
    if t == 65:
        p, end, kv = off + 3, off + n, []
        while p + 4 <= end:
            k, ln = struct.unpack("!HH", r[p:p + 4])
            kv.append("%d=%s" % (k, r[p + 4:p + 4 + ln].hex()))
            p += 4 + ln
        out.append("https:" + ",".join(kv))
    off += n
print(" ".join(out) if out else "nodata", "from", peer[0])
PY
}
