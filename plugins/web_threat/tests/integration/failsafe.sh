#!/usr/bin/env bash
# The interception's fail-safe and lifecycle, in private namespaces:
# fail_mode open: `kill -9` of the worker removes its redirect with it (the
# kernel deletes the owned nft table): the time until a connection reaches
# the origin directly is measured; the worker is back within 2 s and blocks
# again; degraded/restored action_result records. Stopping vigild removes
# every table and the worker. Then action_on_detect notify + fail_mode
# closed: a listed site passes and is reported (threat "notified", no
# block), and with the worker killed monitored connections are refused at
# once until it is back.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
source "$(dirname "$0")/wt_lib.sh"
vt_init web_threat_failsafe
wt_require
wt_topology_up
wt_origin_up
res=(--resolve ok.test:80:10.9.0.2 --resolve blocked.test:80:10.9.0.2)

# wt_kill_probe PID: kill -9 PID; measures until the redirect table is gone
# ("gone <ms>", polled over netlink), then connects to 10.9.0.2:80 in a loop and sends a request:
# "origin <ms>" when the origin answered, "refused <ms>" (WANT=refused) when
# refused, "none <ms>" otherwise, then what the attempts before met.
wt_kill_probe() {
  ip netns exec "$WT_C" python3 - "$1" <<'PY'
import os, socket, struct, sys, time
pid = int(sys.argv[1])


def table_exists(nl, name):
    """NFT_MSG_GETTABLE over netlink (a few microseconds, unlike running nft)."""
    attr = name.encode() + b"\0"
    attr = struct.pack("=HH", 4 + len(attr), 1) + attr + b"\0" * (-len(attr) % 4)
    body = struct.pack("=BBH", 1, 0, 0) + attr  # NFPROTO_INET, NFNETLINK_V0
    nl.send(struct.pack("=IHHII", 16 + len(body), (10 << 8) | 1, 1 | 4, 1, 0) + body)
    reply = nl.recv(65536)
    kind = struct.unpack("=H", reply[4:6])[0]
    if kind == 2:  # NLMSG_ERROR: ENOENT when gone
        return struct.unpack("=i", reply[16:20])[0] == 0
    while kind != 2:  # the table, then the ACK
        reply = nl.recv(65536)
        kind = struct.unpack("=H", reply[4:6])[0]
    return True


nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
if not table_exists(nl, "vigil_web_redirect"):
    print("no-table-before-the-kill"); sys.exit(0)
t0 = time.monotonic()
os.kill(pid, 9)
if os.environ.get("WANT") != "refused":
    while table_exists(nl, "vigil_web_redirect") and time.monotonic() - t0 < 3:
        pass
    print("gone %.1f" % ((time.monotonic() - t0) * 1000), end=" ")
seen = []  # what each attempt met, for the failure message
while time.monotonic() - t0 < 3:
    s = socket.socket()
    s.settimeout(0.3)
    try:
        s.connect(("10.9.0.2", 80))
        s.sendall(b"GET /probe HTTP/1.1\r\nHost: blocked.test\r\nConnection: close\r\n\r\n")
        data = s.recv(4096)
        if b"origin /probe" in data:
            print("origin %.1f" % ((time.monotonic() - t0) * 1000), " ".join(seen[:20])); sys.exit(0)
        seen.append("403" if b" 403 " in data[:20] else "other")
    except ConnectionRefusedError:
        seen.append("refused")
        if os.environ.get("WANT") == "refused":
            print("refused %.1f" % ((time.monotonic() - t0) * 1000)); sys.exit(0)
    except OSError as e:
        seen.append(type(e).__name__)
    finally:
        s.close()
print("none %.1f" % ((time.monotonic() - t0) * 1000), " ".join(seen[:20]))
PY
}

