#!/usr/bin/env bash
# Listed IP addresses enforced in the plugin's static nftables table (F12)
# and trusted networks left out of the redirect (F17), in private namespaces:
# a listed address (10.9.0.66) is refused at once on every port and protocol
# (TCP reset on a port the worker does not see, ICMP for UDP and ping; the
# monitored ports get the worker's block page), with 0 packets at the origin,
# also while the worker is down; web_threat.set_lists changes the set in one
# transaction; a trusted address (10.9.0.77) is connected directly, not
# through the worker (the origin sees the client's own port); notify mode
# counts instead of refusing. Each case also over IPv6 in the same run: a
# listed fd09::66 and a listed CIDR fd09::6:0/112 (fd09::6:1), an unlisted
# fd09::88, a trusted CIDR fd09::7:0/112 (fd09::7:7).
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/wt_lib.sh"
vt_init web_threat_addresses
wt_require
wt_topology_up
wt_origin_up
for a in 10.9.0.77 10.9.0.88; do ip -n "$WT_O" addr add "$a/24" dev "wto$WT_TAG"; done
for a in fd09::66 fd09::6:1 fd09::88 fd09::7:7; do ip -n "$WT_O" addr add "$a/64" dev "wto$WT_TAG" nodad; done
probed=(10.9.0.66 10.9.0.88 fd09::66 fd09::6:1 fd09::88)
ip netns exec "$WT_O" /usr/bin/python3 "$WT_HELPER" --http 10.9.0.77:80 --http '[fd09::7:7]:80' \
  $(for a in "${probed[@]}"; do echo "--banner $a:22 --udp $a:5000"; done) >"$VT_DIR/origin2.log" 2>&1 &
