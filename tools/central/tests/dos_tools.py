#!/usr/bin/env python3
"""Peers for the vigil-central denial-of-service test (dos_test.sh).

  agent URL CA AGENT_ID SECONDS OUT   a well-behaved agent: registers, then posts valid gzip
                                      telemetry batches on one keep-alive TLS connection and
                                      writes one line per accepted batch ("<time> <events>")
  bomb OUT                            writes the review's gzip bomb (≈260 KiB → 256 MiB)
  slow-handshakes HOST PORT N SECONDS FIRST_SOURCE
                                      N connections that trickle a TLS ClientHello, one byte
                                      every 10 s, from 127.0.0.FIRST_SOURCE.. (30 per address);
                                      a connection the server closes is opened again
  rss PID SECONDS OUT                 samples the server's VmRSS every 0.2 s, writes the maximum (KiB)
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


def agent(url, ca, agent_id, seconds, out):
    host, port = url.split("//")[1].split(":")
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    end = time.time() + float(seconds)
    seq = int(time.time() * 1000)
    conn = None
    with open(out, "w") as log:
        while time.time() < end:
            try:
                if conn is None:
                    conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=10)
                    sync = json.dumps({"agent_id": agent_id, "hostname": "dos-test-agent"})
                    conn.request("POST", "/api/v1/agent/sync", sync,
                                 {"Content-Type": "application/json", "X-Vigil-Agent-Id": agent_id})
                    conn.getresponse().read()
                seq += 1
                events = [{"type": "process", "class_uid": 1007, "time": int(time.time() * 1000),
                           "process": {"pid": i, "cmd_line": "/usr/bin/dos-test --n %d" % i}} for i in range(200)]
                body = gzip.compress(json.dumps({"agent_id": agent_id, "batch_seq": seq,
                                                 "events": events}).encode(), 6)
                conn.request("POST", "/api/v1/agent/telemetry", body,
                             {"Content-Type": "application/json", "Content-Encoding": "gzip",
                              "X-Vigil-Agent-Id": agent_id})
                resp = conn.getresponse()
                reply = resp.read()
                if resp.status == 200:
                    log.write("%.3f %d\n" % (time.time(), json.loads(reply)["stored"]))
                    log.flush()
                else:
                    log.write("%.3f error %d\n" % (time.time(), resp.status))
                    time.sleep(0.2)
            except (OSError, http.client.HTTPException) as e:
                log.write("%.3f error %s\n" % (time.time(), type(e).__name__))
                conn = None
                time.sleep(0.2)


def bomb(out):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = c.compress(b'{"agent_id":"dos-bomber","batch_seq":1,"events":[[')
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


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "agent":
        agent(*args)
    elif cmd == "bomb":
        bomb(*args)
    elif cmd == "slow-handshakes":
        slow_handshakes(args[0], int(args[1]), int(args[2]), float(args[3]), int(args[4]))
    elif cmd == "rss":
        rss(*args)
    else:
        sys.exit("unknown command " + cmd)
