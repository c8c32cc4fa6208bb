#!/usr/bin/env bash
# Interception in a private client namespace (vigild + web_threat + its
# worker) against an origin namespace: HTTP allowed / blocked by host, URL
# path and IP (403 block page, 0 packets at the origin), every request of a
# keep-alive connection judged, HTTPS blocked by SNI (unrecognized_name
# alert, 0 packets) while an allowed site keeps its own certificate, trusted
# address override, DNS: blocked name -> sinkhole whose web port shows the
# block page, QUIC (UDP/443) rejected at once, IPv6, the worker unprivileged,
# threat + action_result events.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/wt_lib.sh"
vt_init web_threat_intercept
wt_require
wt_topology_up
# IPv6: fd09::66 is a listed address (like 10.9.0.66); the SOCKS proxy and the
# banner server listen on fd09::2 too.
ip -n "$WT_O" addr add fd09::66/64 dev "wto$WT_TAG" nodad || vt_fail "cannot add fd09::66"
WT_ORIGIN_ARGS="--http [fd09::66]:80 --tls [fd09::66]:443 --socks [fd09::2]:1080 --banner [fd09::2]:8000" wt_origin_up
# Counters at the origin for the IPv6 passes (wt_lib.sh counts 80, 443 and 53
# on both families): wt_count 1080v6 etc.
for c in "1080v6 tcp dport 1080" "3128v6 tcp dport 3128" "853v6 th dport 853" "8000v6 tcp dport 8000" "u443v6 udp dport 443"; do
  ip netns exec "$WT_O" nft add counter inet wt_leak "p${c%% *}" &&
    ip netns exec "$WT_O" nft add rule inet wt_leak input ip6 saddr fd09::1 ${c#* } counter name "p${c%% *}" ||
    vt_fail "origin counter ${c%% *}"
done
# The IPv6 resolver first: every forwarded DNS query (UDP and TCP) goes over IPv6.
WT_DNS_UPSTREAMS="'[fd09::2]', 10.9.0.2" wt_config "$VT_DIR/vigil.yaml"
echo fd09::66 >>"$VT_DIR/lists/domains.txt"
wt_start "$VT_DIR/vigil.yaml"
wt_events
res=(--resolve ok.test:80:10.9.0.2 --resolve blocked.test:80:10.9.0.2 --resolve shared.test:80:10.9.0.2
  --resolve trusted.blocked.test:80:10.9.0.2)

# F1: allowed HTTP passes with the origin's content.
got=$(wt_curl "${res[@]}" http://ok.test/good)
[[ $got == "origin /good"*" 200" ]] || vt_fail "allowed HTTP: got '$got'"

# F2: blocked host -> 403 block page; the origin received no packet.
before=$(wt_count 80)
got=$(wt_curl "${res[@]}" http://blocked.test/path)
[[ $got == *'id="vigil-block-page"'*" 403" ]] || vt_fail "blocked HTTP: got '$got'"
[[ $(wt_count 80) == "$before" ]] || vt_fail "blocked HTTP: the origin received $(($(wt_count 80) - before)) packets"
vt_log "F2 blocked HTTP host: 403 block page, origin packets +0"

# F3: URL path blocked on an allowed host, the host's other paths pass.
[[ $(wt_curl "${res[@]}" http://shared.test/bad/x) == *" 403" ]] || vt_fail "blocked URL path not refused"
[[ $(wt_curl "${res[@]}" http://shared.test/good) == "origin /good"*" 200" ]] || vt_fail "shared host's good path refused"

# F4: keep-alive: the second request on the same connection is judged too.
got=$(ip netns exec "$WT_C" curl -s -m 5 -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' "${res[@]}" \
  http://shared.test/good http://shared.test/bad/y | tr '\n' ' ')
[[ $got == "200 1 403 0 " ]] || vt_fail "keep-alive: got '$got' (want 200 on a new connection, then 403 on the same one)"
vt_log "F4 keep-alive: $got"

# F12 (HTTP part): a listed IP is refused by address.
before=$(wt_count 80)
[[ $(wt_curl http://10.9.0.66/) == *" 403" ]] || vt_fail "listed IP not refused"
[[ $(wt_count 80) == "$before" ]] || vt_fail "listed IP: the origin received packets"

# F17: a trusted address overrides the list.
[[ $(wt_curl "${res[@]}" http://trusted.blocked.test/) == "origin /"*" 200" ]] || vt_fail "trusted address refused"

# F6/F7: HTTPS allowed with the origin's own certificate (no MITM); blocked by SNI.
tls=(--cacert "$VT_DIR/cert.pem" --resolve ok.test:443:10.9.0.2 --resolve blocked.test:443:10.9.0.2)
[[ $(wt_curl "${tls[@]}" https://ok.test/tls) == "origin /tls"*" 200" ]] || vt_fail "allowed HTTPS failed"
before=$(wt_count 443)
err=$(ip netns exec "$WT_C" curl -sS -m 5 -o /dev/null "${tls[@]}" https://blocked.test/ 2>&1); rc=$?
[[ $rc == 35 && ${err,,} == *"unrecognized name"* ]] || vt_fail "blocked HTTPS: curl exit $rc: $err"
[[ $(wt_count 443) == "$before" ]] || vt_fail "blocked HTTPS: the origin received packets"
vt_log "F7 blocked HTTPS: curl exit 35 ($err), origin packets +0"

# IPv6: the same verdicts through IP6T_SO_ORIGINAL_DST.
v6=(--resolve 'ok.test:80:[fd09::2]' --resolve 'blocked.test:80:[fd09::2]' --resolve 'blocked.test:443:[fd09::2]'
  --resolve 'shared.test:80:[fd09::2]')
[[ $(wt_curl "${v6[@]}" http://ok.test/v6) == "origin /v6"*" 200" ]] || vt_fail "IPv6 allowed HTTP failed"
before=$(wt_count_settled 80)
[[ $(wt_curl "${v6[@]}" http://blocked.test/) == *'vigil-block-page'*" 403" ]] || vt_fail "IPv6 blocked HTTP passed"
[[ $(wt_count 80) == "$before" ]] || vt_fail "IPv6 blocked HTTP: the origin received packets"
# F3 on IPv6: the listed path is refused before the upstream connection, the host's other paths pass.
[[ $(wt_curl "${v6[@]}" http://shared.test/bad/v6) == *'vigil-block-page'*" 403" ]] || vt_fail "IPv6 blocked URL path passed"
[[ $(wt_count 80) == "$before" ]] || vt_fail "IPv6 blocked URL path: the origin received packets"
[[ $(wt_curl "${v6[@]}" http://shared.test/good6) == "origin /good6"*" 200" ]] || vt_fail "IPv6 shared host's good path refused"
# F4 on IPv6: the second request on the same connection is judged too.
got=$(ip netns exec "$WT_C" curl -s -m 5 -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' "${v6[@]}" \
  http://shared.test/good http://shared.test/bad/y6 | tr '\n' ' ')
[[ $got == "200 1 403 0 " ]] || vt_fail "IPv6 keep-alive: got '$got' (want 200 on a new connection, then 403 on the same one)"
# F11 on IPv6: an IPv6-literal URL and TLS without SNI to a listed address are judged by the address.
before=$(wt_count_settled 80) before443=$(wt_count_settled 443)
[[ $(wt_curl -g 'http://[fd09::66]/v6') == *'vigil-block-page'*" 403" ]] || vt_fail "IPv6-literal URL of a listed address passed"
ip netns exec "$WT_C" curl -s -m 5 -k -o /dev/null -g 'https://[fd09::66]/' 2>/dev/null
[[ $? == 35 ]] || vt_fail "IPv6: TLS without SNI to a listed address not refused"
[[ $(wt_count 80) == "$before" && $(wt_count 443) == "$before443" ]] || vt_fail "IPv6 listed address: the origin received packets"
vt_log "IPv6: F2/F3 blocked host and URL path 403 (origin +0), F11 http://[fd09::66]/ 403 and TLS without SNI refused (origin +0)"
# F6/F7 on IPv6: an allowed site keeps the origin's certificate; a blocked SNI gets the alert, 0 packets.
[[ $(wt_curl --cacert "$VT_DIR/cert.pem" --resolve 'ok.test:443:[fd09::2]' https://ok.test/v6tls) == "origin /v6tls"*" 200" ]] ||
  vt_fail "IPv6 allowed HTTPS failed"
before443=$(wt_count_settled 443)
ip netns exec "$WT_C" curl -s -m 5 -o /dev/null --cacert "$VT_DIR/cert.pem" "${v6[@]}" https://blocked.test/
[[ $? == 35 ]] || vt_fail "IPv6 blocked HTTPS not refused with an alert"
[[ $(wt_count 443) == "$before443" ]] || vt_fail "IPv6 blocked HTTPS: the origin received packets"
vt_log "IPv6: F6 allowed HTTPS with the origin's certificate, F7 blocked SNI alert (origin +0)"

# F14: DNS through the forwarder: a blocked name gets the sinkhole, never reaching the origin's resolver.
before=$(wt_count 53)
got=$(wt_dns blocked.test 1)
[[ $got == "127.0.0.9 from 10.9.0.2" ]] || vt_fail "DNS blocked name: got '$got'"
[[ $(wt_count 53) == "$before" ]] || vt_fail "DNS blocked name reached the upstream resolver"
[[ $(wt_dns blocked.test 28) == "nodata from 10.9.0.2" ]] || vt_fail "DNS blocked AAAA: got '$(wt_dns blocked.test 28)'"
got=$(wt_dns ok.test 1)
[[ $got == "10.9.0.2 from 10.9.0.2" ]] || vt_fail "DNS allowed name: got '$got'"
[[ $(wt_dns use-application-dns.net 1) == "rcode 3" ]] || vt_fail "DoH canary not NXDOMAIN"
# F17 for DNS: a trusted name below a listed one is answered by the upstream (and reported as trusted).
got=$(wt_dns trusted.blocked.test 1)
[[ $got == "10.9.0.2 from 10.9.0.2" ]] || vt_fail "DNS trusted name: got '$got'"
# ... over TCP too (TCP/53 redirected, length-prefixed), and the IPv6 upstream answered.
before=$(wt_count 53)
got=$(wt_dns blocked.test 1 tcp)
[[ $got == "127.0.0.9 from 10.9.0.2" ]] || vt_fail "DNS over TCP blocked name: got '$got'"
[[ $(wt_count 53) == "$before" ]] || vt_fail "DNS over TCP blocked name reached the upstream resolver"
v6before=$(wt_count 53v6)
got=$(wt_dns ok.test 28 tcp)
[[ $got == "fd09::2 from 10.9.0.2" ]] || vt_fail "DNS over TCP allowed name: got '$got'"
(($(wt_count 53v6) > v6before)) || vt_fail "DNS over TCP: the IPv6 upstream was not asked"
# F15: ECH keys are stripped from HTTPS records (UDP and TCP); alpn and ipv4hint stay as sent.
for proto in udp tcp; do
  got=$(wt_dns ech.test 65 $proto)
  [[ $got == "https:1=026832,4=0a090002 from 10.9.0.2" ]] || vt_fail "F15 HTTPS record over $proto: got '$got'"
done
# The plugin refreshes its status at most once a second, on the next report:
# a blocked name gives one.
for _ in $(seq 8); do
  stripped=$(vctl status | grep -o '"ech_stripped":[0-9]*' | head -1)
  [[ ${stripped#*:} -ge 2 ]] && break
  sleep 0.4
  wt_dns blocked.test 1 >/dev/null
done
[[ ${stripped#*:} -ge 2 ]] || vt_fail "F15: ech_stripped not counted in the status: $(vctl status | grep interception)"
vt_log "F15 HTTPS records: ech stripped over UDP and TCP, alpn/ipv4hint intact ($stripped)"
vt_log "F14 DNS over TCP: blocked name sinkholed (upstream +0), allowed name answered by the IPv6 upstream"
# F14 on IPv6: a query sent to an IPv6 resolver address is caught the same way.
before=$(wt_count 53)
for proto in udp tcp; do
  got=$(wt_dns blocked.test 1 $proto fd09::2)
  [[ $got == "127.0.0.9 from fd09::2" ]] || vt_fail "DNS to an IPv6 resolver over $proto, blocked name: got '$got'"
done
[[ $(wt_count 53) == "$before" ]] || vt_fail "DNS to an IPv6 resolver: the blocked name reached the upstream"
got=$(wt_dns ok.test 1 udp fd09::2)
[[ $got == "10.9.0.2 from fd09::2" ]] || vt_fail "DNS to an IPv6 resolver, allowed name: got '$got'"
vt_log "F14 IPv6: a query to [fd09::2]:53 over UDP and TCP: blocked name sinkholed (upstream +0), allowed name answered"
# ... and the sinkhole's web port shows the block page.
[[ $(wt_curl --resolve blocked.test:80:127.0.0.9 http://blocked.test/) == *'vigil-block-page'*" 403" ]] ||
  vt_fail "the sinkhole does not serve the block page"
vt_log "F14 DNS: blocked -> 127.0.0.9 (upstream +0 packets), AAAA nodata, canary NXDOMAIN, sinkhole block page"

# F16: DNS-over-TLS refused at once; a public DoH resolver blocked by SNI and by DNS name.
got=$(ip netns exec "$WT_C" python3 -c '
import socket
try:
    socket.create_connection(("10.9.0.2", 853), timeout=3); print("connected")
except OSError as e:
    print(e.errno)')
[[ $got == 111 ]] || vt_fail "DoT (853) not refused: $got"
got=$(ip netns exec "$WT_C" python3 -c '
import socket
for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET6, kind)
    try:
        s.connect(("fd09::2", 853)); s.send(b"q"); s.recv(1); print("connected")
    except OSError as e:
        print(e.errno)')
# TCP: reset (ECONNREFUSED); UDP: the datagram is refused on the way out (EPERM).
[[ $got == $'111\n1' ]] || vt_fail "IPv6 DoT (853) not refused: $got"
[[ $(wt_count 853v6) == 0 ]] || vt_fail "IPv6 DoT: the origin received $(wt_count 853v6) packets"
ip netns exec "$WT_C" curl -s -m 5 -k -o /dev/null --resolve dns.google:443:10.9.0.2 https://dns.google/dns-query
[[ $? == 35 ]] || vt_fail "DoH endpoint dns.google not refused by SNI"
[[ $(wt_dns dns.google 1) == "127.0.0.9 from 10.9.0.2" ]] || vt_fail "DoH endpoint name not sinkholed"
vt_log "F16 DoT refused (ECONNREFUSED; IPv6 TCP and UDP, origin +0), DoH endpoint refused by SNI and sinkholed"

# F13: QUIC is refused at once (EPERM), so browsers fall back to TCP; IPv4 and IPv6.
got=$(ip netns exec "$WT_C" python3 -c '
import socket
for addr in ("10.9.0.2", "fd09::2"):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.sendto(b"q", (addr, 443)); print("sent")
    except OSError as e:
        print(e.errno)')
[[ $got == $'1\n1' ]] || vt_fail "UDP/443 not rejected (IPv4, IPv6): $got"
[[ $(wt_count u443v6) == 0 ]] || vt_fail "IPv6 UDP/443: the origin received $(wt_count u443v6) packets"
vt_log "F13 UDP/443 -> EPERM on IPv4 and IPv6 (origin UDP/443 on IPv6: 0 packets)"

# F18: proxy ports: CONNECT and absolute-form on 3128, SOCKS5/4a on 1080 are judged by their target.
before=$(wt_count 3128)
[[ $(wt_curl -x http://10.9.0.2:3128 http://blocked.test/abs) == *'vigil-block-page'*" 403" ]] ||
  vt_fail "absolute-form request for a blocked host through a proxy port not refused"
ip netns exec "$WT_C" curl -s -m 5 -o /dev/null -x http://10.9.0.2:3128 https://blocked.test/ 2>/dev/null
[[ $? == 56 ]] || vt_fail "CONNECT to a blocked host through a proxy port not refused"
proxy_literal() { # PROXY URL-HOST: absolute-form and CONNECT naming a listed address
  [[ $(wt_curl -g -x "http://$1:3128" "http://$2/literal") == *'vigil-block-page'*" 403" ]] ||
    vt_fail "absolute-form request for http://$2/ through a proxy port not refused"
  ip netns exec "$WT_C" curl -s -m 5 -o /dev/null -g -x "http://$1:3128" "https://$2/" 2>/dev/null
  [[ $? == 56 ]] || vt_fail "CONNECT to $2 through a proxy port not refused"
}
proxy_literal 10.9.0.2 10.9.0.66
[[ $(wt_count 3128) == "$before" ]] || vt_fail "proxy port: the proxy received packets for a blocked target"
before=$(wt_count 1080)
[[ $(wt_curl --socks5-hostname 10.9.0.2:1080 http://ok.test/socks) == "origin /socks"*" 200" ]] ||
  vt_fail "SOCKS5 to an allowed host failed"
mid=$(wt_count 1080)
((mid > before)) || vt_fail "SOCKS5 allowed: nothing reached the proxy"
ip netns exec "$WT_C" curl -s -m 5 -o /dev/null --socks5-hostname 10.9.0.2:1080 http://blocked.test/ 2>/dev/null
[[ $? == 97 ]] || vt_fail "SOCKS5 to a blocked host not refused"
ip netns exec "$WT_C" curl -s -m 5 -o /dev/null --socks4a 10.9.0.2:1080 http://www.blocked.test/ 2>/dev/null
[[ $? == 97 ]] || vt_fail "SOCKS4a to a blocked host not refused"
[[ $(wt_count 1080) == "$mid" ]] || vt_fail "SOCKS: the proxy received packets for a blocked target"
vt_log "F18 proxy ports: absolute-form 403, CONNECT refused (to a blocked name and to a listed address), SOCKS5 allowed/refused, SOCKS4a refused, proxy packets +0"
# ... and with the proxy on IPv6, SOCKS5 naming an IPv6 address (ATYP 4).
[[ $(wt_curl -x 'http://[fd09::2]:3128' http://blocked.test/abs6) == *'vigil-block-page'*" 403" ]] ||
  vt_fail "IPv6 proxy port: absolute-form request for a blocked host not refused"
ip netns exec "$WT_C" curl -s -m 5 -o /dev/null -x 'http://[fd09::2]:3128' https://blocked.test/ 2>/dev/null
[[ $? == 56 ]] || vt_fail "IPv6 proxy port: CONNECT to a blocked host not refused"
proxy_literal '[fd09::2]' '[fd09::66]'
[[ $(wt_count 3128v6) == 0 ]] || vt_fail "IPv6 proxy port: the proxy received $(wt_count 3128v6) packets"
[[ $(wt_curl -g --socks5 '[fd09::2]:1080' 'http://[fd09::2]/socks6') == "origin /socks6"*" 200" ]] ||
  vt_fail "IPv6 SOCKS5 to an allowed IPv6 address failed"
mid=$(wt_count_settled 1080v6) before=$(wt_count_settled 80)
((mid > 0)) || vt_fail "IPv6 SOCKS5 allowed: nothing reached the proxy"
for socks in socks5=http://[fd09::66]/ socks5-hostname=http://blocked.test/ socks4a=http://www.blocked.test/; do
  ip netns exec "$WT_C" curl -s -m 5 -o /dev/null -g "--${socks%%=*}" '[fd09::2]:1080' "${socks#*=}" 2>/dev/null
  [[ $? == 97 ]] || vt_fail "IPv6 SOCKS: --$socks not refused"
done
[[ $(wt_count 1080v6) == "$mid" && $(wt_count 80) == "$before" ]] ||
  vt_fail "IPv6 SOCKS: packets for a blocked target (proxy +$(($(wt_count 1080v6) - mid)), origin +$(($(wt_count 80) - before)))"
vt_log "F18 on IPv6: absolute-form 403, CONNECT refused (name and [fd09::66]), SOCKS5 ATYP 4 allowed/refused, SOCKS5 name and SOCKS4a refused, proxy +0"

# F11: TLS without SNI is judged by address; F19: a server that speaks first still works.
ip netns exec "$WT_C" curl -s -m 5 -k -o /dev/null https://10.9.0.66/ 2>/dev/null
[[ $? == 35 ]] || vt_fail "TLS without SNI to a listed address not refused"
got=$(ip netns exec "$WT_C" python3 -c '
import socket, time
t = time.monotonic()
s = socket.create_connection(("10.9.0.2", 8000), timeout=3)
print(s.recv(100).decode().strip(), int((time.monotonic() - t) * 1000))')
[[ $got == "SSH-2.0-origin "* ]] || vt_fail "server-speaks-first protocol broken: $got"
got6=$(ip netns exec "$WT_C" python3 -c '
import socket, time
t = time.monotonic()
s = socket.create_connection(("fd09::2", 8000), timeout=3)
print(s.recv(100).decode().strip(), int((time.monotonic() - t) * 1000))')
[[ $got6 == "SSH-2.0-origin "* ]] || vt_fail "IPv6: server-speaks-first protocol broken: $got6"
(($(wt_count 8000v6) > 0)) || vt_fail "IPv6 banner: nothing reached the origin's port 8000"
vt_log "F11 no SNI -> address verdict; F19 banner after ${got##* } ms (IPv6: ${got6##* } ms)"

# The worker runs as the worker uid, no capabilities, no_new_privs.
pid=$(wt_worker_pid)
uids=$(awk '/^Uid:/ {print $2,$3,$4,$5}' "/proc/$pid/status")
[[ $uids == "$WT_UID $WT_UID $WT_UID $WT_UID" ]] || vt_fail "worker uids: $uids"
grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$pid/status" || vt_fail "worker has effective capabilities"
grep -q '^CapPrm:[[:space:]]*0000000000000000' "/proc/$pid/status" || vt_fail "worker has permitted capabilities"
grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$pid/status" || vt_fail "worker without no_new_privs"

# Events: a threat per blocked decision, an action_result for the blocks.
for want in "blocked|http|http://blocked.test/path|bad-domains:blocked.test" "blocked|http|http://shared.test/bad/x|bad-urls:shared.test/bad/" \
  "blocked|tls|blocked.test|bad-domains:blocked.test" "blocked|dns|blocked.test|bad-domains:blocked.test" \
  "trusted|http|http://trusted.blocked.test/|bad-domains:blocked.test" \
  "trusted|dns|trusted.blocked.test|bad-domains:blocked.test" "blocked|socks|[fd09::66]:80|bad-domains:fd09::66"; do
  wt_wait_threat "$want" || vt_fail "no threat event '$want'; got: $(wt_threats)"
done
grep -q '"action":"block"' "$VT_DIR/actions.log" || vt_fail "no action_result for the blocks"
# The threat names the process that made the connection (socket -> pid).
ip netns exec "$WT_C" python3 -c '
import os, socket, time
s = socket.create_connection(("10.9.0.2", 80), timeout=3)
s.sendall(b"GET /attribution HTTP/1.1\r\nHost: blocked.test\r\n\r\n")
s.recv(65536)
print(os.getpid(), flush=True)
time.sleep(1.5)' >"$VT_DIR/client.pid"
client=$(cat "$VT_DIR/client.pid")
got=$(python3 - "$VT_DIR/threats.log" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        p = json.loads(line)["payload"]
    except Exception:
        continue
    if p["object"] == "http://blocked.test/attribution":
        print(p["process"]["pid"], p["process"]["exe"])
PY
)
[[ $got == "$client /usr/bin/python3"* ]] || vt_fail "threat without the client process: '$got' (client pid $client)"
vt_log "process attribution: $got"
vt_log "events: $(wt_threats | sort | uniq -c | tr '\n' ';')"
vt_pass