vt_track_pid $!
vt_wait_until 10 grep -q ready "$VT_DIR/origin2.log" || vt_fail "second origin did not start"
# Every packet to a probed address, whatever its protocol, is counted at the origin.
counter_name() { echo "to_${1//[:.]/_}"; }
{
  echo "table inet wt_ip {"
  for a in "${probed[@]}"; do echo "counter $(counter_name "$a") {}"; done
  echo "chain input { type filter hook input priority 0; policy accept;"
  for a in "${probed[@]}"; do
    [[ $a == *:* ]] && family=ip6 || family=ip
    echo "$family daddr $a counter name $(counter_name "$a")"
  done
  echo "}"
  echo "}"
} | ip netns exec "$WT_O" nft -f - || vt_fail "origin counters"
ip_count() { ip netns exec "$WT_O" nft list counter inet wt_ip "$(counter_name "$1")" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
# static_count NAME: the plugin's own counter (ip_refused, ip_notified) in the client namespace.
static_count() { ip netns exec "$WT_C" nft list counter inet vigil_web_static "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

# probe ADDR: "tcp22=<errno|ok> udp=<errno|echo|timeout> ping=<ok|fail>" from the client namespace
# (IPv4 or IPv6: ICMP or ICMPv6 echo).
probe() {
  ip netns exec "$WT_C" python3 - "$1" <<'PY'
import socket, struct, sys
addr = sys.argv[1]
family = socket.AF_INET6 if ":" in addr else socket.AF_INET
try:
    s = socket.create_connection((addr, 22), timeout=2)
    tcp = "ok" if s.recv(100).startswith(b"SSH-2.0") else "nobanner"
except OSError as e:
    tcp = str(e.errno)
u = socket.socket(family, socket.SOCK_DGRAM)
u.settimeout(1)
try:
    u.connect((addr, 5000))
    u.send(b"x")
    udp = "echo" if u.recv(10) == b"x" else "other"
except socket.timeout:
    udp = "timeout"
except OSError as e:
    udp = str(e.errno)
# ICMP echo over a raw socket (no ping binary needed). ICMPv6: the kernel
# fills in the checksum and hands over the message without the IP header.
v6 = family == socket.AF_INET6
r = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
r.settimeout(1)
body = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, 0x1616, 1) + b"vigil"
total = sum(struct.unpack("!%dH" % (len(body) // 2), body[:len(body) // 2 * 2])) + (body[-1] << 8 if len(body) % 2 else 0)
total = (total >> 16) + (total & 0xFFFF)
checksum = 0 if v6 else ~(total + (total >> 16)) & 0xFFFF
reply, head = (129, 0) if v6 else (0, 20)
ping = "fail"
try:
    r.sendto(body[:2] + struct.pack("!H", checksum) + body[4:], (addr, 0))
    while ping == "fail":
        data, peer = r.recvfrom(1500)
        if peer[0] == addr and data[head] == reply and data[head + 4:head + 6] == b"\x16\x16":
            ping = "ok"
except OSError:
    pass
print("tcp22=%s udp=%s ping=%s" % (tcp, udp, ping), flush=True)
PY
}

# config FILE [settings...]: wt_config, and the file list gets an IPv6 address and CIDR too.
config() {
  wt_config "$@"
  printf 'fd09::66\nfd09::6:0/112\n' >>"$VT_DIR/lists/domains.txt"
}
# url ADDR: http://ADDR/ ([ADDR] for IPv6).
url() { [[ $1 == *:* ]] && echo "http://[$1]/" || echo "http://$1/"; }
# in_set SET ENTRY...: every ENTRY is an element of the static table's SET.
in_set() {
  local set=$1 elements e
  shift
  elements=$(ip netns exec "$WT_C" nft list set inet vigil_web_static "$set")
  for e; do grep -qF " $e" <<<"$elements" || return 1; done
}

WT_TRUSTED="trusted.blocked.test, 10.9.0.77/32, 'fd09::7:0/112'"
config "$VT_DIR/vigil.yaml"
wt_start "$VT_DIR/vigil.yaml"
wt_events
wt_has_table vigil_web_static || vt_fail "no static table"
in_set block_v4 10.9.0.66 && in_set block_v6 fd09::66 fd09::6:0/112 ||
  vt_fail "listed addresses not in the address sets: $(ip netns exec "$WT_C" nft list table inet vigil_web_static)"

# F12: a listed address (IPv4, IPv6, IPv6 in a listed CIDR): TCP 22 reset
# (ECONNREFUSED), UDP and ping refused, nothing reaches it; its monitored web
# port still gets the block page from the worker.
for a in 10.9.0.88 fd09::88; do
  [[ $(probe "$a") == "tcp22=ok udp=echo ping=ok" ]] || vt_fail "unlisted address $a unreachable: $(probe "$a")"
done
for a in 10.9.0.66 fd09::66 fd09::6:1; do
  before=$(ip_count "$a") refused=$(static_count ip_refused)
  got=$(probe "$a")
  [[ $got =~ ^tcp22=111\ udp=(1|13|111|113)\ ping=fail$ ]] || vt_fail "listed address $a: $got"
  [[ $(wt_curl "$(url "$a")") == *'vigil-block-page'*" 403" ]] || vt_fail "listed address $a: no block page on port 80"
  [[ $(ip_count "$a") == "$before" ]] || vt_fail "listed address $a: the origin received $(($(ip_count "$a") - before)) packets"
  refused=$(($(static_count ip_refused) - refused))
  ((refused >= 3)) || vt_fail "listed address $a: the static table counted $refused refused packets (TCP, UDP, ping)"
  vt_log "F12 listed address $a: $got, port 80 block page, origin packets +0, refused packets +$refused"
done
# The block pages are reported with the entry that matched (the CIDR for fd09::6:1).
for want in "blocked|http|http://10.9.0.66/|bad-domains:10.9.0.66" "blocked|http|http://[fd09::66]/|bad-domains:fd09::66" \
  "blocked|http|http://[fd09::6:1]/|bad-domains:fd09::6:0/112"; do
  wt_wait_threat "$want" || vt_fail "no threat event '$want'; got: $(wt_threats)"
done
# (the status is published at least every 10 s)
vt_wait_until 12 vt_status_ok web_threat "s['interception']['ip_refused_packets'] > 0" ||
  vt_fail "status counts no refused packets: $(wt_st "s['interception']")"
vt_log "F12 status: ip_refused_packets=$(wt_st "s['interception']['ip_refused_packets']")"

# F12 with the worker down: kill -9; once its redirect is gone (the kernel
# deletes the owned table), only the static table stands between the client
# and the addresses: probe until the worker is back (0.5 s later).
listed=(10.9.0.66 fd09::66 fd09::6:1)
before=$(for a in "${listed[@]}"; do ip_count "$a"; done | xargs)
got=$(ip netns exec "$WT_C" python3 - "$(wt_worker_pid)" "${listed[@]}" <<'PY'
import os, socket, subprocess, sys, time
os.kill(int(sys.argv[1]), 9)
t0 = time.monotonic()
while b"vigil_web_redirect" in subprocess.run(["nft", "list", "tables"], capture_output=True).stdout:
    if time.monotonic() - t0 > 2:
        print("the redirect table stayed"); sys.exit(0)
seen = set()
while time.monotonic() - t0 < 0.3:
    for addr in sys.argv[2:]:
        for port in (80, 22):
            s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
            s.settimeout(0.2)
            what = "%s/%d:" % (addr, port)
            try:
                s.connect((addr, port))
                # Only a worker that is back already may take it: its block page.
                s.settimeout(3)
                host = "[%s]" % addr if ":" in addr else addr
                s.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % host.encode())
                page = s.makefile("rb").read()
                seen.add(what + ("blockpage" if b"vigil-block-page" in page else "other"))
            except socket.timeout:
                seen.add(what + "noanswer")
            except OSError as e:
                seen.add(what + str(e.errno))
            s.close()
print(" ".join(sorted(seen)))
PY
)
want=$(for a in "${listed[@]}"; do echo "$a/22:111"; echo "$a/80:111"; done | sort | xargs)
[[ $(tr ' ' '\n' <<<"$got" | grep -v '/80:blockpage$' | sort | xargs) == "$want" ]] ||
  vt_fail "listed addresses while the worker is down: $got"
[[ $(for a in "${listed[@]}"; do ip_count "$a"; done | xargs) == "$before" ]] ||
  vt_fail "a listed address was reached while the worker was down"
vt_wait_until 5 wt_running || vt_fail "the worker did not come back"
vt_log "F12 worker killed: every connection to the listed addresses refused ($got), origin packets +0"

# The sets follow the lists: a central list adds 10.9.0.88 and fd09::88, in one transaction.
vctl web_threat set_lists --lists '[{"name":"central-ips","format":"ips","content":"10.9.0.88\nfd09::88\n"}]' >/dev/null ||
  vt_fail "set_lists failed"
in_set block_v4 10.9.0.88 && in_set block_v6 fd09::88 || vt_fail "10.9.0.88 / fd09::88 not added"
for a in 10.9.0.88 fd09::88; do
  before=$(ip_count "$a")
  [[ $(probe "$a") == "tcp22=111 "* ]] || vt_fail "newly listed address $a reachable: $(probe "$a")"
  [[ $(ip_count "$a") == "$before" ]] || vt_fail "newly listed address $a: the origin received packets"
done
vctl web_threat set_lists --lists '[]' >/dev/null || vt_fail "set_lists [] failed"
for a in 10.9.0.88 fd09::88; do
  [[ $(probe "$a") == "tcp22=ok udp=echo ping=ok" ]] || vt_fail "$a still refused after its list was removed"
done
in_set block_v4 10.9.0.66 && in_set block_v6 fd09::66 fd09::6:0/112 || vt_fail "the file list's addresses left the sets"
vt_log "set_lists: 10.9.0.88 and fd09::88 refused, then reachable again; the file list's addresses kept"

# F17: a trusted network skips the redirect: the origin sees the client's own
# port, even for a Host on the block list (the worker would have refused it).
vt_wait_until 5 wt_running || vt_fail "the worker is not running"
redirect=$(ip netns exec "$WT_C" nft list table inet vigil_web_redirect)
grep -q 'ip daddr 10.9.0.77 return' <<<"$redirect" && grep -q 'ip6 daddr fd09::7:0/112 return' <<<"$redirect" ||
  vt_fail "no trusted return in the redirect: $redirect"
for a in 10.9.0.77 fd09::7:7; do
  got=$(ip netns exec "$WT_C" python3 - "$a" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 80), timeout=3)
s.sendall(b"GET /trusted HTTP/1.1\r\nHost: blocked.test\r\nConnection: close\r\n\r\n")
data = s.makefile("rb").read()  # until the origin closes
peer = [l.split(b": ")[1].decode() for l in data.split(b"\r\n") if l.lower().startswith(b"x-peer:")]
print(data.split(b" ")[1].decode(), peer[0] if peer else "-", "%s:%d" % s.getsockname()[:2])
PY
  )
  read -r code seen mine <<<"$got"
  [[ $code == 200 && $seen == "$mine" ]] || vt_fail "trusted network $a: code $code, origin saw $seen, client was $mine"
  vt_log "F17 trusted $a: direct (origin saw the client's own $mine), blocked Host passed"
done
got=$(wt_curl -D - --resolve ok.test:80:10.9.0.2 http://ok.test/via-worker | sed -n 's/^X-Peer: \([^\r]*\).*/\1/p')
[[ -n $got ]] || vt_fail "no X-Peer from the origin through the worker"
# A trusted name below a listed one, reached over IPv6: passes, reported as trusted.
[[ $(wt_curl --resolve 'trusted.blocked.test:80:[fd09::2]' http://trusted.blocked.test/t6) == "origin /t6"*" 200" ]] ||
  vt_fail "trusted name over IPv6 refused"
wt_wait_threat "trusted|http|http://trusted.blocked.test/t6|bad-domains:blocked.test" ||
  vt_fail "trusted name over IPv6: no threat action=trusted; got: $(wt_threats)"
vt_log "F17 trusted name over IPv6: 200 from the origin, threat action=trusted"

# Notify mode: the listed addresses are counted, not refused.
vt_stop_daemon || true
wt_has_table vigil_web_static && vt_fail "static table left after stop"
config "$VT_DIR/notify.yaml" "action_on_detect: notify"
wt_start "$VT_DIR/notify.yaml"
for a in 10.9.0.66 fd09::66; do
  before=$(ip_count "$a") counted=$(static_count ip_notified)
  [[ $(probe "$a") == "tcp22=ok udp=echo ping=ok" ]] || vt_fail "notify mode refused $a: $(probe "$a")"
  (($(ip_count "$a") > before)) || vt_fail "notify mode: nothing reached $a"
  counted=$(($(static_count ip_notified) - counted))
  ((counted > 0)) || vt_fail "notify mode: $a not counted"
  vt_log "notify: listed address $a reachable, $counted packets counted"
done
vt_wait_until 12 vt_status_ok web_threat "s['interception']['ip_notified_packets'] > 0" ||
  vt_fail "notify mode: no packets counted: $(wt_st "s['interception']")"
vt_log "notify: status ip_notified_packets=$(wt_st "s['interception']['ip_notified_packets']")"
vt_pass
