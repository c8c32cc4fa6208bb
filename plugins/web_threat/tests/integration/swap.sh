#!/usr/bin/env bash
# List changes under load (F25), in private namespaces: while clients keep
# opening connections through the worker, the lists change five times
# (web_threat.reload of a 200,000-domain file, web_threat.set_lists): the
# worker takes each snapshot without starting again (same pid, one start),
# every request is answered (0 errors), a newly listed name is blocked and a
# name taken off the list passes again. WT_FULL=1 (web_threat_swap_full,
# label long): the research's scale, a 1,000,000-domain file and 8 clients
# (the rate reached is logged).
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/wt_lib.sh"
vt_init web_threat_swap${WT_FULL:+_full}
domains=200000 clients=4
[[ -n ${WT_FULL:-} ]] && domains=1000000 clients=8
wt_require
wt_topology_up
wt_origin_up
wt_config "$VT_DIR/vigil.yaml" \
  "lists: [{name: big, path: $VT_DIR/lists/big.txt, format: domains}, {name: bad-domains, path: $VT_DIR/lists/domains.txt, format: domains}]"
sed -i '/^    lists:$/,/^      - {name: bad-urls/d' "$VT_DIR/vigil.yaml"
big() { python3 -c "
import sys
print('\n'.join('d%d.%s.example' % (i, sys.argv[1]) for i in range(int(sys.argv[2]))))" "$1" "$domains" >"$VT_DIR/lists/big.tmp" &&
  chmod 0644 "$VT_DIR/lists/big.tmp" && mv "$VT_DIR/lists/big.tmp" "$VT_DIR/lists/big.txt"; }
big first
wt_start "$VT_DIR/vigil.yaml"
pid=$(wt_worker_pid)
res=(--resolve ok.test:80:10.9.0.2 --resolve later.test:80:10.9.0.2 --resolve blocked.test:80:10.9.0.2)
[[ $(wt_curl "${res[@]}" http://blocked.test/) == *" 403" ]] || vt_fail "blocked.test not blocked at start"
[[ $(wt_curl "${res[@]}" http://later.test/) == *" 200" ]] || vt_fail "later.test blocked at start"

# applied N: the worker acknowledged snapshot N.
applied() { vt_status_ok web_threat "s['interception']['worker_lists_generation'] >= $1"; }

# Load: $clients clients, a new connection per request, until the stop file
# appears; every second client over IPv6 (IP6T_SO_ORIGINAL_DST under the swaps).
ip netns exec "$WT_C" python3 - "$VT_DIR/stop" "$clients" >"$VT_DIR/load.out" 2>&1 <<'PY' &
import os, socket, sys, threading, time
stop, lock = sys.argv[1], threading.Lock()
stats = {"ok": 0, "errors": 0, "lat": [], "v6": 0}
def client(addr):
    while not os.path.exists(stop):
        t = time.monotonic()
        try:
            s = socket.create_connection((addr, 80), timeout=5)
            s.sendall(b"GET /load HTTP/1.1\r\nHost: ok.test\r\nConnection: close\r\n\r\n")
            data = s.makefile("rb").read()
            good = data.startswith(b"HTTP/1.1 200") and data.endswith(b"origin /load\n")
        except OSError:
            good = False
        with lock:
            stats["ok" if good else "errors"] += 1
            stats["v6"] += good and ":" in addr
            stats["lat"].append(time.monotonic() - t)
threads = [threading.Thread(target=client, args=("fd09::2" if i % 2 else "10.9.0.2",)) for i in range(int(sys.argv[2]))]
t0 = time.monotonic()
for t in threads: t.start()
for t in threads: t.join()
lat = sorted(stats["lat"])
n = stats["ok"] + stats["errors"]
print("requests %d errors %d p50 %.2f ms p99 %.2f ms %.0f/s, %d answered over IPv6" % (n, stats["errors"],
      lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000, n / (time.monotonic() - t0), stats["v6"]))
PY
load=$!
vt_track_pid $load
sleep 1

# 1-2: the file list grows by later.test and is reloaded; 3: a central list; 4: the central list goes; 5: later.test goes.
printf 'blocked.test\nlater.test\n' >"$VT_DIR/lists/domains.txt"
big second
t0=$(date +%s%N)
vctl web_threat reload >/dev/null || vt_fail "reload failed"
vt_wait_until 30 applied 1 || vt_fail "the worker did not apply snapshot 1: $(wt_st "s['interception']")"
ms=$((($(date +%s%N) - t0) / 1000000))
[[ $(wt_curl "${res[@]}" http://later.test/) == *'vigil-block-page'*" 403" ]] || vt_fail "later.test not blocked after reload"
[[ $(wt_curl --resolve 'later.test:80:[fd09::2]' http://later.test/) == *'vigil-block-page'*" 403" ]] ||
  vt_fail "later.test not blocked over IPv6 after reload"
[[ $(vctl --json web_threat check "d$((domains - 1)).second.example") == *'"decision":"block"'* ]] || vt_fail "new big list not loaded"
vctl web_threat reload >/dev/null || vt_fail "reload 2 failed"
vt_wait_until 30 applied 2 || vt_fail "the worker did not apply snapshot 2"
vctl web_threat set_lists --lists '[{"name":"central","format":"domains","content":"ok2.test\n"}]' >/dev/null ||
  vt_fail "set_lists failed"
vt_wait_until 30 applied 3 || vt_fail "the worker did not apply snapshot 3"
[[ $(wt_curl --resolve ok2.test:80:10.9.0.2 http://ok2.test/) == *" 403" ]] || vt_fail "central list not in the worker"
vctl web_threat set_lists --lists '[]' >/dev/null || vt_fail "set_lists [] failed"
vt_wait_until 30 applied 4 || vt_fail "the worker did not apply snapshot 4"
[[ $(wt_curl --resolve ok2.test:80:10.9.0.2 http://ok2.test/) == *" 200" ]] || vt_fail "central list still in the worker"
printf 'blocked.test\n' >"$VT_DIR/lists/domains.txt"
vctl web_threat reload >/dev/null || vt_fail "reload 3 failed"
vt_wait_until 30 applied 5 || vt_fail "the worker did not apply snapshot 5"
[[ $(wt_curl "${res[@]}" http://later.test/) == *" 200" ]] || vt_fail "later.test still blocked after it left the list"
[[ $(wt_curl "${res[@]}" http://blocked.test/) == *" 403" ]] || vt_fail "blocked.test no longer blocked"
sleep 0.5
touch "$VT_DIR/stop"
wait "$load"
got=$(cat "$VT_DIR/load.out")
[[ $got == "requests "*" errors 0 "* ]] || vt_fail "errors under load while the lists changed: $got"
[[ $got =~ /s,\ ([0-9]+)\ answered\ over\ IPv6 ]] && ((BASH_REMATCH[1] > 0)) || vt_fail "no request over IPv6: $got"
[[ $(wt_worker_pid) == "$pid" && $(wt_st "s['interception']['starts']") == 1 ]] ||
  vt_fail "the worker was started again (pid $(wt_worker_pid), was $pid)"
[[ -z $(wt_st "s['interception']['lists_error']") ]] || vt_fail "lists_error: $(wt_st "s['interception']['lists_error']")"
vt_log "F25: 5 list swaps ($domains-domain file) under load: $got; first swap applied after ${ms} ms; worker pid unchanged"
vt_pass
