#!/usr/bin/env python3
"""Peers for the vigil-central denial-of-service test (dos_test.sh).

  agent URL CA CERT KEY AGENT_ID SECONDS OUT
        a well-behaved enrolled agent (its own certificate): posts valid gzip telemetry
        batches over keep-alive TLS, opening a NEW connection every 5 batches (so it also
        shows that new agents can still connect), and writes one line per request:
        "<began> <done> <latency> <events stored>" or "<began> <done> <latency> error <what>"
        (times in s since the epoch; the latency includes connecting when it opened one)
  bomb OUT AGENT_ID      writes the review's gzip bomb (≈260 KiB → 256 MiB of "0,")
  slow-handshakes HOST PORT N SECONDS FIRST_SOURCE
        N connections that trickle a TLS ClientHello, one byte every 10 s, from
        127.0.0.FIRST_SOURCE.. (30 per address); a connection the server closes is reopened
  conns HOST PORT SOURCE TCP TLS HEADS SECONDS
        from ONE address: TCP idle connections that never send, TLS idle connections
        (handshake done, then nothing) and HEADS slowloris requests (a request head one
        byte per second); closed ones are reopened (≤ 500/s per kind). Prints what the server allowed.
  rss PID SECONDS OUT    samples the server's VmRSS every 0.2 s, writes the maximum (KiB)
  summary NAME AGENT_LOG START END RSS_KIB RSS_AFTER_KIB,ANON_KIB,FILE_KIB ATTACK_JSON
        one JSON line for a phase: the server's peak RSS and, for the agent's requests that
        overlap [START, END], batches stored, errors, worst and median latency and the
        longest time without a stored batch
"""
import gzip
import http.client
import json
import selectors
import socket
import ssl
import sys
import time
import zlib


def agent(url, ca, cert, key, agent_id, seconds, out):
    host, port = url.split("//")[1].split(":")
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    ctx.load_cert_chain(cert, key)
    end = time.time() + float(seconds)
    seq = int(time.time() * 1000)
    conn, sent_on_conn = None, 0
    with open(out, "w") as log:
        while time.time() < end:
            began = time.time()  # a request's latency includes connecting when it opens one
            try:
                if conn is None or sent_on_conn >= 5:
                    if conn is not None:
                        conn.close()
                    conn, sent_on_conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=10), 0
                seq += 1
                sent_on_conn += 1
                events = [{"type": "process", "class_uid": 1007, "time": int(time.time() * 1000),
                           "process": {"pid": i, "cmd_line": "/usr/bin/dos-test --n %d" % i}} for i in range(200)]
                body = gzip.compress(json.dumps({"agent_id": agent_id, "batch_seq": seq,
                                                 "events": events}).encode(), 6)
                conn.request("POST", "/api/v1/agent/telemetry", body,
                             {"Content-Type": "application/json", "Content-Encoding": "gzip"})
                resp = conn.getresponse()
                reply = resp.read()
                done = time.time()
                if resp.status == 200:
                    log.write("%.3f %.3f %.3f %d\n" % (began, done, done - began, json.loads(reply)["stored"]))
                else:
                    log.write("%.3f %.3f %.3f error %d %s\n" % (began, done, done - began, resp.status, reply[:200]))
                    time.sleep(0.2)
                log.flush()
            except (OSError, http.client.HTTPException) as e:
                done = time.time()
                log.write("%.3f %.3f %.3f error %s\n" % (began, done, done - began, type(e).__name__))
                log.flush()
                conn = None
                time.sleep(0.2)


def bomb(out, agent_id):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = c.compress(b'{"agent_id":"%s","batch_seq":1,"events":[[' % agent_id.encode())
    block = b"0," * 1000000
    data += b"".join(c.compress(block) for _ in range(130))
    data += c.compress(b"0]]}") + c.flush()
    with open(out, "wb") as f:
        f.write(data)


