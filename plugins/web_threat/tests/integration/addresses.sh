#!/usr/bin/env bash
# Listed IP addresses enforced in the plugin's static nftables table (F12)
# and trusted networks left out of the redirect (F17), in private namespaces:
# a listed address (10.9.0.66) is refused at once on every port and protocol
# (TCP reset on a port the worker does not see, ICMP for UDP and ping; the
# monitored ports get the worker's block page), with 0 packets at the origin,
# also while the worker is down; web_threat.set_lists changes the set in one
# transaction; a trusted address (10.9.0.77) is connected directly, not
# through the worker (the origin sees the client's own port); notify mode
# counts instead of refusing.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/wt_lib.sh"
vt_init web_threat_addresses
wt_require
wt_topology_up
wt_origin_up
for a in 10.9.0.77 10.9.0.88; do ip -n "$WT_O" addr add "$a/24" dev "wto$WT_TAG"; done
ip netns exec "$WT_O" /usr/bin/python3 "$WT_HELPER" --http 10.9.0.77:80 --banner 10.9.0.66:22 --banner 10.9.0.88:22 \
  --udp 10.9.0.66:5000 --udp 10.9.0.88:5000 >"$VT_DIR/origin2.log" 2>&1 &
vt_track_pid $!
vt_wait_until 10 grep -q ready "$VT_DIR/origin2.log" || vt_fail "second origin did not start"
# Every packet to a listed address, whatever its protocol, is counted at the origin.
ip netns exec "$WT_O" nft -f - <<'NFT' || vt_fail "origin counters"
table inet wt_ip {
  counter to66 {}
  counter to88 {}
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr 10.9.0.1 ip daddr 10.9.0.66 counter name to66
    ip saddr 10.9.0.1 ip daddr 10.9.0.88 counter name to88
  }
}
NFT
ip_count() { ip netns exec "$WT_O" nft list counter inet wt_ip "to$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

# probe ADDR: "tcp22=<errno|ok> udp=<errno|echo|timeout> ping=<ok|fail>" from the client namespace.
probe() {
  ip netns exec "$WT_C" python3 - "$1" <<'PY'
import socket, struct, sys
addr = sys.argv[1]
try:
    s = socket.create_connection((addr, 22), timeout=2)
    tcp = "ok" if s.recv(100).startswith(b"SSH-2.0") else "nobanner"
except OSError as e:
    tcp = str(e.errno)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(1)
try:
    u.connect((addr, 5000))
    u.send(b"x")
    udp = "echo" if u.recv(10) == b"x" else "other"
except socket.timeout:
    udp = "timeout"
except OSError as e:
    udp = str(e.errno)
# ICMP echo over a raw socket (no ping binary needed).
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
r.settimeout(1)
body = struct.pack("!BBHHH", 8, 0, 0, 0x1616, 1) + b"vigil"
total = sum(struct.unpack("!%dH" % (len(body) // 2), body[:len(body) // 2 * 2])) + (body[-1] << 8 if len(body) % 2 else 0)
total = (total >> 16) + (total & 0xFFFF)
checksum = ~(total + (total >> 16)) & 0xFFFF
ping = "fail"
try:
    r.sendto(body[:2] + struct.pack("!H", checksum) + body[4:], (addr, 0))
    while ping == "fail":
        data, peer = r.recvfrom(1500)
        if peer[0] == addr and data[20] == 0 and data[24:26] == b"\x16\x16":
            ping = "ok"
except OSError:
    pass
print("tcp22=%s udp=%s ping=%s" % (tcp, udp, ping), flush=True)
PY
}

WT_TRUSTED="trusted.blocked.test, 10.9.0.77/32"
wt_config "$VT_DIR/vigil.yaml"
wt_start "$VT_DIR/vigil.yaml"
wt_has_table vigil_web_static || vt_fail "no static table"
ip netns exec "$WT_C" nft list set inet vigil_web_static block_v4 | grep -q '10.9.0.66' ||
  vt_fail "10.9.0.66 not in the address set: $(ip netns exec "$WT_C" nft list table inet vigil_web_static)"

# F12: the listed address: TCP 22 reset (ECONNREFUSED), UDP and ping refused, nothing reaches it.
[[ $(probe 10.9.0.88) == "tcp22=ok udp=echo ping=ok" ]] || vt_fail "unlisted address unreachable: $(probe 10.9.0.88)"
before=$(ip_count 66)
got=$(probe 10.9.0.66)
[[ $got =~ ^tcp22=111\ udp=(1|13|111|113)\ ping=fail$ ]] || vt_fail "listed address: $got"
# ... its monitored web port still gets the block page from the worker.
[[ $(wt_curl http://10.9.0.66/) == *'vigil-block-page'*" 403" ]] || vt_fail "listed address: no block page on port 80"
[[ $(ip_count 66) == "$before" ]] || vt_fail "listed address: the origin received $(($(ip_count 66) - before)) packets"
# (the status is published at least every 10 s)
vt_wait_until 12 vt_status_ok web_threat "s['interception']['ip_refused_packets'] > 0" ||
  vt_fail "status counts no refused packets: $(wt_st "s['interception']")"
refused=$(wt_st "s['interception']['ip_refused_packets']")
vt_log "F12 listed address: $got, port 80 block page, origin packets +0, ip_refused_packets=$refused"

# F12 with the worker down: kill -9; once its redirect is gone (the kernel
# deletes the owned table), only the static table stands between the client
# and the address: probe until the worker is back (0.5 s later).
pid=$(wt_worker_pid)
before=$(ip_count 66)
got=$(ip netns exec "$WT_C" python3 - "$pid" <<'PY'
import os, socket, subprocess, sys, time
os.kill(int(sys.argv[1]), 9)
t0 = time.monotonic()
while b"vigil_web_redirect" in subprocess.run(["nft", "list", "tables"], capture_output=True).stdout:
    if time.monotonic() - t0 > 2:
        print("the redirect table stayed"); sys.exit(0)
seen = set()
while time.monotonic() - t0 < 0.3:
    for port in (80, 22):
        s = socket.socket()
        s.settimeout(0.2)
        try:
            s.connect(("10.9.0.66", port))
            # Only a worker that is back already may take it: its block page.
            s.settimeout(3)
            s.sendall(b"GET / HTTP/1.1\r\nHost: 10.9.0.66\r\nConnection: close\r\n\r\n")
            page = s.makefile("rb").read()
            seen.add("%d:%s" % (port, "blockpage" if b"vigil-block-page" in page else "other"))
        except socket.timeout:
            seen.add("%d:noanswer" % port)
        except OSError as e:
            seen.add("%d:%s" % (port, e.errno))
        s.close()
print(" ".join(sorted(seen)))
PY
)
[[ $got == "22:111 80:111" || $got == "22:111 80:111 80:blockpage" ]] || vt_fail "listed address while the worker is down: $got"
[[ $(ip_count 66) == "$before" ]] || vt_fail "listed address reached while the worker was down"
vt_wait_until 5 wt_running || vt_fail "the worker did not come back"
vt_log "F12 worker killed: every connection to the listed address refused ($got), origin packets +0"

# The set follows the lists: a central list adds 10.9.0.88, in one transaction.
vctl web_threat set_lists --lists '[{"name":"central-ips","format":"ips","content":"10.9.0.88\n"}]' >/dev/null ||
  vt_fail "set_lists failed"
ip netns exec "$WT_C" nft list set inet vigil_web_static block_v4 | grep -q '10.9.0.88' || vt_fail "10.9.0.88 not added"
before=$(ip_count 88)
[[ $(probe 10.9.0.88) == "tcp22=111 "* ]] || vt_fail "newly listed address reachable: $(probe 10.9.0.88)"
[[ $(ip_count 88) == "$before" ]] || vt_fail "newly listed address: the origin received packets"
vctl web_threat set_lists --lists '[]' >/dev/null || vt_fail "set_lists [] failed"
[[ $(probe 10.9.0.88) == "tcp22=ok udp=echo ping=ok" ]] || vt_fail "address still refused after its list was removed"
ip netns exec "$WT_C" nft list set inet vigil_web_static block_v4 | grep -q '10.9.0.66' ||
  vt_fail "the file list's address left the set"
vt_log "set_lists: 10.9.0.88 refused, then reachable again; 10.9.0.66 kept"

# F17: a trusted network skips the redirect: the origin sees the client's own
# port, even for a Host on the block list (the worker would have refused it).
vt_wait_until 5 wt_running || vt_fail "the worker is not running"
ip netns exec "$WT_C" nft list table inet vigil_web_redirect | grep -q 'ip daddr 10.9.0.77 return' ||
  vt_fail "no trusted return in the redirect: $(ip netns exec "$WT_C" nft list table inet vigil_web_redirect)"
got=$(ip netns exec "$WT_C" python3 - <<'PY'
import socket
s = socket.create_connection(("10.9.0.77", 80), timeout=3)
s.sendall(b"GET /trusted HTTP/1.1\r\nHost: blocked.test\r\nConnection: close\r\n\r\n")
data = s.makefile("rb").read()  # until the origin closes
peer = [l.split(b": ")[1].decode() for l in data.split(b"\r\n") if l.lower().startswith(b"x-peer:")]
print(data.split(b" ")[1].decode(), peer[0] if peer else "-", "%s:%d" % s.getsockname())
PY
)
read -r code seen mine <<<"$got"
[[ $code == 200 && $seen == "$mine" ]] || vt_fail "trusted network: code $code, origin saw $seen, client was $mine"
got=$(wt_curl -D - --resolve ok.test:80:10.9.0.2 http://ok.test/via-worker | sed -n 's/^X-Peer: \([^\r]*\).*/\1/p')
[[ -n $got ]] || vt_fail "no X-Peer from the origin through the worker"
vt_log "F17 trusted 10.9.0.77: direct (origin saw the client's own $mine), blocked Host passed"

# Notify mode: the listed address is counted, not refused.
vt_stop_daemon || true
wt_has_table vigil_web_static && vt_fail "static table left after stop"
wt_config "$VT_DIR/notify.yaml" "action_on_detect: notify"
wt_start "$VT_DIR/notify.yaml"
[[ $(probe 10.9.0.66) == "tcp22=ok udp=echo ping=ok" ]] || vt_fail "notify mode refused: $(probe 10.9.0.66)"
vt_wait_until 12 vt_status_ok web_threat "s['interception']['ip_notified_packets'] > 0" ||
  vt_fail "notify mode: no packets counted: $(wt_st "s['interception']")"
vt_log "notify: listed address reachable, counted ($(wt_st "s['interception']['ip_notified_packets']") packets)"
vt_pass