# --- fail_mode open (default) ---
wt_config "$VT_DIR/vigil.yaml"
wt_start "$VT_DIR/vigil.yaml"
wt_events
[[ $(wt_curl "${res[@]}" http://blocked.test/) == *" 403" ]] || vt_fail "not blocking before the kill"
wt_has_table vigil_web_redirect || vt_fail "no redirect table"
wt_has_table vigil_web_static || vt_fail "no static table"
pid=$(wt_worker_pid)
got=$(wt_kill_probe "$pid")
read -r _ gone_ms outcome origin_ms before <<<"$got"
[[ $outcome == origin ]] || vt_fail "after kill -9 of the worker no connection reached the origin: $got"
vt_log "F22 fail open: redirect table gone ${gone_ms} ms after kill -9; a new connection reached the origin directly after ${origin_ms} ms (attempts before: ${before:-none})"
awk -v m="$gone_ms" 'BEGIN { exit !(m <= 100) }' || vt_fail "redirect gone only after $gone_ms ms (goal <= 100 ms)"
# The static table (QUIC reject) stays while the worker is down or restarting.
wt_has_table vigil_web_static || vt_fail "the static table went with the worker"
vt_wait_until 3 bash -c "[[ \$(ip netns exec $WT_C nft list tables | grep -c vigil_web_redirect) == 1 ]]" ||
  vt_fail "the worker did not come back within 3 s"
vt_wait_until 3 wt_running || vt_fail "the worker is not running again"
[[ $(wt_st "s['interception']['starts']") == 2 ]] || vt_fail "starts: $(wt_st "s['interception']")"
[[ $(wt_curl "${res[@]}" http://blocked.test/) == *" 403" ]] || vt_fail "not blocking after the restart"
vt_wait_until 5 grep -q '"action":"intercept".*killed by signal 9' "$VT_DIR/actions.log" || vt_fail "no degraded record"
vt_wait_until 5 grep -q 'worker started again' "$VT_DIR/actions.log" || vt_fail "no restored record"

# Stopping vigild removes the tables and the worker.
pid=$(wt_worker_pid)
kill -TERM "$VT_VIGILD_PID"
wait "$VT_VIGILD_PID" 2>/dev/null
VT_VIGILD_PID=""
kill -0 "$pid" 2>/dev/null && vt_fail "worker $pid still running after vigild stopped"
tables=$(ip netns exec "$WT_C" nft list tables)
[[ $tables != *vigil_web* ]] || vt_fail "tables left after stop: $tables"
[[ $(wt_curl "${res[@]}" http://blocked.test/x) == "origin /x"*" 200" ]] || vt_fail "traffic does not flow after stop"
vt_log "F24 stop: no table, no worker, traffic flows"

# --- notify + fail_mode closed ---
: >"$VT_DIR/threats.log"
: >"$VT_DIR/actions.log"
wt_config "$VT_DIR/notify.yaml" "action_on_detect: notify" "fail_mode: closed"
wt_start "$VT_DIR/notify.yaml"
wt_events
before=$(wt_count 80)
[[ $(wt_curl "${res[@]}" http://blocked.test/n) == "origin /n"*" 200" ]] || vt_fail "notify: the listed site did not pass"
(($(wt_count 80) > before)) || vt_fail "notify: nothing reached the origin"
wt_wait_threat "notified|http|http://blocked.test/n|bad-domains:blocked.test" || vt_fail "notify: no threat; $(wt_threats)"
sleep 0.5
! grep -q '"action":"block"' "$VT_DIR/actions.log" || vt_fail "notify mode published a block action"
vt_log "F5 notify: 200 from the origin, threat 'notified', no block action"
got=$(WANT=refused wt_kill_probe "$(wt_worker_pid)")
[[ $got == refused* ]] || vt_fail "fail closed: a monitored connection was not refused: $got"
vt_log "F23 fail closed: refused ${got#refused } ms after kill -9"
vt_wait_until 3 wt_running || vt_fail "the worker did not come back (closed mode)"
[[ $(wt_curl "${res[@]}" http://ok.test/back) == "origin /back"*" 200" ]] || vt_fail "no traffic after the restart"
vt_pass