def slow_handshakes(host, port, n, seconds, first_source):
    sel = selectors.DefaultSelector()
    record = b"\x16\x03\x01\x40\x00"  # a TLS handshake record announcing 16 KiB
    conns = {}

    def open_one(i):
        s = socket.socket()
        s.setblocking(False)
        s.bind(("127.0.0.%d" % (first_source + i // 30), 0))
        s.connect_ex((host, port))
        conns[i] = (s, 0)
        sel.register(s, selectors.EVENT_READ, i)

    for i in range(n):
        open_one(i)
    end = time.time() + seconds
    next_byte = time.time()
    reopened = 0
    while time.time() < end:
        for key, _ in sel.select(timeout=0.5):
            i = key.data
            s, _ = conns[i]
            try:
                if s.recv(4096):
                    continue
            except OSError:
                pass
            sel.unregister(s)
            s.close()
            open_one(i)
            reopened += 1
        if time.time() >= next_byte:
            for i, (s, sent) in list(conns.items()):
                try:
                    s.send(record[sent:sent + 1] if sent < len(record) else b"A")
                    conns[i] = (s, sent + 1)
                except OSError:
                    pass
            next_byte = time.time() + 10
    print(json.dumps({"connections": n, "reopened_after_server_close": reopened}))


class Conn:
    """One attacking connection of `conns`: kind is tcp, tls or head."""

    def __init__(self, kind, host, port, source, ctx):
        self.kind, self.sent, self.answer = kind, 0, b""
        raw = socket.socket()
        raw.setblocking(False)
        raw.bind((source, 0))
        raw.connect_ex((host, port))
        self.sock = raw if kind == "tcp" else ctx.wrap_socket(raw, do_handshake_on_connect=False)
        self.established = kind == "tcp"


HEAD = (b"POST /api/v1/agent/telemetry HTTP/1.1\r\nHost: central\r\nContent-Type: application/json\r\n"
        b"Content-Encoding: gzip\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n")


def conns(host, port, source, n_tcp, n_tls, n_heads, seconds):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    want = {"tcp": n_tcp, "tls": n_tls, "head": n_heads}
    live = {k: [] for k in want}
    stats = {k: {"opened": 0, "closed_or_refused": 0, "max_established": 0} for k in want}
    stats["head"]["answers"] = {}
    end = time.time() + seconds
    next_byte = time.time()
    while time.time() < end:
        for kind in want:
            budget = 100  # new connections per kind and round (~5 rounds/s): each kind gets its share
            while len(live[kind]) < want[kind] and budget > 0:
                try:
                    live[kind].append(Conn(kind, host, port, source, ctx))
                    stats[kind]["opened"] += 1
                except OSError:
                    pass
                budget -= 1
        for kind, items in live.items():
            keep = []
            for c in items:
                if step(c, stats[kind], kind == "head" and time.time() >= next_byte):
                    keep.append(c)
                else:
                    c.sock.close()
                    stats[kind]["closed_or_refused"] += 1
            live[kind] = keep
            stats[kind]["max_established"] = max(stats[kind]["max_established"],
                                                 sum(1 for c in keep if c.established))
        # The per-address limit covers TLS and head connections together: count them at the same
        # moment (separate peaks of the two kinds come at different times), after dropping the
        # ones the server has already closed.
        tls_now = sum(1 for k in ("tls", "head") for c in live[k] if c.established and open_now(c))
        stats["tls_and_head_max_established"] = max(stats.get("tls_and_head_max_established", 0), tls_now)
        if time.time() >= next_byte:
            next_byte = time.time() + 1
        time.sleep(0.2)
    print(json.dumps({"source": source, **stats}))


def open_now(c):
    """False when the server has closed the connection (EOF or reset waiting to be read)."""
    probe = socket.fromfd(c.sock.fileno(), socket.AF_INET, socket.SOCK_STREAM)  # a dup: TLS sockets refuse MSG_PEEK
    try:
        return probe.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        probe.close()


def step(c, stat, send_byte):
    """Advances one connection; False when the server closed it."""
    try:
        if not c.established:
            c.sock.do_handshake()
            c.established = True
        if send_byte and c.sent < len(HEAD):
            c.sock.send(HEAD[c.sent:c.sent + 1])
            c.sent += 1
        data = c.sock.recv(4096)
        if not data:
            return False
        c.answer += data
        if c.kind == "head" and b"\r\n" in c.answer:
            code = c.answer.split(b" ")[1].decode(errors="replace")
            stat["answers"][code] = stat["answers"].get(code, 0) + 1
            return False
        return True
    except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
        return True
    except (OSError, ssl.SSLError):
        return False


def rss(pid, seconds, out):
    end = time.time() + float(seconds)
    peak = 0
    while time.time() < end:
        try:
            with open("/proc/%s/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            break
        time.sleep(0.2)
    with open(out, "w") as f:
        f.write("%d\n" % peak)


def summary(name, log, start, end, rss_kib, rss_after_kib, attack):
    start, end = float(start), float(end)
    rows = []
    for line in open(log):
        f = line.split()
        if len(f) >= 4:
            rows.append((float(f[0]), float(f[1]), float(f[2]), f[3:]))
    mine = [r for r in rows if r[0] < end and r[1] > start]  # requests overlapping the phase
    ok = [(done, int(rest[0])) for began, done, _, rest in mine if rest[0].isdigit() and start <= done <= end]
    errors = [" ".join(rest[:3]) for _, _, _, rest in mine if rest[0] == "error"]
    latencies = sorted(lat for _, _, lat, _ in mine)
    stamps = [start] + [t for t, _ in ok] + [end]
    print(json.dumps({
        "scenario": name, "seconds": round(end - start, 1), "server_rss_max_mib": round(int(rss_kib) / 1024, 1),
        # After the phase: resident in all, of it anonymous (heap: requests, SQLite's page
        # cache) and file-backed (the database mapped by SQLite's mmap_size, reclaimable).
        "server_rss_after_mib": [round(int(k) / 1024, 1) for k in rss_after_kib.split(",")],
        "agent_requests": len(mine), "agent_batches": len(ok),
        "agent_events_per_s": round(sum(n for _, n in ok) / (end - start)),
        "agent_errors": len(errors), "agent_error_kinds": sorted(set(errors))[:5],
        "agent_worst_latency_s": round(latencies[-1], 3) if latencies else None,
        "agent_median_latency_s": round(latencies[len(latencies) // 2], 3) if latencies else None,
        "agent_max_gap_s": round(max(b - a for a, b in zip(stamps, stamps[1:])), 2),
        "attack": json.loads(attack)}))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "agent":
        agent(*args)
    elif cmd == "bomb":
        bomb(*args)
    elif cmd == "slow-handshakes":
        slow_handshakes(args[0], int(args[1]), int(args[2]), float(args[3]), int(args[4]))
    elif cmd == "conns":
        conns(args[0], int(args[1]), args[2], int(args[3]), int(args[4]), int(args[5]), float(args[6]))
    elif cmd == "rss":
        rss(*args)
    elif cmd == "summary":
        summary(*args)
    else:
        sys.exit("unknown command " + cmd)
